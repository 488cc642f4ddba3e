"""SAB (SB.*) rules.

SAB inside OTP_MK (OTP cells) is exempt from most rules, as in the foundry deck.
"""

from __future__ import annotations

import klayout.db as kdb

from extraction.drc import ops
from extraction.drc.check import Deck, Markers
from extraction.drc.layers import Layers, derived
from pdk.gf180mcu.stack import MetalStack

MARKER = 1  # dbu: thickness of edge-pair markers turned into polygons


@derived
def sab_out_otp(L: Layers) -> kdb.Region:
    """SAB polygons outside OTP cells."""
    return L.sab.outside(ops.optional_layer(L, "otp_mk"))


@derived
def sab_poly(L: Layers) -> kdb.Region:
    """Unsalicided Poly2."""
    return L.sab & L.poly2


def _contact_space(L: Layers) -> Markers:
    sab = L.sab_out_otp
    near = ops.separation(sab, L.contact, L.d("SB.4")).polygons(MARKER)
    return near + (sab & L.contact)


def _np_poly_space(L: Layers) -> Markers:
    """SB.14a, square metric; the butting line of N and P poly in one SAB is no space."""
    n_poly, p_poly = L.sab_poly & L.nplus, L.sab_poly & L.pplus
    butted = p_poly.edges().inside(n_poly.edges())
    close = ops.separation(n_poly, p_poly, L.d("SB.14a"), ops.SQUARE).polygons(MARKER)
    return close.not_interacting(butted)


def _implant_along_poly(L: Layers) -> Markers:
    """SB.15b: implants on a poly line that holds unsalicided poly, too near that poly."""
    implants = (L.nplus + L.pplus).interacting(L.poly2.interacting(L.sab_out_otp))
    poly = L.poly2.overlapping(implants) & L.sab_out_otp
    return ops.separation(poly, implants, L.d("SB.15b"))


def _sab_on_core_transistors(L: Layers) -> Markers:
    allowed = ops.optional_layer(L, "lvs_io") + ops.optional_layer(L, "esd_mk")
    return L.sab_out_otp.outside(allowed).interacting(L.tgate)


def build(deck: Deck, variant: MetalStack) -> None:
    deck.add("SB.1", "sab", lambda L: ops.width(L.sab, L.d("SB.1")))
    deck.add("SB.2", "sab", lambda L: ops.space(L.sab_out_otp, L.d("SB.2")))
    deck.add("SB.3", "sab", lambda L: ops.separation(
        L.sab_out_otp, L.comp.not_overlapping(L.sab_out_otp), L.d("SB.3")))
    deck.add("SB.4", "sab", _contact_space)
    deck.add("SB.5a", "sab", lambda L: ops.separation(
        L.sab_out_otp, (L.poly2 - L.comp).not_overlapping(L.sab), L.d("SB.5a")))
    deck.add("SB.5b", "sab", lambda L: ops.separation(
        L.sab_out_otp, L.poly2 & L.comp, L.d("SB.5b")))
    deck.add("SB.6", "sab", lambda L: L.comp.interacting(L.sab).enclosed_check(
        L.sab, L.d("SB.6")))
    deck.add("SB.7", "sab", lambda L: L.sab.enclosed_check(
        L.comp.interacting(L.sab), L.d("SB.7")))
    deck.add("SB.8", "sab", lambda L: L.contact & L.sab)
    deck.add("SB.9", "sab", lambda L: L.poly2.interacting(L.sab).enclosed_check(
        L.sab_out_otp, L.d("SB.9")))
    deck.add("SB.10", "sab", lambda L: L.sab.enclosed_check(
        L.poly2.interacting(L.sab), L.d("SB.10")))
    deck.add("SB.11", "sab", lambda L: L.sab_out_otp.overlap_check(
        L.comp.interacting(L.sab), L.d("SB.11")))
    deck.add("SB.12", "sab", lambda L: L.sab_out_otp.outside(
        ops.optional_layer(L, "esd_mk")).overlap_check(L.poly2.interacting(L.sab), L.d("SB.12")))
    deck.add("SB.13", "sab", lambda L: ops.area_below(L.sab_out_otp, L.area("SB.13")))
    deck.add("SB.14a", "sab", _np_poly_space)
    deck.add("SB.14b", "sab", lambda L: ops.separation(
        L.sab_poly & L.nplus, L.pgate, L.d("SB.14b"), ops.SQUARE))
    deck.add("SB.15a", "sab", lambda L: ops.separation(
        L.sab_poly, (L.nplus + L.pplus).not_overlapping(L.sab_poly), L.d("SB.15a")))
    deck.add("SB.15b", "sab", _implant_along_poly)
    deck.add("SB.16", "sab", _sab_on_core_transistors)
