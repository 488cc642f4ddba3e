"""Metal1..Metal5 (Mn.*), top metal (MT.*, MT30.*) and metal density rules."""

from __future__ import annotations

from extraction.drc import ops
from extraction.drc.check import Deck
from extraction.drc.layers import Layers
from pdk.gf180mcu.layers import METALS_BY_LEVELS
from pdk.gf180mcu.rules import value
from pdk.gf180mcu.rules.beol import WIDE_METAL
from sgdr_flow.config import MetalStack

GRID_STEP = 0.005


def _density(layers: Layers, region_name: str, rule_id: str):
    """The whole layer when its coverage of the layout extent is below the limit."""
    region = layers.drawn(region_name)
    extent = layers.cell.bbox()
    chip = extent.width() * extent.height()
    coverage = 100.0 * region.area() / chip if chip else 0.0
    return region if coverage < value(rule_id) else region - region


def _routing_metal(deck: Deck, n: int, name: str) -> None:
    deck.add(f"M{n}.1", name, lambda L: ops.width(L.drawn(name), L.d(f"M{n}.1")))
    deck.add(f"M{n}.2a", name, lambda L: ops.space(L.drawn(name), L.d(f"M{n}.2a")))
    deck.add(f"M{n}.2b", name, lambda L: ops.separation(
        L.drawn(name), ops.wide(L.drawn(name), L.um(WIDE_METAL + GRID_STEP)), L.d(f"M{n}.2b")))
    deck.add(f"M{n}.3", name, lambda L: ops.area_below(L.drawn(name), L.area(f"M{n}.3")))


def _top_metal(deck: Deck, name: str, thickness: str) -> None:
    if thickness == "30K":
        deck.add("MT30.1a", name, lambda L: ops.width(L.drawn(name), L.d("MT30.1a")))
        deck.add("MT30.1b", name, lambda L: ops.width(
            L.drawn(name).interacting(L.drawn(name).edges().with_length(L.um(1000), None)),
            L.d("MT30.1b")))
        for rule_id in ("MT30.2", "MT30.3", "MT30.4"):
            deck.add(rule_id, name, lambda L, r=rule_id: ops.space(L.drawn(name), L.d(r)))
        return
    deck.add("MT.1", name, lambda L: ops.width(L.drawn(name), L.d("MT.1")))
    deck.add("MT.2a", name, lambda L: ops.space(L.drawn(name), L.d("MT.2a")))
    deck.add("MT.2b", name, lambda L: ops.separation(
        L.drawn(name), ops.wide(L.drawn(name), L.um(WIDE_METAL + GRID_STEP)), L.d("MT.2b")))
    deck.add("MT.4", name, lambda L: ops.area_below(L.drawn(name), L.area("MT.4")))


def build(deck: Deck, variant: MetalStack) -> None:
    metals = METALS_BY_LEVELS[variant.metal_levels]
    for n, name in enumerate(metals[:-1], 1):
        _routing_metal(deck, n, name)
    for n, name in enumerate(metals[:5], 1):
        deck.add(f"M{n}.4", name, lambda L, nm=name, r=f"M{n}.4": _density(L, nm, r))
    top = metals[-1]
    _top_metal(deck, top, variant.top_metal_thickness)
    density_rule = "MT30.7" if variant.top_metal_thickness == "30K" else "MT.3"
    deck.add(density_rule, top, lambda L: _density(L, top, density_rule))
