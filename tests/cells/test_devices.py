"""The single-device cells over a grid: MOS (kind, W, L, fingers, multiplier, dummies) and MIM
(capacitance, metal stack); area grows with W, fingers and capacitance."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from cells.devices import mim_capacitor, mos_device
from cells.mim import capacitance_ff, side_for
from pdk.gf180mcu.stack import MetalStack
from tests.cells.checks import assert_cell, run_checks

# total W / nf must be on the grid and at least the minimum finger width (0.36 um)
MOS_GRID = [
    {"kind": kind, "w": w, "l": length, "nf": nf}
    for kind, (w, nf), length in itertools.product(
        ("nmos", "pmos"), ((0.36, 1), (1.2, 1), (1.2, 3), (8.0, 2), (8.0, 4)), (0.28, 1.0, 3.5))
]
MOS_EXTRA = [
    {"kind": "nmos", "w": 2.0, "l": 1.0, "m": 3},
    {"kind": "pmos", "w": 1.5, "l": 0.5, "nf": 3, "m": 2},
    {"kind": "nmos", "w": 20.0, "l": 10.0, "nf": 5},
    {"kind": "nmos", "w": 2.0, "l": 1.0, "dummies": True},
    {"kind": "pmos", "w": 4.0, "l": 0.28, "nf": 2, "dummies": True},
    {"kind": "pmos", "w": 6.0, "l": 5.0, "nf": 3, "m": 2, "dummies": True},
]


def _id(params: dict) -> str:
    return "-".join(f"{k}{v}" for k, v in params.items())


@pytest.mark.parametrize("params", MOS_GRID + MOS_EXTRA, ids=_id)
def test_mos_device(params: dict, tmp_path: Path) -> None:
    assert_cell("mos_device", params, tmp_path)


CAPS = [200.0, 350.0, 500.0, 1000.0, 1500.0, 2000.0]


@pytest.mark.parametrize("capacitance", CAPS)
def test_mim_capacitor(capacitance: float, tmp_path: Path) -> None:
    checked = assert_cell("mim_capacitor", {"capacitance_ff": capacitance}, tmp_path)
    (cap,) = checked.built.circuit.devices
    assert capacitance_ff(cap.width) == pytest.approx(capacitance, rel=0.01)


@pytest.mark.parametrize("variant", [
    MetalStack(metal_levels=5, top_metal_thickness="6K"),
    MetalStack(metal_levels=5, top_metal_thickness="11K"),
    MetalStack(metal_levels=6, top_metal_thickness="6K"),
    MetalStack(metal_levels=5, top_metal_thickness="30K"),
], ids=lambda v: f"{v.metal_levels}LM-{v.top_metal_thickness}")
@pytest.mark.parametrize("capacitance", [200.0, 2000.0])
def test_mim_capacitor_on_other_metal_stacks(capacitance: float, variant: MetalStack,
                                             tmp_path: Path) -> None:
    assert_cell("mim_capacitor", {"capacitance_ff": capacitance}, tmp_path, variant)


@pytest.mark.parametrize("density", [1.0, 1.5])
def test_mim_capacitor_other_densities(density: float, tmp_path: Path) -> None:
    variant = MetalStack(mim_cap_density=density)
    checked = assert_cell("mim_capacitor", {"capacitance_ff": 800.0, "density": density},
                          tmp_path, variant)
    assert f"{density:.1f}".replace(".", "f") in checked.built.lvs.read_text()


# --------------------------------------------------------------------------------- area
def _areas(cell: str, grid: list[dict], out: Path) -> list[float]:
    return [run_checks(cell, params, out, name=f"{cell}_{k}").area
            for k, params in enumerate(grid)]


def _strictly_increasing(values: list[float]) -> bool:
    return all(b > a for a, b in itertools.pairwise(values))


@pytest.mark.parametrize("kind", ["nmos", "pmos"])
def test_mos_area_grows_with_width(kind: str, tmp_path: Path) -> None:
    areas = _areas("mos_device", [{"kind": kind, "w": w} for w in (0.5, 1.0, 2.0, 4.0, 8.0)],
                   tmp_path)
    assert _strictly_increasing(areas), areas


@pytest.mark.parametrize("kind", ["nmos", "pmos"])
def test_mos_area_grows_with_fingers(kind: str, tmp_path: Path) -> None:
    """More fingers of the same finger width (so more total W)."""
    grid = [{"kind": kind, "w": 2.0 * nf, "nf": nf} for nf in (1, 2, 3, 4, 6)]
    areas = _areas("mos_device", grid, tmp_path)
    assert _strictly_increasing(areas), areas


def test_mos_area_grows_with_multiplier(tmp_path: Path) -> None:
    areas = _areas("mos_device", [{"m": m} for m in (1, 2, 3, 4)], tmp_path)
    assert _strictly_increasing(areas), areas


def test_mos_area_does_not_shrink_with_length(tmp_path: Path) -> None:
    """Longer gates widen the COMP; the routing-grid rounding may absorb a small step."""
    areas = _areas("mos_device", [{"l": x} for x in (0.28, 1.0, 2.0, 5.0)], tmp_path)
    assert all(b >= a for a, b in itertools.pairwise(areas)) and areas[-1] > areas[0], areas


def test_mim_area_grows_with_capacitance(tmp_path: Path) -> None:
    areas = _areas("mim_capacitor", [{"capacitance_ff": c} for c in CAPS], tmp_path)
    assert _strictly_increasing(areas), areas


def test_mim_drawn_area_follows_capacitance() -> None:
    """The FuseTop area scales with C (area term dominates the fringe term)."""
    sides = [side_for(c) for c in CAPS]
    assert _strictly_increasing(sides)
    for c, side in zip(CAPS, sides, strict=True):
        assert capacitance_ff(side) >= c  # snapped up, never below the value asked for
        assert capacitance_ff(side - 0.005) < c  # ... by less than one grid step


# --------------------------------------------------------------------------------- builders
def test_mos_device_multiplier_folds_into_fingers() -> None:
    (device,) = mos_device("pmos", 2.0, 0.5, 2, 3).devices
    assert (device.kind, device.w, device.l, device.nf) == ("pmos", 6.0, 0.5, 6)
    assert device.dummies == 0
    (dummy,) = mos_device(dummies=True).devices
    assert dummy.dummies == 1


def test_mim_capacitor_is_square_of_the_asked_value() -> None:
    (cap,) = mim_capacitor(1000.0).devices
    assert cap.width == cap.length == side_for(1000.0)
    assert (cap.top, cap.bottom) == ("top", "bottom")


@pytest.mark.parametrize("params", [
    {"w": 0.2},            # finger narrower than a contacted strip
    {"l": 0.2},            # shorter than the minimum gate (PL.2)
    {"w": 1.0, "nf": 3},   # finger width off the 0.005 um grid
    {"nf": 0},
])
def test_mos_device_bad_sizes_raise_value_errors(params: dict) -> None:
    from cells.registry import load_cells

    with pytest.raises(ValueError, match=r"(?i)finger|length|nf|grid"):
        load_cells()["mos_device"].layout(**params)
