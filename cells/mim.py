"""MIM capacitor (option B: FuseTop top plate over the last-but-one metal), sized by value.

Drawn from the rule table: bottom plate = FuseTop grown by the plate overlap (MIMTM.3); the plate
is contacted from below in that margin, outside FuseTop (MIMTM.10); the top plate is contacted by
a sea of vias (MIMTM.4, MIMTM.9) up to the metal above, which covers FuseTop. CAP_MK covers the
plate (MIMTM.7) and MIM_L_MK marks the length edge, as the foundry LVS expects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gdsfactory as gf

from cells.draw import cuts, pin, rect
from cells.tech import snap, snap_up, tech, top_metal_width
from pdk.gf180mcu.layers import METALS_BY_LEVELS, VIAS_BY_LEVELS
from pdk.gf180mcu.rules import value
from pdk.gf180mcu.rules.mim import (
    AREA_CAP_FF_PER_UM2,
    PERIMETER_CAP_FF_PER_UM,
    bottom_plate_level,
)
from sgdr_flow.config import MetalStack
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


def side_for(capacitance_ff: float, density: float = 2.0) -> float:
    """FuseTop side (um) of a square MIM with the model's area and fringe capacitance."""
    ca, cp = AREA_CAP_FF_PER_UM2[density], PERIMETER_CAP_FF_PER_UM[density]
    side = (-4 * cp + math.sqrt(16 * cp * cp + 4 * ca * capacitance_ff)) / (2 * ca)
    low = math.sqrt(value("MIMTM.8a"))
    high = math.sqrt(value("MIMTM.8b"))
    if not low <= side <= high:
        raise FlowError(f"a {capacitance_ff:g} fF MIM needs a {side:.2f} um side, outside the "
                        f"{low:g}..{high:g} um the MIM rules allow")
    return snap_up(side)


def capacitance_ff(side: float, density: float = 2.0) -> float:
    return AREA_CAP_FF_PER_UM2[density] * side * side + PERIMETER_CAP_FF_PER_UM[density] * 4 * side


@dataclass(frozen=True)
class MimGeometry:
    width: float
    length: float
    plate: tuple[float, float, float, float]
    fusetop: tuple[float, float, float, float]
    rim: tuple[float, float, float, float]     # plate margin left of FuseTop: contact from below
    top_metal_width: float                     # min width of a top-metal strip leaving the plate


def draw_mim(c: gf.Component, width: float, length: float, stack: MimStack, x: float = 0.0,
             y: float = 0.0, t_top: str = "9K") -> MimGeometry:
    """Draw a MIM (FuseTop width x length) with FuseTop's lower-left corner at (x, y)."""
    t = tech()
    overlap = value(f"{stack.prefix}.3")
    ft = (x, y, x + width, y + length)
    plate = (x - overlap, y - overlap, x + width + overlap, y + length + overlap)
    rect(c, "fusetop", *ft)
    rect(c, stack.plate, *plate)
    rect(c, "cap_mk", *plate)
    rect(c, "mim_l_mk", x, y, x + width, y + MIM_L_MARK)
    rect(c, stack.top, *ft)
    enclosure = value(f"{stack.prefix}.4")
    cuts(c, stack.up_via, *ft, t.via, value(f"{stack.prefix}.9"), enclosure)
    top_w = top_metal_width(t_top) if stack.top_is_last else value("M5.1")
    rim = (plate[0], plate[1], x - overlap, plate[3])
    return MimGeometry(width, length, plate, ft, rim, snap_up(max(top_w, t.wire)))


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
    pin(c, "bottom", stack.plate, snap((g.rim[0] + g.rim[2]) / 2),
        snap((g.rim[1] + g.rim[3]) / 2))
    return c
