"""Via1..Via5 (Vn.*) rules, as the foundry's current deck measures them.

Via n joins metal level n of the stack to level n + 1; the last via lands on the top metal
(5LM: Via4 up to Metal5 on 81/0). A via is checked only in the stacks that have it.
Not checked: the guidelines Vn.3e and Vn.4d (0.12 um all-round overlap) and Vn.5 (stacking is
allowed).
"""

from __future__ import annotations

from collections.abc import Callable

from extraction.drc import ops
from extraction.drc.check import Deck
from pdk.gf180mcu.layers import VIAS_BY_LEVELS
from pdk.gf180mcu.rules.beol import (
    ARRAY_SIDE,
    EOL_WIDTH,
    ONE_SIDE_OVERLAP,
    VIA_ARRAY_JOIN,
    VIA_EOL_BRANCH,
)
from pdk.gf180mcu.stack import MetalStack

ALL_VIAS = max(VIAS_BY_LEVELS.values(), key=len)


def _metal_rules(deck: Deck, n: int, level: int, ids: tuple[str, str, str],
                 exists: Callable[[MetalStack], bool]) -> None:
    """Overlap, line-end overlap and one-side overlap of Via n by the metal of `level`."""
    overlap, end, one_side = ids
    via = ALL_VIAS[n - 1]
    deck.add(overlap, via, lambda L: ops.covered(L.via(n), L.metal(level), L.d(overlap)),
             applies=exists)
    deck.add(end, via, lambda L: ops.cut_end_enclosure(
        L.via(n), L.metal(level), L.um(EOL_WIDTH), L.um(VIA_EOL_BRANCH), L.d(end)),
        applies=exists)
    deck.add(one_side, via, lambda L: ops.one_side_enclosure(
        L.via(n), L.metal(level), L.um(ONE_SIDE_OVERLAP), L.d(one_side)), applies=exists)


def _via_rules(deck: Deck, n: int) -> None:
    via = ALL_VIAS[n - 1]

    def exists(variant: MetalStack) -> bool:
        return n <= len(VIAS_BY_LEVELS[variant.metal_levels])

    deck.add(f"V{n}.1", via, lambda L: ops.exact_size(L.via(n), L.d(f"V{n}.1")), applies=exists)
    deck.add(f"V{n}.2a", via, lambda L: ops.space(L.via(n), L.d(f"V{n}.2a")), applies=exists)
    deck.add(f"V{n}.2b", via, lambda L: ops.array_space(
        L.via(n), L.d(f"V{n}.1"), L.d(f"V{n}.2b"), L.um(VIA_ARRAY_JOIN), ARRAY_SIDE,
        min_projection=L.d(f"V{n}.1")), applies=exists)
    below = f"V{n}.3a" if n == 1 else f"V{n}.3b"
    _metal_rules(deck, n, n, (below, f"V{n}.3c", f"V{n}.3d"), exists)
    _metal_rules(deck, n, n + 1, (f"V{n}.4a", f"V{n}.4b", f"V{n}.4c"), exists)


def build(deck: Deck, variant: MetalStack) -> None:
    for n in range(1, len(ALL_VIAS) + 1):
        _via_rules(deck, n)
