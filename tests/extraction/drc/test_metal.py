"""Metal (Mn.*), top metal (MT.*) and density rules on hand-made patterns."""

from __future__ import annotations

import math

import pytest

from pdk.gf180mcu.stack import MetalStack
from tests.extraction.drc.patterns import STEP, Case, assert_case, box, on_grid_above

THICK = MetalStack(metal_levels=3, top_metal_thickness="30K", mim_option="A")
SIX_K = MetalStack(metal_levels=6, top_metal_thickness="6K")


def _metal_cases(n: int, layer: str, w: float, variant: MetalStack | None = None) -> list[Case]:
    wide = box(0, 0, 10.01, 10.01)
    diag = on_grid_above(w / math.sqrt(2))  # smallest corner offset whose distance is >= w
    cases = [
        Case(f"M{n}.1", {layer: [box(0, 0, w, 2)]}, {layer: [box(0, 0, w - STEP, 2)]}),
        Case(f"M{n}.2a", {layer: [box(0, 0, 1, 2), box(1 + w, 0, 1, 2)]},
             {layer: [box(0, 0, 1, 2), box(1 + w - STEP, 0, 1, 2)]}),
        Case(f"M{n}.2a", {layer: [box(0, 0, 1, 2), box(1 + diag, 2 + diag, 1, 2)]},
             {layer: [box(0, 0, 1, 2), box(1 + diag - STEP, 2 + diag - STEP, 1, 2)]},
             note="corner-euclidian"),
        Case(f"M{n}.2b", {layer: [wide, box(10.31, 0, 1, 2)]},
             {layer: [wide, box(10.305, 0, 1, 2)]}),
        Case(f"M{n}.2b", {layer: [box(0, 0, 10, 10.01), box(10.29, 0, 1, 2)]},
             {layer: [wide, box(10.29, 0, 1, 2)]}, note="exactly-10-is-not-wide"),
        Case(f"M{n}.3", {layer: [box(0, 0, 0.38, 0.38)]}, {layer: [box(0, 0, 0.38, 0.375)]}),
    ]
    return [Case(c.rule, c.passing, c.failing, variant or MetalStack(), c.note) for c in cases]


def _density(rule: str, layer: str, variant: MetalStack | None = None) -> Case:
    """30 % of a 10 x 10 um extent passes, 29.9 % fails."""
    frame = {"comp": [box(0, 0, 10, 10)]}
    return Case(rule, {layer: [box(0, 0, 3, 10)], **frame}, {layer: [box(0, 0, 2.99, 10)], **frame},
                variant or MetalStack())


CASES = [
    *_metal_cases(1, "metal1", 0.23),
    *_metal_cases(2, "metal2", 0.28),
    *_metal_cases(3, "metal3", 0.28),
    *_metal_cases(4, "metal4", 0.28),
    *_metal_cases(5, "metal5", 0.28, SIX_K),
    Case("MT.1", {"metal5": [box(0, 0, 0.44, 2)]}, {"metal5": [box(0, 0, 0.435, 2)]}),
    Case("MT.1", {"metaltop": [box(0, 0, 0.36, 2)]}, {"metaltop": [box(0, 0, 0.355, 2)]},
         variant=SIX_K, note="6K"),
    Case("MT.2a", {"metal5": [box(0, 0, 1, 2), box(1.46, 0, 1, 2)]},
         {"metal5": [box(0, 0, 1, 2), box(1.455, 0, 1, 2)]}),
    Case("MT.2b", {"metal5": [box(0, 0, 10.01, 10.01), box(10.61, 0, 1, 2)]},
         {"metal5": [box(0, 0, 10.01, 10.01), box(10.605, 0, 1, 2)]}),
    Case("MT.4", {"metal5": [box(0, 0, 0.75, 0.75)]}, {"metal5": [box(0, 0, 0.75, 0.745)]}),
    # the older foundry deck draws the 5LM top metal on MetalTop 53/0: it counts as Metal5
    Case("MT.1", {"metaltop": [box(0, 0, 0.44, 2)]}, {"metaltop": [box(0, 0, 0.435, 2)]},
         note="on-53-0"),
    Case("MT.2a", {"metal5": [box(0, 0, 1, 2)], "metaltop": [box(1.46, 0, 1, 2)]},
         {"metal5": [box(0, 0, 1, 2)], "metaltop": [box(1.455, 0, 1, 2)]}, note="81-0-to-53-0"),
    Case("MT30.1a", {"metal3": [box(0, 0, 1.8, 4)]}, {"metal3": [box(0, 0, 1.795, 4)]},
         variant=THICK),
    Case("MT30.1b", {"metal3": [box(0, 0, 2.2, 1000)]}, {"metal3": [box(0, 0, 2.195, 1000)]},
         variant=THICK),
    Case("MT30.2", {"metal3": [box(0, 0, 2, 4), box(3.8, 0, 2, 4)]},
         {"metal3": [box(0, 0, 2, 4), box(3.795, 0, 2, 4)]}, variant=THICK),
    *(Case(r, {"metal3": [box(0, 0, 2, 4), box(3.8, 0, 2, 4)]},
           {"metal3": [box(0, 0, 2, 4), box(3.795, 0, 2, 4)]}, variant=THICK)
      for r in ("MT30.3", "MT30.4")),
    *(_density(f"M{n}.4", f"metal{n}") for n in range(1, 6)),
    _density("MT.3", "metal5"),
    _density("MT30.7", "metal3", THICK),
]


def _top_vias(*corners: tuple[float, float]) -> list:
    return [box(x, y, 0.26, 0.26) for x, y in corners]


def _via_site(*corners: tuple[float, float]) -> dict:
    """Top vias where the 30K top metal (Metal3 in THICK) crosses Metal2."""
    return {"metal3": [box(0, 0, 5, 5)], "metal2": [box(0, 0, 5, 5)], "via2": _top_vias(*corners)}


def _grid(columns: int, rows: int, pitch: float = 0.52, x: float = 1,
          y: float = 1) -> list[tuple[float, float]]:
    return [(x + i * pitch, y + j * pitch) for i in range(columns) for j in range(rows)]


# one top-metal plate over two Metal2 lines 0.3 apart: two sites whose via arrays are judged
# apart (taken together, the passing arrays would form an odd block, the failing rows a 2x4 array)
_TWO_SITES = {"metal3": [box(0, 0, 5, 5.3)], "metal2": [box(0, 0, 5, 2.5), box(0, 2.8, 5, 2.5)]}

CASES += [
    Case("MT30.5", {"metal3": [box(0, 0, 3, 3)], "via2": _top_vias((0.12, 1))},
         {"metal3": [box(0, 0, 3, 3)], "via2": _top_vias((0.115, 1))}, THICK),
    Case("MT30.5", {"metal3": [box(0, 0, 3, 3)], "via2": _top_vias((0.12, 1))},
         {"via2": _top_vias((0.12, 1))}, THICK, note="no-top-metal"),
    # a 2 um wide line; the via near its side is not at a line end
    Case("MT30.6", {"metal3": [box(0, 0, 2, 10)], "via2": _top_vias((0.12, 5), (0.87, 9.49))},
         {"metal3": [box(0, 0, 2, 10)], "via2": _top_vias((0.12, 5), (0.87, 9.495))}, THICK),
    Case("MT30.6", {"metal3": [box(0, 0, 2.5, 10)], "via2": _top_vias((1, 9.495))},
         {"metal3": [box(0, 0, 2.495, 10)], "via2": _top_vias((1, 9.495))}, THICK,
         note="2.5-wide-is-no-line-end"),
    Case("MT30.8", _via_site(*_grid(2, 2)), _via_site(*_grid(2, 2)[:3]), THICK),
    Case("MT30.8", _via_site(*_grid(2, 2)), _via_site((1, 1)), THICK, note="single-via"),
    Case("MT30.8", _via_site(*_grid(2, 2)), _via_site(*_grid(4, 1)), THICK, note="row-of-four"),
    Case("MT30.8", _via_site(*_grid(2, 3)), _via_site(*_grid(2, 2), (2.04, 1)), THICK,
         note="non-rectangular-block"),
    Case("MT30.8", _via_site(*_grid(2, 2, 2.26)), _via_site(*_grid(2, 2, 2.265)), THICK,
         note="array-join-distance"),
    Case("MT30.8", {**_TWO_SITES, "via2": _top_vias(*_grid(2, 2, y=1.5), *_grid(2, 2, x=1.5, y=3))},
         {**_TWO_SITES, "via2": _top_vias(*_grid(4, 1, y=2), *_grid(4, 1, y=3))}, THICK,
         note="per-site"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_metal_rule(case, tmp_path):
    assert_case(case, tmp_path)
