"""Derived layers shared by several rule families (the foundry deck's definitions).

Family-specific derived layers live next to their rules, registered with the same decorator.
"""

from __future__ import annotations

import klayout.db as kdb

from extraction.drc.layers import Layers, derived


@derived
def ncomp(L: Layers) -> kdb.Region:
    return L.comp & L.nplus


@derived
def pcomp(L: Layers) -> kdb.Region:
    return L.comp & L.pplus


@derived
def tgate(L: Layers) -> kdb.Region:
    """Every Poly2-over-COMP area (gates of any implant), except resistor bodies."""
    return (L.poly2 & L.comp) - L.res_mk


@derived
def all_nwell(L: Layers) -> kdb.Region:
    """Nwell plus the n-type part of DNWELL (DNWELL outside LVPWELL)."""
    return (L.nwell + (L.dnwell - L.lvpwell)).merged()


@derived
def ngate(L: Layers) -> kdb.Region:
    return (L.ncomp - L.all_nwell) & L.tgate


@derived
def pgate(L: Layers) -> kdb.Region:
    return (L.pcomp & L.all_nwell) & L.tgate


@derived
def ntap(L: Layers) -> kdb.Region:
    """NCOMP in an n-well: well taps."""
    return (L.ncomp & L.all_nwell) - L.res_mk


@derived
def ptap(L: Layers) -> kdb.Region:
    """PCOMP outside the n-wells: substrate (or LVPWELL) taps."""
    return (L.pcomp - L.all_nwell) - L.res_mk


@derived
def nom_gate(L: Layers) -> kdb.Region:
    """3.3 V gates: outside Dualgate."""
    return L.tgate - L.dualgate


@derived
def thick_gate(L: Layers) -> kdb.Region:
    """5 V/6 V gates: inside Dualgate."""
    return L.tgate & L.dualgate


@derived
def chip(L: Layers) -> kdb.Region:
    """The layout extent, for density and field checks."""
    return kdb.Region(L.cell.bbox())
