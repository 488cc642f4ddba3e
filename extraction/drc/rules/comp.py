"""COMP (DF.*) rules.

Two-column rules pick each voltage domain's shapes before measuring, as the current foundry deck
does: 3.3 V COMP (or DNWELL, Nwell) polygons touch neither Dualgate nor V5_XTOR, 5 V/6 V ones
touch Dualgate. Enclosures clip the inner shape to the outer one, so a part sticking out leaves
an inner edge on the outer edge: a zero enclosure, reported like any short one.

Marker layers that exempt areas (MOS_CAP_MK, OTP_MK, SRAMCORE, ...) are read when the adapter's
layer map lists them; until then no area is exempt.
"""

from __future__ import annotations

from collections.abc import Callable

import klayout.db as kdb

from extraction.drc import ops
from extraction.drc.check import Deck
from extraction.drc.layers import Layers, derived
from extraction.drc.rules.wells import DOMAINS, two_column
from pdk.gf180mcu.rules.comp import TAP_GROWTH_STEP
from pdk.gf180mcu.stack import MetalStack

DIAMOND, OCTAGON = 0, 1  # Region.sized corner modes


def _per_domain(make: Callable[[Layers, str], kdb.Region]) -> Callable[[Layers, str], kdb.Region]:
    """Register `make(L, domain)` as the derived layers `<name>_lv` and `<name>_mv`."""
    for domain in DOMAINS:
        def layer(L: Layers, domain: str = domain) -> kdb.Region:
            return make(L, domain)
        layer.__name__ = f"{make.__name__}_{domain}"
        derived(layer)
    return make


def _at(L: Layers, name: str, domain: str) -> kdb.Region:
    return getattr(L, f"{name}_{domain}")


@_per_domain
def df_comp(L: Layers, domain: str) -> kdb.Region:
    return ops.in_domain(L.comp, L, domain)


@_per_domain
def df_dnwell(L: Layers, domain: str) -> kdb.Region:
    return ops.in_domain(L.dnwell, L, domain)


@_per_domain
def df_lvpwell(L: Layers, domain: str) -> kdb.Region:
    """LVPWELL inside the domain's DNWELL."""
    return L.lvpwell & _at(L, "df_dnwell", domain)


@derived
def df_nactive(L: Layers) -> kdb.Region:
    """NCOMP outside the n-wells: NMOS active and substrate-side N diffusion."""
    return L.ncomp - L.all_nwell


@derived
def df_pactive(L: Layers) -> kdb.Region:
    """PCOMP inside the n-wells: PMOS active and well-side P diffusion."""
    return L.pcomp & L.all_nwell


@derived
def df_ntap_dn(L: Layers) -> kdb.Region:
    """N-well taps in the n-type part of a DNWELL."""
    return L.ntap & (L.dnwell - L.lvpwell)


@derived
def df_ncomp_out(L: Layers) -> kdb.Region:
    """NCOMP outside Nwell and DNWELL."""
    return L.ncomp - L.nwell - L.dnwell


@derived
def df_pcomp_out(L: Layers) -> kdb.Region:
    """PCOMP outside Nwell and DNWELL: substrate taps."""
    return L.pcomp - L.nwell - L.dnwell


def _without(region: kdb.Region, L: Layers, *markers: str) -> kdb.Region:
    """`region` minus the exempting marker layers that the layout draws."""
    for marker in ops.drawn_markers(L, *markers):
        region = region - marker
    return region


def _within(region: kdb.Region, L: Layers, marker: str) -> kdb.Region:
    """The part of `region` under a marker layer (none when the layout has no such marker)."""
    found = ops.drawn_markers(L, marker)
    return region & found[0] if found else kdb.Region()


def _enclosing(outer: kdb.Region, inner: kdb.Region, d: int) -> kdb.EdgePairs:
    return outer.enclosing_check(inner, d, metrics=ops.EUCLIDIAN)


def _enclosed(inner: kdb.Region, outer: kdb.Region, d: int) -> kdb.EdgePairs:
    """The part of `inner` over `outer` must be enclosed by d (see the module docstring)."""
    return _enclosing(outer, inner & outer, d)


# ---------------------------------------------------------------- width, space, area
def _width(L: Layers, dom: str) -> kdb.EdgePairs:
    comp = _at(L, "df_comp", dom)
    if dom == "mv":  # LDMOS drift regions (MVSD, MVPSD) have their own width rules
        comp = _without(comp, L, "mvsd", "mvpsd")
    return ops.width(comp, L.d("DF.1a", dom))


def _channel_width(L: Layers, dom: str) -> kdb.Edges:
    """DF.2a: the source/drain edges along a gate are as long as the channel is wide."""
    gate_sides = (_at(L, "df_comp", dom) - L.poly2).edges() & L.tgate.edges()
    return gate_sides.with_length(None, L.d("DF.2a", dom), False)


def _max_width(L: Layers) -> kdb.Region:
    """DF.2b: COMP areas wider than the limit in every direction survive an opening by half
    of it (a strip exactly at the limit vanishes)."""
    limit = L.d("DF.2b")
    comp = _without(L.comp, L, "mos_cap_mk").with_bbox_min(limit + 1, None, False)
    return comp.sized(-(limit // 2)).sized(limit // 2)


def _space(L: Layers, dom: str) -> kdb.EdgePairs:
    return ops.space(_without(_at(L, "df_comp", dom), L, "otp_mk"), L.d("DF.3a", dom))


def _butted_in_well(L: Layers) -> kdb.Region:
    """DF.3b: NCOMP and PCOMP of one well overlapping (butting must be exact), and any
    butting inside MOS_CAP_MK."""
    same_well = L.ntap.not_outside(L.df_pactive) + L.ptap.not_outside(L.df_nactive)
    moscap = _within(L.ncomp.interacting(L.pcomp), L, "mos_cap_mk")
    return L.comp & (same_well + moscap)


def _unimplanted(L: Layers) -> kdb.Region:
    """DF.12: COMP area under neither implant, except COMP touching a Schottky diode marker."""
    comp = L.comp
    for schottky in ops.drawn_markers(L, "schottky_diode"):
        comp = comp.not_interacting(schottky)
    return comp - L.nplus - L.pplus


def _bjt_space(L: Layers, dom: str) -> kdb.EdgePairs | kdb.Region:
    """DF.3c: 3.3 V COMP space in DRC_BJT areas; 5 V/6 V BJTs are not assessed, so a DRC_BJT
    area holding two 5 V/6 V COMP is reported."""
    comp, bjt = _at(L, "df_comp", dom), ops.drawn_markers(L, "drc_bjt")
    if not bjt:
        return kdb.EdgePairs()
    if dom == "lv":
        return ops.space(comp & bjt[0], L.d("DF.3c"))
    return comp & bjt[0].interacting(comp, 2)


# ---------------------------------------------------------------- COMP and the wells
def _tap_to_lvpwell(L: Layers, dom: str) -> kdb.EdgePairs:
    return ops.separation(L.df_ntap_dn & _at(L, "df_dnwell", dom), _at(L, "df_lvpwell", dom),
                          L.d("DF.4a", dom))


def _dnwell_over_tap(L: Layers, dom: str) -> kdb.EdgePairs:
    dnwell = _at(L, "df_dnwell", dom)
    return _enclosed(L.df_ntap_dn, dnwell, L.d("DF.4b", dom))


def _nwell_over_pcomp(L: Layers, dom: str) -> kdb.EdgePairs:
    wells = ops.in_domain(_without(L.nw_outside_dnwell, L, "sramcore"), L, dom)
    return _enclosed(L.pcomp, wells, L.d("DF.4c", dom))


def _nwell_over_ncomp(L: Layers, dom: str) -> kdb.EdgePairs:
    wells = _without(L.nw_outside_dnwell, L, "ymtp_mk", "neo_ee_mk")
    return _enclosed(L.ncomp & _at(L, "df_comp", dom), wells, L.d("DF.4d", dom))


def _dnwell_over_pcomp(L: Layers, dom: str) -> kdb.EdgePairs:
    return _enclosed(L.pcomp, _at(L, "df_dnwell", dom), L.d("DF.4e", dom))


def _lvpwell_over_tap(L: Layers, dom: str) -> kdb.EdgePairs:
    return _enclosed(L.ptap, _at(L, "df_lvpwell", dom), L.d("DF.5", dom))


def _pcomp_to_lvpwell(L: Layers, dom: str) -> kdb.EdgePairs:
    pcomp = L.pcomp & _at(L, "df_dnwell", dom)
    if dom == "mv":
        pcomp = _without(pcomp, L, "sramcore")
    return ops.separation(pcomp, _at(L, "df_lvpwell", dom), L.d("DF.7", dom))


def _lvpwell_over_ncomp(L: Layers, dom: str) -> kdb.EdgePairs:
    wells = _at(L, "df_lvpwell", dom)
    ncomp = _without(L.ncomp, L, "sramcore") if dom == "mv" else L.ncomp
    return _enclosed(ncomp, wells, L.d("DF.8", dom))


def _overhang(L: Layers, dom: str) -> kdb.EdgePairs:
    """DF.6: COMP beyond the poly crossing it, outside OTP, YMTP, SRAM and LDMOS areas."""
    special = ("otp_mk", "ymtp_mk", "sramcore", "mvsd", "mvpsd")
    comp = _without(_at(L, "df_comp", dom).interacting(L.tgate), L, *special)
    return _enclosing(comp, _without(L.poly2, L, *special), L.d("DF.6", dom))


def _tap_reach(L: Layers, dom: str) -> kdb.Region:
    """DF.13: PCOMP in a well farther than the limit from every tap of it, measured through
    the well: taps grow in steps, each step kept to the well area it connects to (so it
    neither jumps to another well nor across a notch)."""
    pmos = ops.in_domain(L.df_pactive, L, dom)
    if pmos.is_empty():
        return pmos
    wells = L.all_nwell.interacting(pmos)
    step = L.um(TAP_GROWTH_STEP)
    reach = L.ntap & wells
    for _ in range(round(L.d("DF.13", dom) / step)):
        reach = (reach.sized(step, OCTAGON) & wells).interacting(reach)
    return pmos.not_interacting(reach)


def _substrate_tap_reach(L: Layers, dom: str) -> kdb.Region:
    """DF.14: NCOMP outside the wells with no substrate tap within the limit (taps within it
    along both axes are found by a diamond sizing, the rest by measuring)."""
    limit = L.d("DF.14", dom)
    active = ops.in_domain(L.df_nactive, L, dom)
    candidates = active.not_interacting(L.ptap.sized(limit, DIAMOND))
    near = ops.separation(candidates, L.ptap, limit + 1).first_edges()
    return candidates.not_interacting(near)


def _nwell_to_ncomp(L: Layers, dom: str) -> kdb.EdgePairs:
    ncomp = _without(L.df_ncomp_out & _at(L, "df_comp", dom), L, "ymtp_mk", "sramcore")
    wells = _without(ops.in_domain(L.nw_outside_dnwell, L, dom), L, "ymtp_mk")
    return ops.separation(ncomp, wells, L.d("DF.16", dom))


def _nwell_to_pcomp(L: Layers, dom: str) -> kdb.EdgePairs:
    return ops.separation(L.df_pcomp_out & _at(L, "df_comp", dom),
                          ops.in_domain(L.nw_outside_dnwell, L, dom), L.d("DF.17", dom))


def _dnwell_to_ncomp(L: Layers, dom: str) -> kdb.EdgePairs:
    return ops.separation(L.df_ncomp_out & _at(L, "df_comp", dom), L.dnwell,
                          L.d("DF.19", dom))


def build(deck: Deck, variant: MetalStack) -> None:
    two_column(deck, "DF.1a", "comp", _width)
    deck.add("DF.1c", "comp", lambda L: ops.width(_within(L.comp, L, "mos_cap_mk"),
                                                  L.d("DF.1c")))
    two_column(deck, "DF.2a", "poly2", _channel_width)
    deck.add("DF.2b", "comp", _max_width)
    two_column(deck, "DF.3a", "comp", _space)
    deck.add("DF.3b", "nplus", _butted_in_well)
    two_column(deck, "DF.3c", "comp", _bjt_space)
    two_column(deck, "DF.4a", "lvpwell", _tap_to_lvpwell)
    two_column(deck, "DF.4b", "dnwell", _dnwell_over_tap)
    two_column(deck, "DF.4c", "nwell", _nwell_over_pcomp)
    two_column(deck, "DF.4d", "nwell", _nwell_over_ncomp)
    two_column(deck, "DF.4e", "dnwell", _dnwell_over_pcomp)
    two_column(deck, "DF.5", "lvpwell", _lvpwell_over_tap)
    two_column(deck, "DF.6", "poly2", _overhang)
    two_column(deck, "DF.7", "lvpwell", _pcomp_to_lvpwell)
    two_column(deck, "DF.8", "lvpwell", _lvpwell_over_ncomp)
    deck.add("DF.9", "comp", lambda L: ops.area_below(_without(L.comp, L, "otp_mk"),
                                                      L.area("DF.9")))
    deck.add("DF.10", "comp", lambda L: ops.area_below(L.comp.holes() - L.comp,
                                                       L.area("DF.10")))
    deck.add("DF.11", "nplus", lambda L: ops.width(
        L.comp.interacting(L.ncomp.interacting(L.pcomp)), L.d("DF.11")))
    deck.add("DF.12", "comp", _unimplanted)
    two_column(deck, "DF.13", ("nwell", "dnwell"), _tap_reach)
    two_column(deck, "DF.14", "nplus", _substrate_tap_reach)
    two_column(deck, "DF.16", "nwell", _nwell_to_ncomp)
    two_column(deck, "DF.17", "nwell", _nwell_to_pcomp)
    deck.add("DF.18", "dnwell", lambda L: ops.separation(L.df_pcomp_out, L.dnwell,
                                                         L.d("DF.18")))
    two_column(deck, "DF.19", "dnwell", _dnwell_to_ncomp)
