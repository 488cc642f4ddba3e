"""Contact (CO.*) rules, as the foundry's current deck measures them.

SRAM cells (SramCore) are exempt from CO.3, CO.4 and CO.6b, OTP cells (OTP_MK) from CO.7, once
the adapter's layer map lists those markers. Not checked: CO.6c (0.12 um all-round Metal1
overlap, a guideline).
"""

from __future__ import annotations

import klayout.db as kdb

from extraction.drc import ops
from extraction.drc.check import Deck
from extraction.drc.layers import Layers, derived
from pdk.gf180mcu.rules.beol import (
    ARRAY_SIDE,
    CO_ARRAY_JOIN,
    CO_EOL_BRANCH,
    EOL_WIDTH,
    ONE_SIDE_OVERLAP,
)
from pdk.gf180mcu.stack import MetalStack


def _outside_marker(L: Layers, region: kdb.Region, marker: str) -> kdb.Region:
    """`region` less a marker layer; no boolean at all when the layout does not draw it."""
    for shapes in ops.drawn_markers(L, marker):
        region = region - shapes
    return region


@derived
def co_main(L: Layers) -> kdb.Region:
    """Contacts outside SRAM cores (the SRAM rules govern those)."""
    return _outside_marker(L, L.contact, "sramcore")


@derived
def co_butted_ncomp(L: Layers) -> kdb.Region:
    """NCOMP abutting PCOMP (touching it without overlap): butted junctions."""
    return L.ncomp.interacting(L.pcomp).not_overlapping(L.pcomp)


@derived
def co_butted_pcomp(L: Layers) -> kdb.Region:
    return L.pcomp.interacting(L.ncomp).not_overlapping(L.ncomp)


def _butted_overlap(L: Layers, butted: kdb.Region, rule_id: str) -> kdb.EdgePairs:
    """Contacts on a butted COMP half need its implant to overlap them on every side."""
    return butted.enclosing_check(L.contact.interacting(butted), L.d(rule_id))


def _metal1_line_ends(L: Layers) -> kdb.EdgePairs:
    return ops.cut_end_enclosure(L.contact, L.metal1, L.um(EOL_WIDTH), L.um(CO_EOL_BRANCH),
                             L.d("CO.6a"))


def _comp_contact_to_gate(L: Layers) -> kdb.EdgePairs:
    return ops.separation(_outside_marker(L, L.contact & L.comp, "otp_mk"),
                          _outside_marker(L, L.tgate, "otp_mk"), L.d("CO.7"))


def _butting_edge(L: Layers) -> kdb.Region:
    """Contacts touching an edge shared by NCOMP and PCOMP."""
    return L.contact.interacting(L.ncomp.edges() & L.pcomp.edges())


def build(deck: Deck, variant: MetalStack) -> None:
    deck.add("CO.1", "contact", lambda L: ops.exact_size(L.contact, L.d("CO.1")))
    deck.add("CO.2a", "contact", lambda L: ops.space(L.contact, L.d("CO.2a")))
    deck.add("CO.2b", "contact", lambda L: ops.array_space(
        L.contact, L.d("CO.1"), L.d("CO.2b"), L.um(CO_ARRAY_JOIN), ARRAY_SIDE))
    deck.add("CO.3", "contact", lambda L: ops.enclosure(L.co_main, L.poly2, L.d("CO.3")))
    deck.add("CO.4", "contact", lambda L: ops.enclosure(L.co_main, L.comp, L.d("CO.4")))
    deck.add("CO.5a", "contact", lambda L: _butted_overlap(L, L.co_butted_ncomp, "CO.5a"))
    deck.add("CO.5b", "contact", lambda L: _butted_overlap(L, L.co_butted_pcomp, "CO.5b"))
    deck.add("CO.6", "contact", lambda L: ops.covered(L.contact, L.metal1, L.d("CO.6")))
    deck.add("CO.6a", "contact", _metal1_line_ends)
    deck.add("CO.6b", "contact", lambda L: ops.one_side_enclosure(
        L.co_main, L.metal1, L.um(ONE_SIDE_OVERLAP), L.d("CO.6b")))
    deck.add("CO.7", "contact", _comp_contact_to_gate)
    deck.add("CO.8", "contact", lambda L: ops.separation(
        L.contact & L.poly2, L.comp, L.d("CO.8")))
    deck.add("CO.9", "contact", _butting_edge)
    deck.add("CO.10", "contact", lambda L: L.contact & L.tgate)
    deck.add("CO.11", "contact", lambda L: L.contact - L.poly2 - L.comp)
