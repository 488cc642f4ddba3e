"""General geometry rules of every drawn layer: vertices on the design grid, 45 degree edges.

Named as the foundry deck names them: `<layer>_OFFGRID` and `<layer>_angle`. Each GDS layer is
checked on its own shapes (the dummy fill that `drawn` adds to COMP, Poly2 and metals has its own
`<layer>_dummy` checks).
"""

from __future__ import annotations

import klayout.db as kdb

from extraction.drc.check import Deck, Markers
from extraction.drc.layers import WITH_DUMMY, Layers
from pdk.gf180mcu.layers import LAYERS
from pdk.gf180mcu.stack import MetalStack


def _own_shapes(L: Layers, name: str) -> kdb.Region:
    """The layer's shapes (merged by the checks' merged semantics), without added dummy fill."""
    return L._read(LAYERS[name]) if name in WITH_DUMMY else L.drawn(name)


def _off_grid(name: str):
    def find(L: Layers) -> Markers:
        grid = L.d("OFFGRID")
        return _own_shapes(L, name).grid_check(grid, grid)
    return find


def _off_angle(name: str):
    """Edges that are neither orthogonal nor diagonal (acute corners have such an edge)."""
    def find(L: Layers) -> Markers:
        return _own_shapes(L, name).edges().with_angle(kdb.Edges.OrthoDiagonalEdges, True)
    return find


def build(deck: Deck, variant: MetalStack) -> None:
    for name in LAYERS:
        deck.add(f"{name}_OFFGRID", name, _off_grid(name), rule="OFFGRID")
        deck.add(f"{name}_angle", name, _off_angle(name), rule="ANGLE")
