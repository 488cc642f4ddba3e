"""Dualgate (DV.*) rules on hand-made patterns."""

from __future__ import annotations

import pytest

from tests.extraction.drc.patterns import Case, Shapes, assert_case, box
from tests.extraction.drc.test_comp import join, n, p
from tests.extraction.drc.test_wells import at_limit

DV = {"dualgate": [box(0, 0, 5, 5)]}


def pmos(x: float) -> Shapes:
    """A PMOS at x (gate 0.28 long); it needs an n-well around it."""
    return join(p(box(x, 1, 1.5, 1)), {"poly2": [box(x + 0.6, 0.5, 0.28, 2)]})


CASES = [
    *at_limit("DV.1", lambda e: {**DV, "dnwell": [box(e, e, 2, 2)]}, 0.5),
    Case("DV.1", {**DV, "dnwell": [box(0.5, 0.5, 2, 2)]}, {**DV, "dnwell": [box(4, 0.5, 2, 2)]},
         note="sticking-out"),
    *at_limit("DV.2", lambda s: {"dualgate": [box(0, 0, 2, 2), box(2 + s, 0, 2, 2)]}, 0.44),
    *at_limit("DV.3", lambda s: {**DV, "comp": [box(5 + s, 1, 1, 1)]}, 0.24),
    Case("DV.3", {**DV, "comp": [box(5.24, 1, 1, 1)]}, {**DV, "comp": [box(5, 1, 1, 1)]},
         note="touching"),
    *at_limit("DV.5", lambda w: {"dualgate": [box(0, 0, w, 2)]}, 0.7),
    *at_limit("DV.6", lambda e: join(DV, n(box(e, 1, 1, 1))), 0.24),
    Case("DV.6", join(DV, p(box(4.5, 1, 1, 1))), join(DV, n(box(4.5, 1, 1, 1))),
         note="substrate-tap-exempt"),
    Case("DV.7", {**DV, "comp": [box(1, 1, 1, 1)]}, {**DV, "comp": [box(4.5, 1, 1, 1)]}),
    *at_limit("DV.8", lambda e: {**DV, "poly2": [box(e, 1, 1, 3)]}, 0.4),
    Case("DV.8", {**DV, "poly2": [box(0.4, 1, 1, 3)]}, {**DV, "poly2": [box(4, 1, 2, 3)]},
         note="sticking-out"),
    Case("DV.9", join({"nwell": [box(0, 0, 6, 3), box(8, 0, 6, 3)],
                       "dualgate": [box(-1, -1, 8, 5)]}, pmos(1), pmos(10)),
         join({"nwell": [box(0, 0, 14, 3)], "dualgate": [box(-1, -1, 8, 5)]}, pmos(1), pmos(10))),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_dualgate_rule(case, tmp_path):
    assert_case(case, tmp_path)
