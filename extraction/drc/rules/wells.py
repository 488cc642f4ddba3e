"""DNWELL (DN.*), LVPWELL (LPW.*) and Nwell (NW.*) rules.

Connectivity: like the foundry deck's default run, this deck builds no nets. The equi-potential
spaces (DN.2a, LPW.2b, NW.2a: "merge if less") are therefore not checked, and the
different-potential spaces (DN.2b, LPW.2a, NW.2b) are checked between any two different well
polygons whatever their nets (the foundry's isolated-space fallback; notches are not measured),
plus wells touching at a corner.
"""

from __future__ import annotations

from collections.abc import Callable

import klayout.db as kdb

from extraction.drc import ops
from extraction.drc.check import Deck, Markers
from extraction.drc.layers import Layers, derived
from pdk.gf180mcu.stack import MetalStack

DOMAINS = {"lv": "3.3 V", "mv": "5 V/6 V"}
TOUCH = 1  # dbu: a space below this is a touch


def two_column(deck: Deck, name: str, layers: tuple[str, ...] | str,
               find: Callable[[Layers, str], Markers]) -> None:
    """A rule with a 3.3 V and a 5 V/6 V value: `find(L, domain)` per domain. The 5 V/6 V check
    reads only Dualgate's presence, so layouts without Dualgate skip it."""
    for domain, text in DOMAINS.items():
        deck.add(name, layers if domain == "lv" else "dualgate",
                 lambda L, d=domain: find(L, d), message=text)


@derived
def lpw_in_dnwell(L: Layers) -> kdb.Region:
    """LVPWELL polygons touching DNWELL: the isolated p-wells the LPW rules are about."""
    return L.lvpwell.interacting(L.dnwell)


@derived
def nw_outside_dnwell(L: Layers) -> kdb.Region:
    """Nwell polygons away from any DNWELL (the plain n-wells on the substrate)."""
    return L.nwell.not_interacting(L.dnwell)


def _other_potential(wells: kdb.Region, d: int) -> kdb.EdgePairs:
    """Different-potential space without nets: any two well polygons closer than d, and wells
    touching at a corner (merged into one polygon, the isolated check would not see them)."""
    return ops.isolated(wells, d) + ops.space(wells, TOUCH)


def _guard_ring(L: Layers) -> kdb.Region:
    """DN.3: DNWELL not alone inside the opening of a PCOMP ring, or sharing the opening with
    n-type material (Nwell, NCOMP, NAT) of another potential."""
    openings = L.pcomp.holes() - L.pcomp
    rings = openings.interacting(L.dnwell, 1, 1).extents()
    foreign = (L.nat + L.ncomp + L.nwell).not_interacting(L.dnwell)
    return L.dnwell.not_inside(rings) | L.dnwell.inside(openings.covering(foreign))


def _lvpwell_resistor(L: Layers) -> kdb.Region:
    """LPW.5: LVPWELL under RES_MK with PCOMP contacts (no poly, Dualgate, SAB or resistor
    marking over it) that is not inside DNWELL."""
    other = L.poly2 + L.dualgate + L.sab
    for marker in ops.drawn_markers(L, "resistor"):
        other = other + marker
    return ((L.lvpwell.interacting(L.pcomp) & L.res_mk) - other) - L.dnwell


def _nwell_resistor(L: Layers, domain: str) -> kdb.EdgePairs:
    """NW.1b: the Nwell under a RES_MK that crosses the well edge (the resistor body)."""
    body = L.res_mk.interacting(L.nwell).not_inside(L.nwell)
    wells = ops.in_domain(L.nwell, L, domain).outside(L.dnwell)
    return ops.width(wells & body, L.d("NW.1b", domain))


def _dnwell(deck: Deck) -> None:
    deck.add("DN.1", "dnwell", lambda L: ops.width(L.dnwell, L.d("DN.1")))
    deck.add("DN.2b", "dnwell", lambda L: _other_potential(L.dnwell, L.d("DN.2b")))
    deck.add("DN.3", "dnwell", _guard_ring)


def _lvpwell(deck: Deck) -> None:
    two_column(deck, "LPW.1", "lvpwell", lambda L, dom: ops.width(
        ops.in_domain(L.lpw_in_dnwell, L, dom), L.d("LPW.1", dom)))
    two_column(deck, "LPW.2a", "lvpwell", lambda L, dom: ops.in_domain(
        _other_potential(L.lpw_in_dnwell, L.d("LPW.2a", dom)), L, dom))
    deck.add("LPW.3", "lvpwell", lambda L: ops.covered(L.lpw_in_dnwell, L.dnwell, L.d("LPW.3")))
    deck.add("LPW.5", "res_mk", _lvpwell_resistor)
    deck.add("LPW.11", "lvpwell", lambda L: ops.separation(
        L.lvpwell.outside(L.dnwell), L.dnwell, L.d("LPW.11")))
    deck.add("LPW.12", "lvpwell", lambda L: L.lvpwell.outside(L.dnwell) & L.nwell)


def _nwell(deck: Deck) -> None:
    two_column(deck, "NW.1a", "nwell", lambda L, dom: ops.width(
        ops.in_domain(L.nwell, L, dom), L.d("NW.1a", dom)))
    two_column(deck, "NW.1b", "res_mk", _nwell_resistor)
    two_column(deck, "NW.2b", "nwell", lambda L, dom: ops.in_domain(
        _other_potential(L.nwell, L.d("NW.2b", dom)), L, dom))
    deck.add("NW.3", "dnwell", lambda L: ops.separation(L.nwell, L.dnwell, L.d("NW.3")))
    deck.add("NW.4", "lvpwell", lambda L: L.nwell & L.lvpwell)
    two_column(deck, "NW.5", "dnwell", lambda L, dom: ops.enclosure(
        ops.in_domain(L.nwell, L, dom), L.dnwell, L.d("NW.5", dom)))
    deck.add("NW.6", "res_mk", lambda L: L.nwell.inside(L.res_mk) & L.dnwell)


def build(deck: Deck, variant: MetalStack) -> None:
    _dnwell(deck)
    _lvpwell(deck)
    _nwell(deck)
