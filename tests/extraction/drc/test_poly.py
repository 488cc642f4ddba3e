"""Poly2 (PL.*) rules on hand-made patterns; 5 V/6 V patterns are drawn inside Dualgate."""

from __future__ import annotations

import math

import pytest

from tests.extraction.drc.patterns import STEP, Case, Shapes, assert_case, box, on_grid_above

DUALGATE = {"dualgate": [box(-3, -3, 10, 10)]}
COMP = box(0, 0, 2, 1)


def _mv(shapes: Shapes, **extra) -> Shapes:
    return {**shapes, **DUALGATE, **extra}


def _gate(length: float, x: float = 0.86, cap: float = 0.22, comp=COMP) -> Shapes:
    """A poly line across COMP, `length` wide, its ends `cap` beyond the COMP."""
    bottom, top = comp[1] - cap, comp[3] + cap
    return {"comp": [comp], "poly2": [(x, bottom, x + length, top)]}


def _thick_gate(channel: str, v5: bool, length: float) -> Shapes:
    """A 5 V (V5_XTOR) or 6 V transistor of one channel type inside Dualgate."""
    shapes = _mv(_gate(length), **({"v5_xtor": [box(-2, -2, 8, 8)]} if v5 else {}))
    if channel == "n":
        return {**shapes, "nplus": [box(-1, -1, 4, 3)]}
    return {**shapes, "pplus": [box(-1, -1, 4, 3)], "nwell": [box(-2, -2, 6, 5)]}


def _diagonal_gate(offset: float) -> Shapes:
    """A 45 degree poly band over a large COMP; `offset` is its horizontal width."""
    band = [(-1, -1.5), (5, 4.5), (5, 4.5 + offset), (-1, -1.5 + offset)]
    return {"comp": [box(0, 0, 4, 4)], "poly2": [band]}


def _length_cases(rule: str, limit: float, make, note: str = "") -> Case:
    return Case(rule, make(limit), make(round(limit - STEP, 3)), note=note)


def _ell(corner_x: float) -> list[tuple[float, float]]:
    """An L-shaped poly line with its bend at (corner_x, 0.5)."""
    x = corner_x
    return [(x - 0.2, -0.5), (x, -0.5), (x, 0.3), (x + 1, 0.3), (x + 1, 0.5), (x - 0.2, 0.5)]


CASES = [
    Case("PL.1", {"poly2": [box(0, 0, 0.18, 2)]}, {"poly2": [box(0, 0, 0.175, 2)]}),
    Case("PL.1", _mv({"poly2": [box(0, 0, 0.2, 2)]}), _mv({"poly2": [box(0, 0, 0.195, 2)]}),
         note="5V"),
    _length_cases("PL.2", 0.28, _gate),
    Case("PL.2", _gate(0.28, comp=box(0, 0, 2, 0.22)), _gate(0.275, comp=box(0, 0, 2, 0.22)),
         note="narrow-channel-is-not-length"),
    *(Case("PL.2", _thick_gate(ch, v5, length), _thick_gate(ch, v5, round(length - STEP, 3)),
           note=f"{'5V' if v5 else '6V'}-{ch}mos")
      for (ch, v5), length in {("n", True): 0.6, ("p", True): 0.5, ("n", False): 0.7,
                               ("p", False): 0.55}.items()),
    Case("PL.3a", {"poly2": [box(0, 0, 0.2, 2), box(0.44, 0, 0.2, 2)]},
         {"poly2": [box(0, 0, 0.2, 2), box(0.435, 0, 0.2, 2)]}),
    _length_cases("PL.3a", 0.24, lambda s: {"comp": [COMP], "poly2": [
        box(0.5, -0.3, 0.28, 1.6), box(0.78 + s, -0.3, 0.28, 1.6)]}, note="on-COMP"),
    _length_cases("PL.4", 0.22, lambda cap: _gate(0.28, cap=cap)),
    _length_cases("PL.4", 0.22, lambda cap: _mv(_gate(0.5, cap=cap)), note="5V"),
    *(Case(rule, {**_gate(0.28), "poly2": [(0.86, -0.22, 1.14, 1.22), box(2.1, 0, 0.2, 1)]},
           {**_gate(0.28), "poly2": [(0.86, -0.22, 1.14, 1.22), box(2.095, 0, 0.2, 1)]})
      for rule in ("PL.5a", "PL.5b")),
    *(Case(rule, _mv({"comp": [COMP], "poly2": [box(2.3, 0, 0.2, 1)]}),
           _mv({"comp": [COMP], "poly2": [box(2.295, 0, 0.2, 1)]}), note="5V")
      for rule in ("PL.5a", "PL.5b")),
    Case("PL.5a", {"comp": [COMP], "poly2": [box(2.1, 0, 0.2, 1)]},
         {"comp": [COMP], "poly2": [box(2, 0, 0.2, 1)]}, note="touching"),
    Case("PL.6", {"comp": [box(0, 0, 2, 1)], "poly2": [_ell(-1)]},
         {"comp": [box(0, 0, 2, 1)], "poly2": [_ell(0.5)]}),
    Case("PL.7", _diagonal_gate(on_grid_above(0.3 * math.sqrt(2))), _diagonal_gate(0.42)),
    Case("PL.7", _mv(_diagonal_gate(on_grid_above(0.7 * math.sqrt(2)))),
         _mv(_diagonal_gate(0.985)), note="5V"),
    Case("PL.8", {"comp": [box(0, 0, 10, 10)], "poly2": [box(0, 0, 1.4, 10)]},
         {"comp": [box(0, 0, 10, 10)], "poly2": [box(0, 0, 1.395, 10)]}),
    Case("PL.9", {**DUALGATE, "poly2": [box(0, 0, 1, 1), box(-4, 0, 0.5, 1)]},
         {**DUALGATE, "poly2": [box(-4, 0, 2, 1)]}),
    Case("PL.11", {**DUALGATE, "v5_xtor": [box(0, 0, 2, 2)]}, {"v5_xtor": [box(0, 0, 2, 2)]}),
    Case("PL.12", {**_gate(0.6), "v5_xtor": [box(0, -0.5, 2, 2)]},
         {**_gate(0.6), "v5_xtor": [box(0.005, -0.5, 2, 2)]}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_poly_rule(case, tmp_path):
    assert_case(case, tmp_path)
