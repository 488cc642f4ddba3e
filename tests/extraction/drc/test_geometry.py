"""Off-grid and angle checks of every drawn layer on hand-made patterns."""

from __future__ import annotations

import pytest

from pdk.gf180mcu.layers import LAYERS
from tests.extraction.drc.patterns import Case, assert_case, box

ON_GRID = box(0, 0, 1, 1)
DIAGONAL = [(0, 0), (1, 0), (1.5, 0.5), (1.5, 1.5), (0, 1.5)]  # 45 degree corner cut
OFF_GRID = box(0, 0, 1.001, 1)
OFF_ANGLE = [(0, 0), (1, 0), (1.5, 0.25), (1.5, 1.5), (0, 1.5)]  # 26.6 degree edge
ACUTE = [(0, 0), (2, 0), (2, 0.5)]  # 14 degree corner


def _cases(name: str) -> list[Case]:
    return [
        Case(f"{name}_OFFGRID", {name: [ON_GRID, DIAGONAL]}, {name: [OFF_GRID]}),
        Case(f"{name}_OFFGRID", {name: [box(0, 0, 2, 2), box(0.5, 0.5, 0.501, 0.5)]},
             {name: [box(0, 0, 2, 2), box(1.5, 0.5, 0.601, 0.5)]}, note="merged"),
        Case(f"{name}_angle", {name: [ON_GRID, DIAGONAL]}, {name: [OFF_ANGLE]}),
        Case(f"{name}_angle", {name: [[(0, 0), (2, 0), (2, 2)]]}, {name: [ACUTE]}, note="acute"),
    ]


CASES = [case for name in LAYERS for case in _cases(name)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_geometry_rule(case, tmp_path):
    assert_case(case, tmp_path)
