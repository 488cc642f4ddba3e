"""Dualgate (DV.*) rules. Dualgate defines the 5 V/6 V domain, so these rules have one value.

Enclosures also report the part of an inner shape that sticks out of Dualgate; inner shapes
entirely outside Dualgate are the spacing rules' business (DV.3), not the enclosures'.
"""

from __future__ import annotations

import klayout.db as kdb

from extraction.drc import ops
from extraction.drc.check import Deck
from extraction.drc.layers import Layers, derived
from pdk.gf180mcu.stack import MetalStack


@derived
def dv_comp(L: Layers) -> kdb.Region:
    """COMP except substrate taps (PCOMP polygons outside Nwell), which may cross domains."""
    return L.comp - L.pcomp.outside(L.nwell)


def _partial_cover(L: Layers) -> kdb.Region:
    """DV.7: Dualgate polygons over part of a COMP that cover no COMP completely."""
    return L.dualgate.overlapping(L.dv_comp) - L.dualgate.covering(L.dv_comp)


def _mixed_pmos_well(L: Layers) -> kdb.Region:
    """DV.9: Nwell polygons holding both a 5 V/6 V PMOS gate and a 3.3 V one."""
    thick = L.pgate & L.dualgate
    thin = L.pgate.not_inside(L.v5_xtor).not_inside(L.dualgate)
    return L.nwell.covering(thick).covering(thin)


def build(deck: Deck, variant: MetalStack) -> None:
    deck.add("DV.1", "dualgate", lambda L: ops.enclosure(L.dnwell, L.dualgate, L.d("DV.1")))
    deck.add("DV.2", "dualgate", lambda L: ops.space(L.dualgate, L.d("DV.2")))
    deck.add("DV.3", "dualgate", lambda L: ops.separation(
        L.dualgate, L.comp.outside(L.dualgate), L.d("DV.3")))
    deck.add("DV.5", "dualgate", lambda L: ops.width(L.dualgate, L.d("DV.5")))
    deck.add("DV.6", "dualgate", lambda L: ops.enclosure(L.dv_comp, L.dualgate, L.d("DV.6")))
    deck.add("DV.7", "dualgate", _partial_cover)
    deck.add("DV.8", "dualgate", lambda L: ops.enclosure(L.poly2, L.dualgate, L.d("DV.8")))
    deck.add("DV.9", "dualgate", _mixed_pmos_well)
