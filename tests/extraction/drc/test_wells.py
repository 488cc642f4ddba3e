"""DNWELL (DN.*), LVPWELL (LPW.*) and Nwell (NW.*) rules on hand-made patterns."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.extraction.drc.patterns import STEP, Box, Case, Shapes, assert_case, box


def in_dualgate(shapes: Shapes) -> Shapes:
    """The pattern moved to the 5 V/6 V domain: covered by a Dualgate 1 um beyond its extent."""
    extents = [_extent(item) for items in shapes.values() for item in items]
    cover = (min(e[0] for e in extents) - 1, min(e[1] for e in extents) - 1,
             max(e[2] for e in extents) + 1, max(e[3] for e in extents) + 1)
    return {**shapes, "dualgate": [*shapes.get("dualgate", []), cover]}


def _extent(item) -> Box:
    if len(item) == 4 and not isinstance(item[0], tuple):
        return item
    xs, ys = [x for x, _ in item], [y for _, y in item]
    return min(xs), min(ys), max(xs), max(ys)


def at_limit(rule: str, pattern: Callable[[float], Shapes], lv: float, mv: float | None = None,
             beyond: float = -STEP, note: str = "") -> list[Case]:
    """Pass at the limit, fail one grid step `beyond` it; 5 V/6 V too when `mv` is given."""
    def case(limit: float, domain: Callable[[Shapes], Shapes], label: str) -> Case:
        return Case(rule, domain(pattern(limit)), domain(pattern(round(limit + beyond, 3))),
                    note="-".join(filter(None, (label, note))))

    cases = [case(lv, lambda shapes: shapes, "")]
    return cases if mv is None else [*cases, case(mv, in_dualgate, "5V")]


def ring(outer: Box, width: float) -> list[Box]:
    """Four boxes that merge into a ring inside `outer`."""
    x0, y0, x1, y1 = outer
    return [(x0, y0, x1, y0 + width), (x0, y1 - width, x1, y1),
            (x0, y0, x0 + width, y1), (x1 - width, y0, x1, y1)]


def _guard_ring(inside: Shapes, closed: bool = True) -> Shapes:
    """A PCOMP ring around (-3, -3)..(8, 8), open on the right side when not `closed`."""
    sides = ring((-3, -3, 8, 8), 1)
    comp = sides if closed else sides[:3]
    return {"comp": comp, "pplus": [box(-3.5, -3.5, 12, 12)], **inside}


DN = {"dnwell": [box(0, 0, 5, 5)]}
DEEP = box(-5, -5, 20, 20)  # a DNWELL around LVPWELL patterns

CASES = [
    *at_limit("DN.1", lambda w: {"dnwell": [box(0, 0, w, 5)]}, 1.7),
    *at_limit("DN.2b", lambda s: {"dnwell": [box(0, 0, 3, 5), box(3 + s, 0, 3, 5)]}, 5.42),
    Case("DN.2b", {"dnwell": [box(0, 0, 3, 8), box(6, 0, 3, 8), box(0, 0, 9, 3)]},
         {"dnwell": [box(0, 0, 3, 8), box(6, 0, 3, 8)]}, note="notch-not-measured"),
    Case("DN.3", _guard_ring(DN), _guard_ring(DN, closed=False), note="open-ring"),
    Case("DN.3", _guard_ring(DN),
         _guard_ring({"dnwell": [box(0, 0, 2, 5), box(4, 0, 2, 5)]}), note="two-dnwells"),
    Case("DN.3", _guard_ring({**DN, "nwell": [box(1, 1, 2, 2)]}),
         _guard_ring({**DN, "nwell": [box(5.5, 1, 1, 1)]}), note="foreign-nwell"),
    *at_limit("LPW.1", lambda w: {"dnwell": [DEEP], "lvpwell": [box(0, 0, w, 5)]}, 0.6, 0.74),
    *at_limit("LPW.2a", lambda s: {"dnwell": [DEEP],
                                   "lvpwell": [box(0, 0, 2, 5), box(2 + s, 0, 2, 5)]}, 1.4, 1.7),
    *at_limit("LPW.3", lambda e: {"dnwell": [box(0, 0, 10, 10)],
                                  "lvpwell": [box(e, e, 3, 3)]}, 2.5),
    Case("LPW.3", {"dnwell": [box(0, 0, 10, 10)], "lvpwell": [box(2.5, 2.5, 5, 5)]},
         {"dnwell": [box(0, 0, 10, 10)], "lvpwell": [box(8, 2.5, 5, 5)]}, note="sticking-out"),
    Case("LPW.5", {"dnwell": [DEEP], "lvpwell": [box(0, 0, 8, 2)], "res_mk": [box(1, 0, 6, 2)],
                   "comp": [box(0.3, 0.5, 0.5, 1), box(7.2, 0.5, 0.5, 1)],
                   "pplus": [box(0, 0, 8, 2)]},
         {"lvpwell": [box(0, 0, 8, 2)], "res_mk": [box(1, 0, 6, 2)],
          "comp": [box(0.3, 0.5, 0.5, 1), box(7.2, 0.5, 0.5, 1)], "pplus": [box(0, 0, 8, 2)]}),
    *at_limit("LPW.11", lambda s: {"dnwell": [box(0, 0, 5, 5)],
                                   "lvpwell": [box(5 + s, 0, 2, 5)]}, 1.5),
    Case("LPW.11", {"dnwell": [box(0, 0, 5, 5)], "lvpwell": [box(6.5, 0, 2, 5)]},
         {"dnwell": [box(0, 0, 5, 5)], "lvpwell": [box(5, 0, 2, 5)]}, note="touching"),
    Case("LPW.12", {"lvpwell": [box(0, 0, 2, 5)], "nwell": [box(2, 0, 2, 5)]},
         {"lvpwell": [box(0, 0, 2, 5)], "nwell": [box(1.9, 0, 2, 5)]}),
    *at_limit("NW.1a", lambda w: {"nwell": [box(0, 0, w, 5)]}, 0.86, 0.86),
    *at_limit("NW.1b", lambda w: {"nwell": [box(0, 0, w, 10)],
                                  "res_mk": [box(-1, 3, w + 2, 4)]}, 2, 2),
    *at_limit("NW.2b", lambda s: {"nwell": [box(0, 0, 2, 5), box(2 + s, 0, 2, 5)]}, 1.4, 1.7),
    Case("NW.2b", {"nwell": [box(0, 0, 1, 4), box(2, 0, 1, 4), box(0, 0, 3, 1)]},
         {"nwell": [box(0, 0, 1, 4), box(2, 0, 1, 4)]}, note="notch-not-measured"),
    Case("NW.2b", {"nwell": [box(0, 0, 2, 2), box(3, 3, 2, 2)]},
         {"nwell": [box(0, 0, 2, 2), box(2, 2, 2, 2)]}, note="corner-touch"),
    *at_limit("NW.3", lambda s: {"dnwell": [box(0, 0, 5, 5)], "nwell": [box(5 + s, 0, 2, 5)]},
              3.1),
    Case("NW.3", {"dnwell": [box(0, 0, 5, 5)], "nwell": [box(8.1, 0, 2, 5)]},
         {"dnwell": [box(0, 0, 5, 5)], "nwell": [box(5, 0, 2, 5)]}, note="touching"),
    Case("NW.4", {"lvpwell": [box(0, 0, 2, 5)], "nwell": [box(2, 0, 2, 5)]},
         {"lvpwell": [box(0, 0, 2, 5)], "nwell": [box(1.995, 0, 2, 5)]}),
    *at_limit("NW.5", lambda e: {"dnwell": [box(0, 0, 10, 10)], "nwell": [box(e, e, 2, 2)]},
              0.5, 0.5),
    Case("NW.5", {"dnwell": [box(0, 0, 10, 10)], "nwell": [box(10.2, 0, 2, 2)]},
         {"dnwell": [box(0, 0, 10, 10)], "nwell": [box(9, 2, 2, 2)]}, note="sticking-out"),
    Case("NW.6", {"dnwell": [box(0, 0, 5, 5)], "nwell": [box(10, 0, 2, 5)],
                  "res_mk": [box(9, -1, 4, 7)]},
         {"dnwell": [box(0, 0, 5, 5)], "nwell": [box(4, 0, 2, 5)], "res_mk": [box(3, -1, 4, 7)]}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_wells_rule(case, tmp_path):
    assert_case(case, tmp_path)
