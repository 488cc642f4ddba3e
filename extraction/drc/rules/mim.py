"""MIM capacitor rules, option A (MIM.*) and option B (MIMTM.*), as the foundry's deck measures
them.

Both options have the same rules on different layers: the bottom plate is one metal level
(Metal2 for A, the last-but-one metal for B), the via up from it contacts both plates (FuseTop is
the top plate) and the via below it must not touch the plate. Rules on "the bottom plate" measure
the virtual plate: FuseTop grown by 1.06 um, clipped to the bottom-plate metal under it.
Not checked: MIM.12/MIMTM.12 (MIM_L_MK marks the length; LVS reads it) and the guidelines
G.MIM/G.MIMTM. MIM.8b/MIMTM.8b flag areas above 10000 um^2 (the manual's limit; the current
option-A deck only flags 10001 um^2 and more).
"""

from __future__ import annotations

from collections.abc import Callable

import klayout.db as kdb

from extraction.drc import ops
from extraction.drc.check import Deck, Markers
from extraction.drc.layers import Layers, derived
from pdk.gf180mcu.layers import METALS_BY_LEVELS, VIAS_BY_LEVELS
from pdk.gf180mcu.rules.mim import VIRTUAL_PLATE_GROW, bottom_plate_level
from pdk.gf180mcu.stack import MetalStack

Find = Callable[[Layers, str], Markers]


def _plate(variant: MetalStack) -> tuple[str, str, str]:
    """The bottom-plate metal, the via up from it and the via below it."""
    level = bottom_plate_level(variant.metal_levels, variant.mim_option)
    vias = VIAS_BY_LEVELS[variant.metal_levels]
    return METALS_BY_LEVELS[variant.metal_levels][level - 1], vias[level - 1], vias[level - 2]


@derived
def mim_virtual_plate(L: Layers) -> kdb.Region:
    metal = L.drawn(_plate(L.variant)[0])
    return L.fusetop.sized(L.um(VIRTUAL_PLATE_GROW)) & metal.interacting(L.fusetop)


def _top_plate_vias(L: Layers, via: str) -> kdb.Region:
    """Vias of the top-plate "sea of vias": the option-A deck clips the vias to FuseTop, the
    option-B deck takes the vias lying wholly inside it."""
    vias = L.drawn(via)
    return vias & L.fusetop if L.variant.mim_option == "A" else vias.inside(L.fusetop)


def _checks(metal: str, up: str, below: str) -> dict[str, Find]:
    """Rule suffix -> violations, given the rule ID for the values."""
    return {
        # other metal, and other MIMs' plates, seen through any shape in between
        "1": lambda L, r: ops.separation(L.drawn(metal), L.mim_virtual_plate, L.d(r),
                                         shielded=False),
        # only vias that overlap the virtual plate are bottom-plate contacts
        "2": lambda L, r: ops.enclosure(L.drawn(up).overlapping(L.mim_virtual_plate),
                                        L.drawn(metal), L.d(r)),
        "3": lambda L, r: ops.covered(L.fusetop, L.mim_virtual_plate, L.d(r)),
        "4": lambda L, r: ops.enclosure(L.drawn(up), L.fusetop, L.d(r)),
        "5": lambda L, r: ops.separation(L.fusetop, L.drawn(up).interacting(L.drawn(metal)),
                                         L.d(r)),
        "6": lambda L, r: ops.space(L.fusetop, L.d(r)),
        "7": lambda L, r: ops.not_inside(L.fusetop, L.cap_mk),
        "8a": lambda L, r: ops.area_below(L.fusetop, L.area(r)),
        "8b": lambda L, r: ops.area_above(L.fusetop, L.area(r)),
        "9": lambda L, r: ops.space(_top_plate_vias(L, up), L.d(r)),
        # the plate may only be contacted from above: any via from below touching the
        # (virtual) bottom plate fails, under FuseTop or in the plate's margin
        "10": lambda L, r: L.drawn(below).interacting(L.mim_virtual_plate),
        "11": lambda L, r: ops.overlap_area_above(L.drawn(metal).interacting(L.fusetop),
                                                  L.fusetop, L.area(r)),
    }


def build(deck: Deck, variant: MetalStack) -> None:
    prefix = "MIM" if variant.mim_option == "A" else "MIMTM"
    for suffix, find in _checks(*_plate(variant)).items():
        rule_id = f"{prefix}.{suffix}"
        deck.add(rule_id, "fusetop", lambda L, f=find, r=rule_id: f(L, r))
