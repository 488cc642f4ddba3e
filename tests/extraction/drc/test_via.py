"""Via1..Via5 (Vn.*) rules on hand-made patterns, in the stacks where each via exists."""

from __future__ import annotations

import math

import pytest

from extraction.drc.deck import deck_for
from pdk.gf180mcu.layers import METALS_BY_LEVELS
from pdk.gf180mcu.stack import MetalStack
from tests.extraction.drc.patterns import STEP, Box, Case, assert_case, box, on_grid_above

SIZE = 0.26
FIVE = MetalStack()
SIX = MetalStack(metal_levels=6)
THICK = MetalStack(metal_levels=3, top_metal_thickness="30K", mim_option="A")


def cut(x: float = 0, y: float = 0) -> Box:
    return box(x, y, SIZE, SIZE)


def around(left: float, bottom: float, right: float, top: float, size: float = SIZE) -> Box:
    """The metal enclosing a cut at the origin by the given amount on each side."""
    return (-left, -bottom, size + right, size + top)


def grid(n_x: int, n_y: int, space: float, size: float = SIZE, height: float = SIZE) -> list[Box]:
    """n_x x n_y cuts `space` apart (cuts `height` tall, to make big arrays of few cuts)."""
    return [box(i * (size + space), j * (height + space), size, height)
            for i in range(n_x) for j in range(n_y)]


def line_end(end: float, width: float = 0.30, size: float = SIZE) -> Box:
    """A vertical line of `width` whose bottom end overlaps a cut at the origin by `end`."""
    side = (width - size) / 2
    return (-side, -end, size + side, 2)


def overlap_cases(rule: str, via: str, metal: str, value: float) -> list[Case]:
    cases = [
        Case(rule, {via: [cut()], metal: [around(value, value, value, value)]},
             {via: [cut()], metal: [around(value, value - STEP, value, value)]}),
        Case(rule, {via: [cut()], metal: [around(1, 1, 1, 1)]}, {via: [cut()]},
             note="no-metal"),
    ]
    if value > 0:
        cases.append(Case(rule, {via: [cut()], metal: [around(value, value, value, value)]},
                          {via: [cut()], metal: [around(value, -0.1, value, value)]},
                          note="sticking-out"))
    return cases


def end_cases(rule: str, via: str, metal: str) -> list[Case]:
    return [
        Case(rule, {via: [cut()], metal: [line_end(0.06)]},
             {via: [cut()], metal: [line_end(0.055)]}),
        Case(rule, {via: [cut()], metal: [line_end(0.01, width=0.34)]},
             {via: [cut()], metal: [line_end(0.01, width=0.335)]}, note="line-width"),
    ]


def one_side_cases(rule: str, via: str, metal: str) -> list[Case]:
    return [
        Case(rule, {via: [cut()], metal: [around(0.06, 0.035, 0.06, 0.5)]},
             {via: [cut()], metal: [around(0.055, 0.035, 0.06, 0.5)]}),
        Case(rule, {via: [cut()], metal: [around(0.04, 0.04, 0.04, 0.04)]},
             {via: [cut()], metal: [around(0.04, 0.035, 0.04, 0.04)]}, note="at-0.04"),
        Case(rule, {via: [cut()], metal: [around(0.06, 0.035, 0.06, 0.035)]},
             {via: [cut()], metal: [around(0.035, 0.035, 0.5, 0.5)]}, note="corner"),
    ]


def via_cases(n: int, variant: MetalStack) -> list[Case]:
    via = f"via{n}"
    lower, upper = METALS_BY_LEVELS[variant.metal_levels][n - 1:n + 1]
    diag = on_grid_above(SIZE / math.sqrt(2))
    below = f"V{n}.3a" if n == 1 else f"V{n}.3b"
    cases = [
        Case(f"V{n}.1", {via: [cut()]}, {via: [box(0, 0, SIZE, SIZE + STEP)]}),
        Case(f"V{n}.1", {via: [cut()]}, {via: [box(0, 0, SIZE - STEP, SIZE - STEP)]},
             note="small"),
        Case(f"V{n}.2a", {via: [cut(), cut(SIZE + 0.26)]}, {via: [cut(), cut(SIZE + 0.255)]}),
        Case(f"V{n}.2a", {via: [cut(), cut(SIZE + diag, SIZE + diag)]},
             {via: [cut(), cut(SIZE + diag - STEP, SIZE + diag - STEP)]}, note="corner"),
        Case(f"V{n}.2b", {via: grid(4, 4, 0.36)}, {via: grid(4, 4, 0.355)}),
        Case(f"V{n}.2b", {via: grid(3, 6, 0.30)}, {via: grid(4, 6, 0.30)}, note="3-rows"),
        Case(f"V{n}.2b", {via: grid(4, 2, 0.30, height=1)}, {via: grid(4, 4, 0.30, height=1)},
             note="16-cuts"),
        Case(f"V{n}.2b", {via: [*grid(4, 4, 0.36), cut(2.32, 2.32)]},
             {via: [*grid(4, 4, 0.36), cut(2.475, 1.86)]}, note="diagonal-not-measured"),
        *overlap_cases(below, via, lower, 0.0 if n == 1 else 0.01),
        *end_cases(f"V{n}.3c", via, lower),
        *one_side_cases(f"V{n}.3d", via, lower),
        *overlap_cases(f"V{n}.4a", via, upper, 0.01),
        *end_cases(f"V{n}.4b", via, upper),
        *one_side_cases(f"V{n}.4c", via, upper),
    ]
    return [Case(c.rule, c.passing, c.failing, variant, c.note) for c in cases]


CASES = [
    *(case for n in range(1, 5) for case in via_cases(n, FIVE)),
    *via_cases(5, SIX),
    # Via4 under a 5LM top metal drawn on MetalTop 53/0, as the older foundry deck has it
    *(Case(c.rule, c.passing, c.failing, FIVE, "on-53-0")
      for c in overlap_cases("V4.4a", "via4", "metaltop", 0.01)[:1]),
    *(Case(c.rule, c.passing, c.failing, THICK, f"{c.note}-3LM".lstrip("-"))
      for c in via_cases(2, THICK) if c.rule in {"V2.4a", "V2.4c"}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.id}-{c.variant.metal_levels}LM")
def test_via_rule(case, tmp_path):
    assert_case(case, tmp_path)


@pytest.mark.parametrize("variant", [THICK, MetalStack(metal_levels=4), FIVE, SIX])
def test_vias_only_where_the_stack_has_them(variant):
    present = {c.name.split(".")[0] for c in deck_for(variant) if c.name.startswith("V")}
    assert present == {f"V{n}" for n in range(1, variant.metal_levels)}
