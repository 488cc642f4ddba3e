"""Nplus (NP.*) and Pplus (PP.*) rules.

Most rules mirror each other between the implants (`Side` swaps N and P). The well-dependent
spaces (.3a-.3c), extensions (.5b-.5d) and butting bans (.11) differ and are tables per rule.
"0.43 um from the well edge" bands are wells sized by 0.43 um less one database unit, so that a
COMP exactly 0.43 um from the edge counts as ">= 0.43 um".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import klayout.db as kdb

from extraction.drc import ops
from extraction.drc.check import Deck, Markers
from extraction.drc.layers import Layers, derived
from pdk.gf180mcu.rules.implant import GATE_NEIGHBOURHOOD, WELL_EDGE_BAND
from pdk.gf180mcu.stack import MetalStack

MARKER = 1  # dbu: thickness of edge-pair markers turned into polygons for selections


@dataclass(frozen=True)
class Side:
    """One implant and the opposite type's layers (names of drawn or derived layers)."""

    prefix: str
    implant: str
    comp: str
    gate: str
    other_comp: str
    other_gate: str


NPLUS = Side("NP", "nplus", "ncomp", "ngate", "pcomp", "pgate")
PPLUS = Side("PP", "pplus", "pcomp", "pgate", "ncomp", "ngate")


# ---------------------------------------------------------------- wells and bands
def _band(L: Layers) -> int:
    return L.um(WELL_EDGE_BAND) - 1


@derived
def implant_lvpwell_dn(L: Layers) -> kdb.Region:
    """LVPWELL polygons in DNWELL."""
    return L.lvpwell.interacting(L.dnwell)


@derived
def implant_nwell_n_dn(L: Layers) -> kdb.Region:
    """Nwell polygons outside DNWELL."""
    return L.nwell.not_interacting(L.dnwell)


@derived
def implant_lvpwell_core(L: Layers) -> kdb.Region:
    """LVPWELL in DNWELL at least 0.43 um inside its edge."""
    return L.implant_lvpwell_dn.sized(-_band(L))


@derived
def implant_lvpwell_rim(L: Layers) -> kdb.Region:
    """LVPWELL in DNWELL less than 0.43 um inside its edge."""
    return L.implant_lvpwell_dn - L.implant_lvpwell_core


@derived
def implant_lvpwell_grown(L: Layers) -> kdb.Region:
    """LVPWELL in DNWELL and less than 0.43 um around it."""
    return L.implant_lvpwell_dn.sized(_band(L))


@derived
def implant_nwell_core(L: Layers) -> kdb.Region:
    """Nwell outside DNWELL at least 0.43 um inside its edge."""
    return L.implant_nwell_n_dn.sized(-_band(L))


@derived
def implant_nwell_rim(L: Layers) -> kdb.Region:
    """Nwell outside DNWELL less than 0.43 um inside its edge."""
    return L.implant_nwell_n_dn - L.implant_nwell_core


@derived
def implant_nwell_grown(L: Layers) -> kdb.Region:
    """Nwell outside DNWELL and less than 0.43 um around it."""
    return L.implant_nwell_n_dn.sized(_band(L))


@derived
def implant_nplus_unbutted(L: Layers) -> kdb.Region:
    """Nplus polygons holding no NCOMP butted to PCOMP."""
    return L.nplus.not_interacting(L.ncomp.interacting(L.pcomp))


@derived
def implant_pplus_unbutted(L: Layers) -> kdb.Region:
    """Pplus polygons holding no PCOMP butted to NCOMP."""
    return L.pplus.not_interacting(L.pcomp.interacting(L.ncomp))


def _butting_edges(L: Layers, side: Side) -> kdb.Edges:
    """Implant edges on the opposite COMP's edges: the N/P butting lines."""
    return getattr(L, side.implant).edges() & getattr(L, side.other_comp).edges()


# ---------------------------------------------------------------- rules of both implants
def _gate_extension_space(L: Layers, side: Side) -> Markers:
    """.4b: implant polygons too close to the poly sides near an opposite gate.

    The probes are the poly edges through the gate's channel sides, trimmed to their middle
    99 % (so that their end points touch no neighbouring edge) and cut to 0.32 um around the gate.
    """
    gate = getattr(L, side.other_gate)
    channel_sides = gate.edges() - getattr(L, side.other_comp).edges()
    probes = (L.poly2.edges().interacting(channel_sides).centers(0, 0.99)
              & gate.sized(L.um(GATE_NEIGHBOURHOOD)))
    implant = getattr(L, side.implant)
    close = implant.edges().separation_check(probes, L.d(f"{side.prefix}.4b"),
                                             metrics=ops.PROJECTION)
    return implant.interacting(close.polygons(MARKER))


def _butted_overlap(L: Layers, side: Side) -> Markers:
    """.6: the implant's part of a butted COMP, measured from the butting line.

    Zero distances are left out: the opposite COMP's edges on the COMP outline are not a short
    overlap.
    """
    implant = getattr(L, side.implant)
    return L.comp.interacting(implant).enclosing_check(
        getattr(L, side.other_comp).interacting(implant), L.d(f"{side.prefix}.6"),
        metrics=ops.PROJECTION, zero_distance_mode=kdb.ZeroDistanceMode.NeverIncludeZeroDistance)


def _gate_extension_overlap(L: Layers, side: Side) -> Markers:
    """.12: implant touching the opposite gate's poly less than 0.32 um from the gate."""
    near = getattr(L, side.other_gate).sized_inside(L.poly2, L.um(GATE_NEIGHBOURHOOD) - 1, 3)
    return getattr(L, side.implant).interacting(near)


def _unsalicided_poly(L: Layers, side: Side) -> kdb.Region:
    """.9: Poly2 under SAB; Pplus leaves out poly resistors marked by Resistor (62/0)."""
    poly = L.poly2 if side is NPLUS else L.poly2.not_interacting(
        ops.optional_layer(L, "resistor"))
    return poly & L.sab


def _mirrored(deck: Deck, side: Side) -> None:
    p, name = side.prefix, side.implant

    def own(L: Layers) -> kdb.Region:
        return getattr(L, name)

    deck.add(f"{p}.1", name, lambda L: ops.width(own(L), L.d(f"{p}.1")))
    deck.add(f"{p}.2", name, lambda L: ops.space(own(L), L.d(f"{p}.2")))
    deck.add(f"{p}.3d", name, lambda L: getattr(L, side.comp) & getattr(L, side.other_comp))
    deck.add(f"{p}.3e", name, lambda L: own(L) & getattr(L, side.other_comp))
    deck.add(f"{p}.4a", name, lambda L: _butting_edges(L, side).separation_check(
        getattr(L, side.other_gate).edges(), L.d(f"{p}.4a"), metrics=ops.PROJECTION))
    deck.add(f"{p}.4b", name, lambda L: _gate_extension_space(L, side))
    deck.add(f"{p}.5a", name, lambda L: ops.enclosure(
        getattr(L, side.gate), own(L), L.d(f"{p}.5a")))
    deck.add(f"{p}.6", name, lambda L: _butted_overlap(L, side))
    deck.add(f"{p}.7", name, lambda L: ops.separation(own(L), L.poly2 & L.sab, L.d(f"{p}.7")))
    deck.add(f"{p}.8a", name, lambda L: ops.area_below(own(L), L.area(f"{p}.8a")))
    deck.add(f"{p}.8b", name, lambda L: ops.area_below(own(L).holes(), L.area(f"{p}.8b")))
    deck.add(f"{p}.9", name, lambda L: ops.enclosure(
        _unsalicided_poly(L, side), own(L), L.d(f"{p}.9")))
    deck.add(f"{p}.10", name, lambda L: own(L).enclosing_check(L.comp & L.sab, L.d(f"{p}.10")))
    deck.add(f"{p}.12", name, lambda L: _gate_extension_overlap(L, side))


# ---------------------------------------------------------------- well-dependent rules
RegionPair = Callable[[Layers], tuple[kdb.Region, kdb.Region]]

# .3a-.3c: (implant, COMP of the opposite type) that must be the rule's value apart.
SPACES: dict[str, RegionPair] = {
    "NP.3a": lambda L: (L.implant_nplus_unbutted,
                        (L.pcomp & L.nwell) + ((L.pcomp - L.lvpwell) & L.dnwell)),
    "NP.3bi": lambda L: (L.implant_nplus_unbutted & L.implant_lvpwell_dn,
                         L.pcomp & L.implant_lvpwell_rim),
    "NP.3bii": lambda L: (L.implant_nplus_unbutted & L.implant_lvpwell_dn,
                          L.pcomp & L.implant_lvpwell_core),
    "NP.3ci": lambda L: (L.implant_nplus_unbutted - L.dnwell,
                         (L.pcomp - L.dnwell) & L.implant_nwell_grown),
    "NP.3cii": lambda L: (L.implant_nplus_unbutted - L.dnwell,
                          (L.pcomp - L.dnwell) - L.implant_nwell_grown),
    "PP.3a": lambda L: (L.implant_pplus_unbutted,
                        (L.ncomp & L.lvpwell) + (L.ncomp - L.implant_nwell_n_dn)),
    "PP.3bi": lambda L: (L.implant_pplus_unbutted & L.dnwell, L.ncomp - L.implant_lvpwell_grown),
    "PP.3bii": lambda L: (L.implant_pplus_unbutted & L.dnwell,
                          L.ncomp & L.implant_lvpwell_grown),
    "PP.3ci": lambda L: (L.implant_pplus_unbutted & L.implant_nwell_n_dn,
                         L.ncomp & L.implant_nwell_core),
    "PP.3cii": lambda L: (L.implant_pplus_unbutted & L.implant_nwell_n_dn,
                          L.ncomp & L.implant_nwell_rim),
}


def _free_edges(L: Layers, side: Side) -> kdb.Edges:
    """Implant edges except the butting lines."""
    return getattr(L, side.implant).edges() - _butting_edges(L, side)


def _np_extension_edges(L: Layers) -> kdb.Edges:
    """NP.5b: Nplus edges in LVPWELL or in the substrate (outside Nwell and DNWELL)."""
    free = _free_edges(L, NPLUS)
    return (free & L.lvpwell) + ((free - L.nwell) - L.dnwell)


def _pp_extension_edges(L: Layers) -> kdb.Edges:
    """PP.5b: Pplus edges in Nwell or in DNWELL outside LVPWELL."""
    free = _free_edges(L, PPLUS)
    return (free & L.nwell) + ((free - L.lvpwell) & L.dnwell)


def _dnwell_tap_edges(L: Layers) -> kdb.Edges:
    """NCOMP edges of taps in DNWELL outside LVPWELL, butting lines excepted."""
    return L.ncomp.not_inside(L.lvpwell).inside(L.dnwell).edges() - L.pplus.edges()


def _nwell_tap_edges(L: Layers) -> kdb.Edges:
    """NCOMP edges in Nwell outside DNWELL, butting lines excepted."""
    return L.ncomp.not_outside(L.nwell).outside(L.dnwell).edges() - L.pplus.edges()


def _lvpwell_tap_edges(L: Layers) -> kdb.Edges:
    """PCOMP edges in LVPWELL in DNWELL, butting lines excepted."""
    return L.pcomp.not_outside(L.lvpwell).inside(L.dnwell).edges() - L.nplus.edges()


def _np_dnwell_outline(L: Layers) -> kdb.Edges:
    return L.nplus.not_inside(L.lvpwell).inside(L.dnwell).edges()


def _np_nwell_outline(L: Layers) -> kdb.Edges:
    return (L.nplus - L.dnwell).not_outside(L.nwell).edges()


def _pp_lvpwell_outline(L: Layers) -> kdb.Edges:
    return L.pplus.not_outside(L.lvpwell).inside(L.dnwell).edges()


def _pp_field_tap_edges(L: Layers) -> kdb.Edges:
    """PCOMP edges outside DNWELL, butting lines excepted."""
    return L.pcomp.outside(L.dnwell).edges() - L.nplus.edges()


EdgePair = Callable[[Layers], tuple[kdb.Edges, kdb.Edges]]

# .5b-.5d: (implant outline, COMP edges) that the outline must enclose by the rule's value.
EXTENSIONS: dict[str, tuple[EdgePair, kdb.Metrics]] = {
    "NP.5b": (lambda L: (_np_extension_edges(L), L.ncomp.edges()), ops.PROJECTION),
    "NP.5ci": (lambda L: (_np_dnwell_outline(L),
                          _dnwell_tap_edges(L) & L.implant_lvpwell_grown), ops.PROJECTION),
    "NP.5cii": (lambda L: (_np_dnwell_outline(L),
                           _dnwell_tap_edges(L) - L.implant_lvpwell_grown), ops.PROJECTION),
    "NP.5di": (lambda L: (_np_nwell_outline(L), _nwell_tap_edges(L) & L.implant_nwell_rim),
               ops.PROJECTION),
    "NP.5dii": (lambda L: (_np_nwell_outline(L) - L.pplus.edges(),
                           _nwell_tap_edges(L) & L.implant_nwell_core), ops.EUCLIDIAN),
    "PP.5b": (lambda L: (_pp_extension_edges(L), L.pcomp.edges()), ops.PROJECTION),
    "PP.5ci": (lambda L: (_pp_lvpwell_outline(L) - L.nplus.edges(),
                          _lvpwell_tap_edges(L).inside_part(L.implant_lvpwell_core)),
               ops.EUCLIDIAN),
    "PP.5cii": (lambda L: (_pp_lvpwell_outline(L), _lvpwell_tap_edges(L) & L.implant_lvpwell_rim),
                ops.PROJECTION),
    "PP.5di": (lambda L: (L.pplus.outside(L.dnwell).edges(),
                          _pp_field_tap_edges(L) - L.implant_nwell_grown), ops.PROJECTION),
    "PP.5dii": (lambda L: (L.pplus.outside(L.dnwell).edges(),
                           _pp_field_tap_edges(L) & L.implant_nwell_grown), ops.PROJECTION),
}

# .11: the well-edge bands in which N/P butting lines are forbidden.
BUTTING_BANDS: dict[str, Callable[[Layers], kdb.Region]] = {
    "NP.11": lambda L: ((L.implant_nwell_grown - L.implant_nwell_n_dn)
                        + L.implant_lvpwell_rim),
    "PP.11": lambda L: (L.implant_nwell_rim
                        + (L.implant_lvpwell_grown - L.implant_lvpwell_dn)),
}


def _side(rule_id: str) -> Side:
    return NPLUS if rule_id.startswith("NP") else PPLUS


def _space(rule_id: str, pair: RegionPair) -> Callable[[Layers], Markers]:
    return lambda L: ops.separation(*pair(L), L.d(rule_id))


def _extension(rule_id: str, pair: EdgePair, metrics: kdb.Metrics) -> Callable[[Layers], Markers]:
    def find(L: Layers) -> Markers:
        outline, comp = pair(L)
        return outline.enclosing_check(comp, L.d(rule_id), metrics=metrics)
    return find


def _butting(rule_id: str, band: Callable[[Layers], kdb.Region]) -> Callable[[Layers], Markers]:
    return lambda L: _butting_edges(L, _side(rule_id)) & band(L)


def build(deck: Deck, variant: MetalStack) -> None:
    for side in (NPLUS, PPLUS):
        _mirrored(deck, side)
    for rule_id, pair in SPACES.items():
        deck.add(rule_id, _side(rule_id).implant, _space(rule_id, pair))
    for rule_id, (pair, metrics) in EXTENSIONS.items():
        deck.add(rule_id, _side(rule_id).implant, _extension(rule_id, pair, metrics))
    for rule_id, band in BUTTING_BANDS.items():
        deck.add(rule_id, _side(rule_id).implant, _butting(rule_id, band))
