"""Hand-made DRC patterns: draw shapes in microns, run one rule, count its markers.

Each rule gets a passing pattern at its limit and a failing one a grid step beyond, so that a
wrong value or a wrong comparison fails a test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import klayout.db as kdb

from extraction.drc.engine import run_drc
from pdk.gf180mcu.layers import LAYERS
from pdk.gf180mcu.stack import MetalStack

Box = tuple[float, float, float, float]
Poly = list[tuple[float, float]]
Shapes = dict[str, list[Box | Poly]]

STEP = 0.005  # the manufacturing grid


@dataclass
class Case:
    rule: str
    passing: Shapes
    failing: Shapes
    variant: MetalStack = field(default_factory=MetalStack)
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.rule}{'-' + self.note if self.note else ''}"


def insert(shapes: Shapes, cell: kdb.Cell) -> None:
    """Boxes (x1, y1, x2, y2) and polygons (point lists) into a cell, by adapter layer name."""
    layout = cell.layout()
    for name, items in shapes.items():
        layer = layout.layer(*LAYERS[name])
        for item in items:
            if len(item) == 4 and not isinstance(item[0], tuple):
                cell.shapes(layer).insert(kdb.DBox(*item))
            else:
                cell.shapes(layer).insert(kdb.DPolygon([kdb.DPoint(x, y) for x, y in item]))


def draw(shapes: Shapes, path: Path, dbu: float = 0.001) -> Path:
    layout = kdb.Layout()
    layout.dbu = dbu
    insert(shapes, layout.create_cell("TOP"))
    layout.write(str(path))
    return path


def count(shapes: Shapes, rule: str, tmp_path: Path, variant: MetalStack | None = None,
          name: str = "p") -> int:
    gds = draw(shapes, tmp_path / f"{name}.gds")
    result = run_drc(gds, variant=variant or MetalStack(), only=[rule], density=True)
    assert rule in {r.check.name for r in result.results}, f"{rule} is not in the deck"
    flat = run_drc(gds, variant=variant or MetalStack(), only=[rule], density=True, deep=False)
    assert bool(flat.violations) == bool(result.violations), \
        f"{rule}: flat mode finds {flat.violations} markers, deep mode {result.violations}"
    return result.violations


def assert_case(case: Case, tmp_path: Path) -> None:
    assert count(case.passing, case.rule, tmp_path, case.variant, "pass") == 0, \
        f"{case.id}: passing pattern flagged"
    assert count(case.failing, case.rule, tmp_path, case.variant, "fail") > 0, \
        f"{case.id}: failing pattern not flagged"


def box(x: float, y: float, w: float, h: float) -> Box:
    """A w x h box with its lower-left corner at (x, y)."""
    return (x, y, x + w, y + h)


def on_grid_above(value: float) -> float:
    """The smallest grid multiple that is >= value."""
    return round(math.ceil(round(value / STEP, 6)) * STEP, 3)
