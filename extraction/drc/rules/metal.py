"""Metal1..Metal5 (Mn.*), top metal (MT.*, MT30.*) and metal density rules."""

from __future__ import annotations

import klayout.db as kdb

from extraction.drc import ops
from extraction.drc.check import Deck
from extraction.drc.layers import Layers
from pdk.gf180mcu.layers import METALS_BY_LEVELS, VIAS_BY_LEVELS
from pdk.gf180mcu.rules import value
from pdk.gf180mcu.rules.beol import THICK_EOL_WIDTH, TOP_VIA_ARRAY_JOIN, WIDE_METAL
from pdk.gf180mcu.stack import MetalStack

GRID_STEP = 0.005
# top metal -> (the metal below it, the via between them), per stack
UNDER_TOP = {metals[-1]: (metals[-2], VIAS_BY_LEVELS[n][-1])
             for n, metals in METALS_BY_LEVELS.items()}


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
        _thick_top_vias(deck, name)
        return
    deck.add("MT.1", name, lambda L: ops.width(L.drawn(name), L.d("MT.1")))
    deck.add("MT.2a", name, lambda L: ops.space(L.drawn(name), L.d("MT.2a")))
    deck.add("MT.2b", name, lambda L: ops.separation(
        L.drawn(name), ops.wide(L.drawn(name), L.um(WIDE_METAL + GRID_STEP)), L.d("MT.2b")))
    deck.add("MT.4", name, lambda L: ops.area_below(L.drawn(name), L.area("MT.4")))


def _thick_top_vias(deck: Deck, top: str) -> None:
    """MT30.5/6/8: the vias from the metal below up to the thick top metal."""
    below, via = UNDER_TOP[top]
    size = f"V{via.removeprefix('via')}.1"
    deck.add("MT30.5", via, lambda L: ops.covered(L.drawn(via), L.drawn(top), L.d("MT30.5")))
    # ends of lines narrower than THICK_EOL_WIDTH, however short the line
    deck.add("MT30.6", via, lambda L: ops.end_enclosure(
        L.drawn(via), ops.line_ends(L.drawn(top), L.um(THICK_EOL_WIDTH) - 1, 0), L.d("MT30.6")))
    deck.add("MT30.8", via, lambda L: _via_arrays(L, top, below, via, 2 * L.d(size)))


def _via_arrays(L: Layers, top: str, below: str, via: str,
                side: int) -> tuple[kdb.Region, kdb.Region]:
    """Where top vias join the thick metal to the metal below, at least a 2x2 via array.

    Per overlap of the two metals (a site; guard rings excluded once the layer map has
    GUARD_RING_MK): 1-3 vias fail; with more, the site's vias at most 2 * TOP_VIA_ARRAY_JOIN
    apart merge into blocks, and one block must be a rectangle at least `side` (two vias) wide
    both ways; blocks of other shapes fail wherever they are. Blocks are formed per site (a
    compound operation, hierarchical) so that arrays of neighbouring sites never merge.
    """
    guard = ops.optional_layer(L, "guard_ring_mk")
    vias = L.drawn(via) - guard
    sites = ((L.drawn(top) & L.drawn(below)) - guard).interacting(vias)
    node = kdb.CompoundRegionOperationNode
    join = L.um(TOP_VIA_ARRAY_JOIN)
    at_site = node.new_geometrical_boolean(node.GeometricalOp.And, node.new_primary(),
                                           node.new_secondary(vias))
    blocks = node.new_sized(node.new_merged(node.new_sized(at_site, join, join, 2)),
                            -join, -join, 2)
    arrays = node.new_bbox_filter(node.new_rectangle_filter(blocks),
                                  node.ParameterType.BoxMinDim, False, side)
    per_site = node.new_join([node.new_logical_boolean(node.LogicalOp.LogAnd, True, [arrays]),
                              node.new_rectangle_filter(blocks, False, True)])
    return sites.interacting(vias, 1, 3), sites.interacting(vias, 4).complex_op(per_site)


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
