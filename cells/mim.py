"""MIM capacitor (option B: FuseTop top plate over the last-but-one metal), sized by value.

Drawn from the rule table: bottom plate = FuseTop grown by the plate overlap (MIMTM.3), with a
rim on the left where vias up to the top metal contact it (the plate may only be contacted from
above, MIMTM.10; enclosure MIMTM.2, clear of FuseTop MIMTM.5); the top plate is contacted by a
sea of vias (MIMTM.4, MIMTM.9) up to the metal above, which covers FuseTop. CAP_MK covers the
plate (MIMTM.7) and MIM_L_MK marks the length edge, as the foundry LVS expects. In a routed cell
both plates are reached from Metal3 trunks through landings beyond the plate's clearance
(MIMTM.1): the bottom plate's on the left, the top plate's on the right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gdsfactory as gf

from cells.draw import cuts, pin, rect, via_array, via_stack
from cells.tech import snap, snap_up, tech, top_metal_width
from pdk.gf180mcu.layers import METALS_BY_LEVELS, VIAS_BY_LEVELS
from pdk.gf180mcu.rules import value
from pdk.gf180mcu.rules.mim import (
    AREA_CAP_FF_PER_UM2,
    PERIMETER_CAP_FF_PER_UM,
    VIRTUAL_PLATE_GROW,
    bottom_plate_level,
)
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.errors import FlowError

MIM_L_MARK = 0.1  # height of the MIM_L_MK strip along the length edge (foundry PCell)


@dataclass(frozen=True)
class MimStack:
    plate: str      # bottom-plate metal
    up_via: str     # via from the plate level up (contacts FuseTop and the plate)
    top: str        # metal above FuseTop
    top_is_last: bool
    prefix: str     # rule ID prefix of the option


def mim_stack(variant: MetalStack) -> MimStack:
    if variant.mim_option != "B" or variant.metal_levels < 5:
        raise FlowError("the cell library draws MIM option B on 5 or 6 metal levels "
                        f"(flow.yaml asks for option {variant.mim_option}, "
                        f"{variant.metal_levels} metals)")
    level = bottom_plate_level(variant.metal_levels, variant.mim_option)
    metals = METALS_BY_LEVELS[variant.metal_levels]
    return MimStack(metals[level - 1], VIAS_BY_LEVELS[variant.metal_levels][level - 1],
                    metals[level], level + 1 == variant.metal_levels, "MIMTM")


def plate_for(capacitance_ff: float, aspect: float = 1.0,
              density: float = 2.0) -> tuple[float, float]:
    """FuseTop width and length (width = aspect x length, snapped up to the grid) with at least
    the model's area plus fringe capacitance asked for. A wide, low plate (aspect > 1) lines up
    with a cell's transistor rows instead of setting the cell's height."""
    ca, cp = AREA_CAP_FF_PER_UM2[density], PERIMETER_CAP_FF_PER_UM[density]
    # ca a l^2 + 2 cp (1 + a) l - C = 0
    b = 2 * cp * (1 + aspect)
    length = snap_up((-b + math.sqrt(b * b + 4 * ca * aspect * capacitance_ff)) / (2 * ca * aspect))
    width = length if aspect == 1.0 else snap_up(
        (capacitance_ff - 2 * cp * length) / (ca * length + 2 * cp))
    low, high = value("MIMTM.8a"), value("MIMTM.8b")
    if not low <= width * length <= high:
        raise FlowError(f"a {capacitance_ff:g} fF MIM needs {width:.2f} x {length:.2f} um, an "
                        f"area outside the {low:g}..{high:g} um^2 the MIM rules allow")
    return width, length


def side_for(capacitance_ff: float, density: float = 2.0) -> float:
    """FuseTop side (um) of a square MIM with the model's area and fringe capacitance."""
    return plate_for(capacitance_ff, 1.0, density)[0]


def capacitance_ff(width: float, density: float = 2.0, length: float | None = None) -> float:
    """The model's capacitance of a FuseTop width x length (a square when length is None)."""
    length = width if length is None else length
    return (AREA_CAP_FF_PER_UM2[density] * width * length
            + PERIMETER_CAP_FF_PER_UM[density] * 2 * (width + length))


@dataclass(frozen=True)
class MimGeometry:
    width: float
    length: float
    plate: tuple[float, float, float, float]
    fusetop: tuple[float, float, float, float]
    rim: tuple[float, float, float, float]     # plate area left of FuseTop, contacted from above
    contact_x: float                           # x of the vias up from the plate (in the rim)


@dataclass(frozen=True)
class TopMetal:
    """Sizes on the metal above FuseTop (MetalTop rules when it is the last metal)."""

    width: float
    pad: float
    space: float
    vias: int  # n x n vias where a via lands on it (a thick 30K top metal wants 2 x 2)


def top_metal(stack: MimStack, thickness: str) -> TopMetal:
    t = tech()
    if not stack.top_is_last:
        return TopMetal(snap_up(max(value("M5.1"), t.wire)), t.wire, value("M5.2a"), 1)
    if thickness == "30K":
        width = value("MT30.1a")
        return TopMetal(width, width, value("MT30.2"), 2)
    width = top_metal_width(thickness)
    pad = snap_up(max(width, math.sqrt(value("MT.4"))))
    return TopMetal(snap_up(max(width, t.wire)), pad, value("MT.2a", top_metal=thickness), 1)


def plate_contact_offset(stack: MimStack, top: TopMetal) -> float:
    """Distance from FuseTop's edge to the centre of the vias that contact the plate from
    above: clear of FuseTop (MIMTM.5) and with their top-metal pads clear of the top plate."""
    t = tech()
    return snap_up(max(value(f"{stack.prefix}.5") + t.via / 2, top.space + top.pad / 2))


def plate_rim(stack: MimStack, thickness: str) -> float:
    """How far the plate reaches left of FuseTop: room for the contact vias (n x n) with the
    plate's enclosure MIMTM.2."""
    t = tech()
    top = top_metal(stack, thickness)
    vias = top.vias * t.via + (top.vias - 1) * t.via_space
    offset = plate_contact_offset(stack, top)
    return snap_up(max(value(f"{stack.prefix}.3"), offset + vias / 2 + value(f"{stack.prefix}.2")))


def draw_mim(c: gf.Component, width: float, length: float, stack: MimStack, x: float = 0.0,
             y: float = 0.0, t_top: str = "9K") -> MimGeometry:
    """Draw a MIM (FuseTop width x length) with FuseTop's lower-left corner at (x, y). The plate
    reaches far enough left of FuseTop for vias up from it (the plate may only be contacted
    from above, MIMTM.10), enclosed by MIMTM.2."""
    t = tech()
    overlap = value(f"{stack.prefix}.3")
    offset = plate_contact_offset(stack, top_metal(stack, t_top))
    rim = plate_rim(stack, t_top)
    ft = (x, y, x + width, y + length)
    plate = (snap(x - rim), y - overlap, x + width + overlap, y + length + overlap)
    rect(c, "fusetop", *ft)
    rect(c, stack.plate, *plate)
    rect(c, "cap_mk", *plate)
    rect(c, "mim_l_mk", x, y, x + width, y + MIM_L_MARK)
    rect(c, stack.top, *ft)
    enclosure = value(f"{stack.prefix}.4")
    cuts(c, stack.up_via, *ft, t.via, value(f"{stack.prefix}.9"), enclosure)
    return MimGeometry(width, length, plate, ft, (plate[0], plate[1], x, plate[3]),
                       snap(x - offset))


@dataclass(frozen=True)
class MimPlan:
    """Where a MIM and its two landings go, decided before routing: the nets' Metal3 trunks
    must reach x_bottom (left of the plate) and x_top (right of it)."""

    x_bottom: float
    x_top: float
    fusetop_x: float
    right: float


def _clearance(stack: MimStack) -> float:
    """From FuseTop's edge to any other metal on the plate's level (MIMTM.1 is measured from
    the virtual plate, FuseTop grown by VIRTUAL_PLATE_GROW)."""
    return value(f"{stack.prefix}.1") + VIRTUAL_PLATE_GROW


def plan_mim(width: float, stack: MimStack, thickness: str, x_left: float) -> MimPlan:
    island = _landing_half(stack, thickness)
    # the bottom landing's island keeps MIMTM.1 from the virtual plate and a space from the rim
    space = value(f"M{stack.plate.removeprefix('metal')}.2a")
    gap = max(_clearance(stack), plate_rim(stack, thickness) + space)
    fusetop_x = snap_up(x_left + 2 * island + gap)
    x_bottom = snap(x_left + island)
    x_top = snap_up(fusetop_x + width + _clearance(stack) + island)
    return MimPlan(x_bottom, x_top, fusetop_x, x_top + island)


def _landing_half(stack: MimStack, thickness: str) -> float:
    t = tech()
    top = top_metal(stack, thickness)
    vias = top.vias * t.via + (top.vias - 1) * t.via_space + (t.wire - t.via)
    return snap_up(max(top.pad, vias) / 2)


def landing(c: gf.Component, stack: MimStack, top: TopMetal, x: float, y: float) -> None:
    """Trunk metal (Metal3) up to the plate's metal (an island) and on up to a top-metal pad:
    where a MIM plate is reached, and where the array's pins are."""
    via_stack(c, "metal3", stack.plate, x, y)
    via_array(c, stack.up_via, x, y, top.vias)
    rect(c, stack.top, x - top.pad / 2, y - top.pad / 2, x + top.pad / 2, y + top.pad / 2)


def draw_connected_mim(c: gf.Component, plan: MimPlan, width: float, length: float,
                       stack: MimStack, thickness: str, y_top: float,
                       y_bottom: float, centre: float | None = None) -> MimGeometry:
    """The MIM between its landings; the bottom plate is reached from above through a top-metal
    strip and vias in the plate's rim, the top plate through a strip to its metal. FuseTop is
    centred on `centre` (default: between the trunks) as far as both strips stay on it."""
    top = top_metal(stack, thickness)
    lowest = max(y_top, y_bottom) + top.pad / 2 - length
    highest = min(y_top, y_bottom) - top.pad / 2
    if lowest > highest:
        raise ValueError(f"trunks {abs(y_top - y_bottom):.2f} um apart do not fit a "
                         f"{length} um long MIM")
    middle = (y_top + y_bottom) / 2 if centre is None else centre
    fy0 = snap(min(max(middle - length / 2, lowest), highest))
    g = draw_mim(c, width, length, stack, plan.fusetop_x, fy0, thickness)
    half = top.width / 2
    landing(c, stack, top, plan.x_bottom, y_bottom)
    via_array(c, stack.up_via, g.contact_x, y_bottom, top.vias)
    rect(c, stack.top, plan.x_bottom, y_bottom - half, g.contact_x, y_bottom + half)
    rect(c, stack.top, g.contact_x - top.pad / 2, y_bottom - top.pad / 2,
         g.contact_x + top.pad / 2, y_bottom + top.pad / 2)
    landing(c, stack, top, plan.x_top, y_top)
    rect(c, stack.top, g.fusetop[2] - half, y_top - half, plan.x_top, y_top + half)
    return g


@gf.cell
def mim_cap(capacitance_ff: float = 500.0, density: float = 2.0, metal_levels: int = 5,
            mim_option: str = "B") -> gf.Component:
    """A square MIM capacitor of the given value, pins `top` (top metal) and `bottom` (plate)."""
    stack = mim_stack(MetalStack(metal_levels=metal_levels, mim_option=mim_option,
                                 mim_cap_density=density))
    c = gf.Component()
    side = side_for(capacitance_ff, density)
    g = draw_mim(c, side, side, stack)
    cx = snap((g.fusetop[0] + g.fusetop[2]) / 2)
    pin(c, "top", stack.top, cx, snap((g.fusetop[1] + g.fusetop[3]) / 2))
    pin(c, "bottom", stack.plate, g.contact_x, snap((g.rim[1] + g.rim[3]) / 2))
    return c
