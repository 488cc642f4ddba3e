"""Nplus (NP.*) and Pplus (PP.*) rules on hand-made patterns."""

from __future__ import annotations

import pytest

from tests.extraction.drc.patterns import STEP, Case, Shapes, assert_case, box

COMP = box(0, 0, 2, 1)
NWELL = box(-1, -1, 4, 3.5)
DNWELL = box(-2, -2, 12, 12)
IMPLANT = {"NP": "nplus", "PP": "pplus"}
OTHER = {"NP": "pplus", "PP": "nplus"}
CHANNEL = {"nplus": "n", "pplus": "p"}


def _less(value: float) -> float:
    return round(value - STEP, 3)


def _limit(rule: str, make, value: float, note: str = "") -> Case:
    """Passing at the rule's value, failing one grid step below it."""
    return Case(rule, make(value), make(_less(value)), note=note)


def _mos(implant: str, **shapes) -> Shapes:
    """A transistor whose poly runs 0.5 um beyond the COMP; PMOS sit in Nwell."""
    well = {"nwell": [NWELL]} if implant == "pplus" else {}
    return {"comp": [COMP], "poly2": [box(0.86, -0.5, 0.28, 2)],
            implant: [box(-0.16, -0.23, 2.32, 1.46)], **well, **shapes}


def _merge(*parts: Shapes) -> Shapes:
    out: Shapes = {}
    for part in parts:
        for layer, items in part.items():
            out[layer] = out.get(layer, []) + items
    return out


def _surround(comp: tuple, extension: float) -> tuple:
    x0, y0, x1, y1 = comp
    return (x0 - extension, y0 - extension, x1 + extension, y1 + extension)


def _ring(hole_w: float, hole_h: float) -> list:
    """Four boxes around a hole_w x hole_h hole."""
    return [box(0, 0, hole_w + 2, 1), box(0, 1 + hole_h, hole_w + 2, 1),
            box(0, 1, 1, hole_h), box(1 + hole_w, 1, 1, hole_h)]


def _mirrored_cases(p: str) -> list[Case]:
    own, other = IMPLANT[p], OTHER[p]

    def butted(x: float) -> Shapes:
        return {"comp": [box(0, 0, 1, 0.6)], own: [box(x, -0.2, 1.2 - x, 1)],
                other: [box(-0.2, -0.2, x + 0.2, 1)]}

    def butted_tap(b: float) -> Shapes:
        """The other type's transistor (gate edge at x = 1.78) with an own-type tap from x = b."""
        well = {"nwell": [box(-1, -1, 5, 3)]} if other == "pplus" else {}
        return {"comp": [box(0, 0, 3, 1)], "poly2": [box(1.5, -0.3, 0.28, 1.6)],
                other: [box(-0.2, -0.3, b + 0.2, 1.6)], own: [box(b, -0.3, 3.2 - b, 1.6)], **well}

    def unsalicided(layer: str, left: float) -> Shapes:
        """SAB over the middle of a line; the implant encloses it by 0.18 (`left` on the left)."""
        return {layer: [box(0, 0, 2, 0.8)], "sab": [box(0.5, -0.3, 1, 1.4)],
                own: [(0.5 - left, -0.18, 1.68, 0.98)]}

    def overlap_at(x: float) -> Shapes:
        return {"comp": [COMP], own: [box(-0.2, -0.2, 1.2, 1.4)], other: [(x, -0.2, 2.2, 1.2)]}

    return [
        _limit(f"{p}.1", lambda w: {own: [box(0, 0, w, 2)]}, 0.4),
        _limit(f"{p}.2", lambda s: {own: [box(0, 0, 1, 1), box(1 + s, 0, 1, 1)]}, 0.4),
        Case(f"{p}.3d", overlap_at(1.0), overlap_at(0.995)),
        Case(f"{p}.3e", overlap_at(1.0), overlap_at(0.995)),
        _limit(f"{p}.4a", lambda s: butted_tap(1.78 + s), 0.32),
        _limit(f"{p}.4b", lambda s: _mos(other, **{own: [box(1.14 + s, 1.23, 0.6, 0.5)]}), 0.22),
        Case(f"{p}.5a", _mos(own), _mos(own, **{own: [box(-0.16, -0.225, 2.32, 1.455)]})),
        Case(f"{p}.6", butted(0.78), butted(0.785)),
        _limit(f"{p}.7", lambda s: {own: [box(0, 0, 1, 1)], "poly2": [box(1 + s, 0, 0.5, 1)],
                                    "sab": [box(1 + s, 0, 0.5, 1)]}, 0.18),
        Case(f"{p}.8a", {own: [box(0, 0, 0.5, 0.7)]}, {own: [box(0, 0, 0.5, 0.695)]}),
        Case(f"{p}.8b", {own: _ring(0.5, 0.7)}, {own: _ring(0.5, 0.695)}),
        _limit(f"{p}.9", lambda e: unsalicided("poly2", e), 0.18),
        Case(f"{p}.9", unsalicided("poly2", 0.18),
             {**unsalicided("poly2", 0.18), own: [box(0.32, -0.18, 0.68, 1.16)]},
             note="sticking-out"),
        _limit(f"{p}.10", lambda e: unsalicided("comp", e), 0.18),
        _limit(f"{p}.12", lambda s: _mos(other, **{own: [box(0.5, 1 + s, 1, 1)]}), 0.32),
    ]


def _space(implant: str, comp: tuple, gap: float, **wells) -> Shapes:
    """A COMP of the opposite type and an implant box `gap` to its right."""
    _, y0, x1, y1 = comp
    other = "pplus" if implant == "nplus" else "nplus"
    return {"comp": [comp], other: [comp], implant: [(x1 + gap, y0, x1 + gap + 1, y1)], **wells}


def _space_cases() -> list[Case]:
    lvpwell = {"dnwell": [DNWELL], "lvpwell": [box(0, 0, 5, 5)]}
    table = [
        ("NP.3a", "nplus", box(0, 0, 1, 1), {"nwell": [NWELL]}, 0.16, ""),
        ("NP.3a", "nplus", box(0, 0, 1, 1), {"dnwell": [DNWELL]}, 0.16, "DNWELL"),
        ("NP.3bi", "nplus", box(0.1, 1, 0.2, 1), lvpwell, 0.16, ""),
        ("NP.3bii", "nplus", box(1, 1, 0.5, 1), lvpwell, 0.08, ""),
        ("NP.3ci", "nplus", box(0.5, 0.5, 0.5, 1), {"nwell": [box(0, 0, 3, 3)]}, 0.16, ""),
        ("NP.3ci", "nplus", box(-0.9, 0.5, 0.5, 1), {"nwell": [box(0, 0, 3, 3)]}, 0.16,
         "near-Nwell"),
        ("NP.3cii", "nplus", box(0, 0, 1, 1), {}, 0.08, ""),
        ("PP.3a", "pplus", box(0, 0, 1, 1), {}, 0.16, ""),
        ("PP.3a", "pplus", box(0.5, 0.5, 1, 1), lvpwell, 0.16, "LVPWELL"),
        ("PP.3bi", "pplus", box(0, 0, 1, 1), {"dnwell": [DNWELL]}, 0.08, ""),
        ("PP.3bii", "pplus", box(0.5, 0.5, 1, 1), lvpwell, 0.16, ""),
        ("PP.3ci", "pplus", box(1, 1, 0.5, 0.5), {"nwell": [box(0, 0, 3, 3)]}, 0.08, ""),
        ("PP.3cii", "pplus", box(0.1, 1, 0.2, 0.5), {"nwell": [box(0, 0, 3, 3)]}, 0.16, ""),
    ]
    return [_limit(rule, lambda g, i=implant, c=comp, w=wells: _space(i, c, g, **w), value, note)
            for rule, implant, comp, wells, value, note in table]


def _tap(implant: str, comp: tuple, extension: float, **wells) -> Shapes:
    return {"comp": [comp], implant: [_surround(comp, extension)], **wells}


def _extension_cases() -> list[Case]:
    dn_lvpwell = {"dnwell": [DNWELL], "lvpwell": [box(4.8, -1, 3, 6)]}
    in_lvpwell = {"dnwell": [DNWELL], "lvpwell": [box(0, 0, 5, 5)]}
    nwell = {"nwell": [box(0, 0, 3, 3)]}
    table = [
        ("NP.5b", "nplus", COMP, {}, 0.16, ""),
        ("NP.5b", "nplus", box(0.5, 0.5, 2, 1), in_lvpwell, 0.16, "LVPWELL"),
        ("NP.5ci", "nplus", box(4, 1, 0.6, 0.6), dn_lvpwell, 0.16, ""),
        ("NP.5cii", "nplus", box(1, 1, 0.6, 0.6), {"dnwell": [DNWELL]}, 0.02, ""),
        ("NP.5di", "nplus", box(0.2, 1, 0.6, 0.6), nwell, 0.16, ""),
        ("NP.5dii", "nplus", box(1, 1, 0.6, 0.6), nwell, 0.02, ""),
        ("PP.5b", "pplus", COMP, {"nwell": [NWELL]}, 0.16, ""),
        ("PP.5ci", "pplus", box(2, 2, 0.6, 0.6), in_lvpwell, 0.02, ""),
        ("PP.5cii", "pplus", box(0.2, 2, 0.6, 0.6), in_lvpwell, 0.16, ""),
        ("PP.5di", "pplus", box(0, 0, 0.6, 0.6), {}, 0.02, ""),
        ("PP.5dii", "pplus", box(1, 1, 0.6, 0.6), nwell, 0.16, ""),
    ]
    return [_limit(rule, lambda e, i=implant, c=comp, w=wells: _tap(i, c, e, **w), value, note)
            for rule, implant, comp, wells, value, note in table]


def _butted_ends(p: str) -> Case:
    """.5b: the butting line is no extension; an implant ending on the COMP edge is."""
    own, other = IMPLANT[p], OTHER[p]
    well = {"nwell": [NWELL]} if own == "pplus" else {}
    passing = {"comp": [COMP], own: [box(-0.16, -0.16, 1.16, 1.32)],
               other: [box(1, -0.16, 1.16, 1.32)], **well}
    return Case(f"{p}.5b", passing, {**passing, own: [box(-0.16, -0.16, 1.16, 1.16)]},
                note="butting-line")


def _butting_near_well(rule: str, well: Shapes, own_left: bool, limit: float,
                       note: str = "") -> Case:
    """A butted COMP whose butting line lies at x = b, near a well edge at x = 0."""
    own, other = IMPLANT[rule[:2]], OTHER[rule[:2]]

    def at(b: float) -> Shapes:
        left, right = (own, other) if own_left else (other, own)
        return {"comp": [box(b - 1, 1, 2, 0.6)], left: [box(b - 1.2, 0.8, 1.2, 1)],
                right: [box(b, 0.8, 1.2, 1)], **well}

    return Case(rule, at(limit), at(round(limit + (STEP if limit < 0 else -STEP), 3)), note=note)


NWELL_AT_0 = {"nwell": [box(0, 0, 3, 3)]}
LVPWELL_AT_0 = {"dnwell": [DNWELL], "lvpwell": [box(0, 0, 3, 3)]}

CASES = [
    *_mirrored_cases("NP"),
    *_mirrored_cases("PP"),
    *_space_cases(),
    *_extension_cases(),
    _butted_ends("NP"),
    _butted_ends("PP"),
    _butting_near_well("NP.11", NWELL_AT_0, False, -0.43),
    _butting_near_well("NP.11", LVPWELL_AT_0, True, 0.43, note="LVPWELL"),
    _butting_near_well("PP.11", NWELL_AT_0, True, 0.43),
    _butting_near_well("PP.11", LVPWELL_AT_0, False, -0.43, note="LVPWELL"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_implant_rule(case, tmp_path):
    assert_case(case, tmp_path)
