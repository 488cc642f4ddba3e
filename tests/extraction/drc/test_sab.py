"""SAB (SB.*) rules on hand-made patterns."""

from __future__ import annotations

import pytest

from tests.extraction.drc.patterns import STEP, Case, Shapes, assert_case, box

SAB = box(0, 0, 1, 1)


def _limit(rule: str, make, value: float, note: str = "") -> Case:
    """Passing at the rule's value, failing one grid step below it."""
    return Case(rule, make(value), make(round(value - STEP, 3)), note=note)


def _beside(layer: str, gap: float, **extra) -> Shapes:
    """SAB and a `layer` box `gap` to its right."""
    return {"sab": [SAB], layer: [box(1 + gap, 0, 1, 1)], **extra}


def _gate_beside(gap: float) -> Shapes:
    """SAB and a gate (Poly2 on COMP) `gap` to its right."""
    return {"sab": [SAB], "comp": [box(1.1, -0.5, 2, 2)], "poly2": [box(1 + gap, -1, 0.28, 3)]}


def _across(layer: str, x: float, y: float) -> Shapes:
    """SAB across a 0.6 um wide `layer` line: its edges x inside the line's end and y beyond
    the line's sides."""
    return {layer: [box(0, 0, 3, 0.6)], "sab": [(x, -y, 2, 0.6 + y)]}


def _overlap(layer: str, width: float) -> Shapes:
    return {layer: [box(0, 0, 2, 1)], "sab": [(-1, -0.5, width, 1.5)]}


def _np_poly(gap: float, corner: bool = False) -> Shapes:
    """Unsalicided N poly and P poly `gap` apart (diagonally at a corner if `corner`)."""
    dx = 2 + gap if corner else 0
    return {"sab": [box(-1, -1, 8, 5)], "poly2": [box(0, 0, 2, 0.6), box(dx, 0.6 + gap, 2, 0.6)],
            "nplus": [box(-0.5, -0.5, 2.5 + gap / 2 if corner else 3, 1.1 + gap / 2)],
            "pplus": [(2 + gap / 2 if corner else -0.5, 0.6 + gap / 2, 7, 3)]}


def _butted_np_poly(p_start: float) -> Shapes:
    """One unsalicided poly line, Nplus on its left half and Pplus from x = p_start."""
    return {"sab": [box(-1, -1, 6, 3)], "poly2": [box(0, 0, 1.5, 0.6), box(p_start, 0, 1.5, 0.6)],
            "nplus": [box(-0.5, -0.5, 2, 1.6)], "pplus": [(1.5, -0.5, 4, 1.1)]}


def _near_pmos(gap: float) -> Shapes:
    """A PMOS gate and unsalicided N poly `gap` below its COMP corner."""
    return {"comp": [box(0, 0, 2, 1)], "poly2": [box(0.86, -0.3, 0.28, 1.6),
                                                   box(1.14 + gap, -0.6 - gap, 1, 0.6)],
            "pplus": [box(-0.2, -0.25, 2.4, 1.5)], "nwell": [box(-1, -1, 4, 3)],
            "nplus": [(1.14 + gap - 0.2, -2, 3.5, -0.25)], "sab": [(1.14 + gap, -2, 3, -0.25)]}


def _along_poly(gap: float) -> Shapes:
    """A poly line with SAB in its middle and Nplus over its right end, `gap` from the SAB."""
    return {"poly2": [box(0, 0, 4, 0.6)], "sab": [box(1, -0.5, 1, 1.6)],
            "nplus": [box(2 + gap, -0.5, 2, 1.6)]}


def _transistor(**extra) -> Shapes:
    return {"comp": [box(0, 0, 2, 1)], "poly2": [box(0.86, -0.3, 0.28, 1.6)], **extra}


CASES = [
    _limit("SB.1", lambda w: {"sab": [box(0, 0, w, 2)]}, 0.42),
    _limit("SB.2", lambda s: {"sab": [SAB, box(1 + s, 0, 1, 1)]}, 0.42),
    _limit("SB.3", lambda s: _beside("comp", s), 0.22),
    Case("SB.3", _beside("comp", 0.22), _beside("comp", 0), note="touching"),
    _limit("SB.4", lambda s: _beside("contact", s), 0.15),
    Case("SB.4", _beside("contact", 0.15), {"sab": [SAB], "contact": [box(0.5, 0.5, 0.22, 0.22)]},
         note="on-SAB"),
    _limit("SB.5a", lambda s: _beside("poly2", s), 0.3),
    _limit("SB.5b", _gate_beside, 0.28),
    _limit("SB.6", lambda e: _across("comp", 1, e), 0.22),
    _limit("SB.7", lambda e: _across("comp", e, 0.3), 0.22),
    Case("SB.8", _beside("contact", 0.15), {"sab": [SAB], "contact": [box(0.4, 0.4, 0.22, 0.22)]}),
    _limit("SB.9", lambda e: _across("poly2", 1, e), 0.22),
    _limit("SB.10", lambda e: _across("poly2", e, 0.3), 0.22),
    _limit("SB.11", lambda w: _overlap("comp", w), 0.22),
    _limit("SB.12", lambda w: _overlap("poly2", w), 0.22),
    Case("SB.13", {"sab": [box(0, 0, 1, 2)]}, {"sab": [box(0, 0, 1, 1.995)]}),
    _limit("SB.14a", _np_poly, 0.56),
    _limit("SB.14a", lambda s: _np_poly(s, corner=True), 0.56, note="square-corner"),
    Case("SB.14a", _butted_np_poly(1.5), _butted_np_poly(2), note="butted"),
    _limit("SB.14b", _near_pmos, 0.56),
    _limit("SB.15a", lambda s: {**_beside("nplus", s), "poly2": [SAB]}, 0.18),
    _limit("SB.15b", _along_poly, 0.32),
    Case("SB.16", _transistor(sab=[box(2.5, 0, 1, 1)]), _transistor(sab=[box(0.5, -0.5, 1, 2)])),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_sab_rule(case, tmp_path):
    assert_case(case, tmp_path)
