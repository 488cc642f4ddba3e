"""MIM capacitor rules (MIM.* option A, MIMTM.* option B) on hand-made patterns, per stack.

The same patterns run on every stack with that stack's bottom-plate metal, via up and via below,
so a wrong layer choice for a metal level fails as surely as a wrong value.
"""

from __future__ import annotations

import math

import pytest

from pdk.gf180mcu.stack import MetalStack
from tests.extraction.drc.patterns import Box, Case, Shapes, assert_case, box, on_grid_above

# variant -> (rule prefix, bottom-plate metal, via up from it, via below it)
STACKS: list[tuple[MetalStack, tuple[str, str, str, str]]] = [
    (MetalStack(metal_levels=3, top_metal_thickness="30K", mim_option="A"),
     ("MIM", "metal2", "via2", "via1")),
    (MetalStack(mim_option="A"), ("MIM", "metal2", "via2", "via1")),
    (MetalStack(metal_levels=4, top_metal_thickness="11K"), ("MIMTM", "metal3", "via3", "via2")),
    (MetalStack(), ("MIMTM", "metal4", "via4", "via3")),
    (MetalStack(metal_levels=6, top_metal_thickness="6K"), ("MIMTM", "metal5", "via5", "via4")),
]

TOP = box(0, 0, 10, 10)  # the top plate (FuseTop) of most patterns
VIA = 0.26


def plate(overlap: float) -> Box:
    """A bottom plate around TOP, `overlap` wider on every side."""
    return box(-overlap, -overlap, 10 + 2 * overlap, 10 + 2 * overlap)


def via(x: float, y: float = 5) -> Box:
    return box(x, y, VIA, VIA)


def _two_mims(metal: str, gap: float) -> Shapes:
    """TOP and a second MIM to its right, bottom plates 0.6 wider than the top plates."""
    shift = 10 + 2 * 0.6 + gap
    return {"fusetop": [TOP, box(shift, 0, 10, 10)],
            metal: [plate(0.6), box(shift - 0.6, -0.6, 11.2, 11.2)]}


def _cases(prefix: str, metal: str, up: str, below: str) -> list[tuple[str, Shapes, Shapes, str]]:
    """(rule suffix, passing, failing, note) for one stack's layers."""
    diag = on_grid_above(1.2 / math.sqrt(2))
    corner = 10.6 + diag
    return [
        ("1", {"fusetop": [TOP], metal: [plate(0.6), box(11.8, 0, 1, 10)]},
         {"fusetop": [TOP], metal: [plate(0.6), box(11.795, 0, 1, 10)]}, ""),
        ("1", {"fusetop": [TOP], metal: [plate(0.6), box(corner, corner, 1, 1)]},
         {"fusetop": [TOP], metal: [plate(0.6), box(corner - 0.005, corner - 0.005, 1, 1)]},
         "corner-euclidian"),
        ("1", _two_mims(metal, 1.2), _two_mims(metal, 1.195), "adjacent-mim"),
        ("1", {"fusetop": [TOP], metal: [plate(1.06), box(12.26, 0, 1, 10)]},
         {"fusetop": [TOP], metal: [plate(1.06), box(12.255, 0, 1, 10)]}, "widest-virtual-plate"),
        ("2", {"fusetop": [TOP], metal: [plate(1.06)], up: [via(10.4)]},
         {"fusetop": [TOP], metal: [plate(1.06)], up: [via(10.405)]}, ""),
        ("2", {"fusetop": [TOP], metal: [plate(1.06)], up: [via(10.4)]},
         {"fusetop": [TOP], metal: [plate(1.06)], up: [via(10.9)]}, "sticking-out"),
        # the plate runs on beyond the virtual plate: a via merely touching it is not checked
        ("2", {"fusetop": [TOP], metal: [box(-1.06, -1.06, 12.56, 12.12)], up: [via(11.06)]},
         {"fusetop": [TOP], metal: [box(-1.06, -1.06, 12.56, 12.12)], up: [via(11.055)]},
         "overlapping-virtual-only"),
        ("3", {"fusetop": [TOP], metal: [plate(0.6)]},
         {"fusetop": [TOP], metal: [box(-0.6, -0.6, 11.195, 11.2)]}, ""),
        ("3", {"fusetop": [TOP], metal: [plate(3.0)]},
         {"fusetop": [TOP], metal: [box(-3, -3, 13.595, 16)]}, "plate-beyond-virtual"),
        ("3", {"fusetop": [TOP], metal: [plate(0.6)]}, {"fusetop": [TOP]}, "no-plate"),
        ("4", {"fusetop": [TOP], up: [via(0.4, 0.4)]},
         {"fusetop": [TOP], up: [via(0.395, 0.4)]}, ""),
        ("4", {"fusetop": [TOP], up: [via(-0.66)]},
         {"fusetop": [TOP], up: [via(-0.255)]}, "sticking-out"),
        ("5", {"fusetop": [TOP], metal: [plate(1.06)], up: [via(10.4)]},
         {"fusetop": [TOP], metal: [plate(1.06)], up: [via(10.395)]}, ""),
        ("5", {"fusetop": [TOP], metal: [plate(1.06)], up: [via(10.4)]},
         {"fusetop": [TOP], metal: [plate(1.06)], up: [via(10)]}, "touching"),
        ("5", {"fusetop": [TOP], up: [via(10.2)]},
         {"fusetop": [TOP], metal: [plate(1.06)], up: [via(10.2)]}, "via-off-plate-ignored"),
        ("6", {"fusetop": [TOP, box(10.6, 0, 10, 10)]},
         {"fusetop": [TOP, box(10.595, 0, 10, 10)]}, ""),
        ("7", {"fusetop": [TOP], "cap_mk": [TOP]},
         {"fusetop": [TOP], "cap_mk": [box(0, 0, 10, 9.995)]}, ""),
        ("8a", {"fusetop": [box(0, 0, 5, 5)]}, {"fusetop": [box(0, 0, 5, 4.995)]}, ""),
        ("8b", {"fusetop": [box(0, 0, 100, 100)]}, {"fusetop": [box(0, 0, 100, 100.005)]}, ""),
        ("9", {"fusetop": [TOP], up: [via(1), via(1.76)]},
         {"fusetop": [TOP], up: [via(1), via(1.755)]}, ""),
        ("10", {"fusetop": [TOP], metal: [plate(1.06)], below: [via(11.1)]},
         {"fusetop": [TOP], metal: [plate(1.06)], below: [via(9.995)]}, ""),
        ("10", {"fusetop": [TOP], metal: [plate(1.06)], below: [via(11.1)]},
         {"fusetop": [TOP], metal: [plate(1.06)], below: [via(10.5)]}, "plate-margin"),
        ("11", {"fusetop": [box(0, 0, 50, 100), box(50.6, 0, 50, 100)],
                metal: [box(-1, -1, 102.6, 102)]},
         {"fusetop": [box(0, 0, 50, 100), box(50.6, 0, 50.005, 100)],
          metal: [box(-1, -1, 102.6, 102)]}, ""),
        ("11", {"fusetop": [box(0, 0, 50, 100), box(53, 0, 50.005, 100)],
                metal: [box(-1, -1, 52, 102), box(52, -1, 52.005, 102)]},
         {"fusetop": [box(0, 0, 50, 100), box(53, 0, 50.005, 100)],
          metal: [box(-1, -1, 105.005, 102)]}, "separate-plates"),
    ]


CASES = [
    Case(f"{prefix}.{suffix}", passing, failing, variant,
         f"{variant.metal_levels}LM{'-' + note if note else ''}")
    for variant, (prefix, metal, up, below) in STACKS
    for suffix, passing, failing, note in _cases(prefix, metal, up, below)
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_mim_rule(case, tmp_path):
    assert_case(case, tmp_path)
