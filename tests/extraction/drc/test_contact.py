"""Contact (CO.*) rules on hand-made patterns."""

from __future__ import annotations

import math

import pytest

from tests.extraction.drc.patterns import STEP, Box, Case, Shapes, assert_case, box, on_grid_above

SIZE = 0.22
DIAG = on_grid_above(0.25 / math.sqrt(2))


def co(x: float = 0, y: float = 0) -> Box:
    return box(x, y, SIZE, SIZE)


def around(left: float, bottom: float, right: float, top: float) -> Box:
    """A shape enclosing a contact at the origin by the given amount on each side."""
    return (-left, -bottom, SIZE + right, SIZE + top)


def grid(n_x: int, n_y: int, space: float, height: float = SIZE) -> list[Box]:
    """n_x x n_y contacts `space` apart (`height` tall, to make big arrays of few contacts)."""
    return [box(i * (SIZE + space), j * (height + space), SIZE, height)
            for i in range(n_x) for j in range(n_y)]


def butted(contact_right: float) -> Shapes:
    """COMP split into NCOMP (x < 1) and PCOMP (x > 1), a contact ending at `contact_right`."""
    return {"comp": [box(0, 0, 2, 1)], "nplus": [box(-0.2, -0.2, 1.2, 1.4)],
            "pplus": [box(1, -0.2, 1.2, 1.4)], "contact": [co(contact_right - SIZE, 0.39)]}


def mirrored(shapes: Shapes) -> Shapes:
    """The pattern mirrored at x = 1 (swaps the NCOMP and PCOMP halves of `butted`)."""
    flip = {"nplus": "pplus", "pplus": "nplus"}
    return {flip.get(layer, layer): [(2 - b[2], b[1], 2 - b[0], b[3]) for b in boxes]
            for layer, boxes in shapes.items()}


def gate(contact_right: float) -> Shapes:
    """A Poly2 gate across COMP at x = 1.5, a COMP contact ending at `contact_right`."""
    return {"comp": [box(0, 0, 3, 1)], "poly2": [box(1.5, -0.3, 0.18, 1.6)],
            "contact": [co(contact_right - SIZE, 0.39)]}


def line_end(end: float, width: float = 0.30) -> Box:
    side = (width - SIZE) / 2
    return (-side, -end, SIZE + side, 2)


CASES = [
    Case("CO.1", {"contact": [co()]}, {"contact": [box(0, 0, SIZE + STEP, SIZE)]}),
    Case("CO.1", {"contact": [co()]}, {"contact": [co(), co(SIZE, 0)]}, note="abutting-pair"),
    Case("CO.2a", {"contact": [co(), co(SIZE + 0.25)]}, {"contact": [co(), co(SIZE + 0.245)]}),
    Case("CO.2a", {"contact": [co(), co(SIZE + DIAG, SIZE + DIAG)]},
         {"contact": [co(), co(SIZE + DIAG - STEP, SIZE + DIAG - STEP)]}, note="corner"),
    Case("CO.2b", {"contact": grid(4, 4, 0.28)}, {"contact": grid(4, 4, 0.275)}),
    Case("CO.2b", {"contact": grid(3, 6, 0.25)}, {"contact": grid(4, 6, 0.25)}, note="3-rows"),
    Case("CO.2b", {"contact": grid(4, 2, 0.25, height=0.8)},
         {"contact": grid(4, 4, 0.25, height=0.8)}, note="16-cuts"),
    Case("CO.3", {"contact": [co()], "poly2": [around(0.07, 0.07, 0.07, 0.07)]},
         {"contact": [co()], "poly2": [around(0.07, 0.065, 0.07, 0.07)]}),
    Case("CO.3", {"contact": [co()], "poly2": [around(0.07, 0.07, 0.07, 0.07)]},
         {"contact": [co()], "poly2": [around(0.07, -0.1, 0.07, 0.07)]}, note="sticking-out"),
    Case("CO.4", {"contact": [co()], "comp": [around(0.07, 0.07, 0.07, 0.07)]},
         {"contact": [co()], "comp": [around(0.07, 0.07, 0.065, 0.07)]}),
    Case("CO.4", {"contact": [co()], "comp": [around(0.07, 0.07, 0.07, 0.07)]},
         {"contact": [co()], "comp": [around(0.07, 0.07, -0.1, 0.07)]}, note="sticking-out"),
    Case("CO.5a", butted(0.90), butted(0.905)),
    Case("CO.5a", {**butted(0.95), "pplus": [box(1.05, -0.2, 1.2, 1.4)]}, butted(0.95),
         note="not-butted"),
    Case("CO.5b", mirrored(butted(0.90)), mirrored(butted(0.905))),
    Case("CO.6", {"contact": [co()], "metal1": [around(0.005, 0.005, 0.005, 0.005)]},
         {"contact": [co()], "metal1": [around(0.005, 0.005, 0.005, 0)]}),
    Case("CO.6", {"contact": [co()], "metal1": [around(0.1, 0.1, 0.1, 0.1)]},
         {"contact": [co()]}, note="no-metal"),
    Case("CO.6a", {"contact": [co()], "metal1": [line_end(0.06)]},
         {"contact": [co()], "metal1": [line_end(0.055)]}),
    Case("CO.6a", {"contact": [co()], "metal1": [line_end(0.01, width=0.34)]},
         {"contact": [co()], "metal1": [line_end(0.01, width=0.335)]}, note="line-width"),
    Case("CO.6b", {"contact": [co()], "metal1": [around(0.06, 0.035, 0.06, 0.5)]},
         {"contact": [co()], "metal1": [around(0.06, 0.035, 0.055, 0.5)]}),
    Case("CO.6b", {"contact": [co()], "metal1": [around(0.04, 0.04, 0.04, 0.04)]},
         {"contact": [co()], "metal1": [around(0.04, 0.035, 0.04, 0.04)]}, note="at-0.04"),
    Case("CO.6b", {"contact": [co()], "metal1": [around(0.06, 0.035, 0.06, 0.035)]},
         {"contact": [co()], "metal1": [around(0.035, 0.035, 0.5, 0.5)]}, note="corner"),
    Case("CO.7", gate(1.35), gate(1.355)),
    Case("CO.8", {"poly2": [box(0, 0, 0.7, 0.5)], "contact": [co(0.24, 0.14)],
                  "comp": [box(0.63, 0, 1, 0.5)]},
         {"poly2": [box(0, 0, 0.7, 0.5)], "contact": [co(0.24, 0.14)],
          "comp": [box(0.625, 0, 1, 0.5)]}),
    Case("CO.9", butted(0.995), butted(1.0)),
    Case("CO.9", butted(0.995), butted(1.11), note="straddling"),
    Case("CO.10", {"comp": [box(0, 0, 1, 1)], "poly2": [box(0.4, -0.5, 0.3, 2)],
                   "contact": [co(0.44, 1)]},
         {"comp": [box(0, 0, 1, 1)], "poly2": [box(0.4, -0.5, 0.3, 2)],
          "contact": [co(0.44, 1 - STEP)]}),
    Case("CO.11", {"comp": [box(0, 0, 1, 1)], "contact": [co(0.78, 0.39)]},
         {"comp": [box(0, 0, 1, 1)], "contact": [co(0.785, 0.39)]}),
    Case("CO.11", {"comp": [box(0, 0, 1, 1)], "poly2": [box(1, 0, 1, 1)],
                   "contact": [co(0.89, 0.39)]},
         {"comp": [box(0, 0, 1, 1)], "poly2": [box(1.005, 0, 1, 1)],
          "contact": [co(0.89, 0.39)]}, note="comp-and-poly2"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_contact_rule(case, tmp_path):
    assert_case(case, tmp_path)
