"""Poly2 (PL.*) rules.

Two-column rules give one check per voltage domain under the same ID: the markers of the 3.3 V
check off Dualgate/V5_XTOR, those of the 5 V/6 V check on Dualgate (ops.in_domain).
PL.1a (inside PLFUSE) is left out while the layer map has no PLFUSE; PL.3b and PL.10 are
guidelines; PL.8 is a density rule (run with the density switch).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import reduce

import klayout.db as kdb

from extraction.drc import ops
from extraction.drc.check import Deck, Markers
from extraction.drc.layers import Layers, derived
from extraction.drc.rules.metal import _density
from pdk.gf180mcu.rules import Domain
from pdk.gf180mcu.rules.poly import BEND_PROBE, DIAGONAL_GATE, THICK_GATE_LENGTH
from pdk.gf180mcu.stack import MetalStack

Find = Callable[[Layers, Domain], Markers]


def _excluded(L: Layers, *names: str) -> kdb.Region:
    """Union of marker layers whose area a rule leaves out."""
    region = L.empty()
    for name in names:
        region = region + ops.optional_layer(L, name)
    return region


@derived
def poly_pl(L: Layers) -> kdb.Region:
    """Poly2 for PL.4/PL.5: without OTP, YMTP and MVSD/MVPSD device areas."""
    return L.poly2 - _excluded(L, "otp_mk", "ymtp_mk", "mvsd", "mvpsd")


@derived
def poly_comp_pl(L: Layers) -> kdb.Region:
    """COMP for PL.4/PL.5, with the same areas left out."""
    return L.comp - _excluded(L, "otp_mk", "ymtp_mk", "mvsd", "mvpsd")


def _interconnect_width(L: Layers, domain: Domain) -> Markers:
    poly = L.poly2.outside(ops.optional_layer(L, "plfuse")) - ops.optional_layer(L, "ymtp_mk")
    return ops.width(poly, L.d("PL.1", domain))


def _gate_edges(gates: kdb.Region, L: Layers) -> kdb.Edges:
    """Gate edges inside COMP: the two sides whose distance is the channel length."""
    return gates.edges().inside_part(L.comp)


def _gate_length(L: Layers, domain: Domain) -> Markers:
    if domain == "lv":
        gates = L.tgate - _excluded(L, "otp_mk", "ymtp_mk")
        return _gate_edges(gates, L).width_check(L.d("PL.2"))
    return reduce(operator.add, (_thick_gate_length(L, channel, v5, length)
                                 for (channel, v5), length in THICK_GATE_LENGTH.items()))


def _thick_gate_length(L: Layers, channel: str, v5: bool, length: float) -> kdb.EdgePairs:
    """5 V (V5_XTOR) or 6 V gates of one channel type, by their own minimum length."""
    gates = (L.ngate if channel == "n" else L.pgate) & L.dualgate
    gates = gates & L.v5_xtor if v5 else gates - L.v5_xtor
    return _gate_edges(gates, L).width_check(L.um(length))


def _end_cap(L: Layers, domain: Domain) -> Markers:
    return L.poly_comp_pl.enclosed_check(L.poly_pl, L.d("PL.4", domain))


def _field_space(rule_id: str) -> Find:
    """PL.5a and PL.5b: the deck cannot tell related from unrelated COMP, both are one check."""
    def find(L: Layers, domain: Domain) -> Markers:
        poly = L.poly_pl if domain == "lv" else L.poly_pl.outside(
            ops.optional_layer(L, "sramcore"))
        return ops.separation(poly, L.poly_comp_pl, L.d(rule_id, domain))
    return find


def _diagonal_gate_width(L: Layers, domain: Domain) -> Markers:
    gates = L.nom_gate if domain == "lv" else L.thick_gate
    edges = _gate_edges(gates, L)
    low, high = DIAGONAL_GATE
    diagonal = edges.with_angle(low, high, False) + edges.with_angle(-high, -low, False)
    return diagonal.width_check(L.d("PL.7", domain))


def _bends_on_comp(L: Layers) -> Markers:
    """Poly2 corners of +-90 degrees with COMP all around them (BEND_PROBE far)."""
    corners = L.poly2.corners(90, 90, 1, True, True, False, True).sized(L.um(BEND_PROBE))
    ymtp = ops.optional_layer(L, "ymtp_mk")
    return (corners - ymtp).inside(L.comp - ymtp)


def _mixed_voltage_poly(L: Layers) -> Markers:
    outside = L.poly2 - L.v5_xtor - L.dualgate
    return L.poly2.interacting(outside).interacting(L.poly2 & L.dualgate)


def _two_column(deck: Deck, rule_id: str, find: Find) -> None:
    deck.add(rule_id, "poly2", lambda L: ops.in_domain(find(L, "lv"), L, "lv"), message="3.3 V")
    deck.add(rule_id, "dualgate", lambda L: ops.in_domain(find(L, "mv"), L, "mv"),
             message="5 V/6 V")


def build(deck: Deck, variant: MetalStack) -> None:
    _two_column(deck, "PL.1", _interconnect_width)
    _two_column(deck, "PL.2", _gate_length)
    deck.add("PL.3a", "poly2", lambda L: ops.space(
        (L.tgate + (L.poly2 - L.comp)) - ops.optional_layer(L, "otp_mk"), L.d("PL.3a")))
    _two_column(deck, "PL.4", _end_cap)
    for rule_id in ("PL.5a", "PL.5b"):
        _two_column(deck, rule_id, _field_space(rule_id))
    deck.add("PL.6", "poly2", _bends_on_comp)
    _two_column(deck, "PL.7", _diagonal_gate_width)
    deck.add("PL.8", "poly2", lambda L: _density(L, "poly2", "PL.8"))
    deck.add("PL.9", "dualgate", _mixed_voltage_poly)
    deck.add("PL.11", "v5_xtor", lambda L: L.v5_xtor.not_interacting(
        L.dualgate + ops.optional_layer(L, "otp_mk")))
    deck.add("PL.12", "v5_xtor", lambda L: L.comp.interacting(L.poly2).interacting(L.v5_xtor)
             - L.v5_xtor)
