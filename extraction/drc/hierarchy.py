"""Finds the repeated cell of a flattened array again, so that deep DRC checks it once.

A layout that arrives flat (from another tool, or merged and flattened) but was an array of one
cell repeats every shape of that cell on one lattice. Hierarchical DRC checks a repeated cell once
plus its surroundings, so giving the flat layout its hierarchy back makes it about as cheap to
check as the hierarchical original (the flattened 64-synapse array: see the README benchmark).

How: identical shapes (same layer, same outline) form a group; a group's positions split into
regular arrays (rows of a constant step, then columns of identical rows), and one shape's arrays
again into arrays of arrays. Each array is a product of lattice factors (step vector, count). The
factor, or pair of orthogonal factors, that covers the most shapes is the repeated cell's
placement: every array containing it goes, less that factor, into the cell, which is placed once
per lattice point; all other shapes stay in the top cell as they were. The result has exactly the
input's geometry on every layer (tests XOR the two).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

import klayout.db as kdb

Point = tuple[int, int]
Factor = tuple[int, int, int]     # step x, step y, count (>= 2)
Key = tuple                       # (layer index, "box", w, h) or (layer index, "polygon", outline)
Array = tuple[Hashable, Point, tuple[Factor, ...]]

POLYGONAL = kdb.Shapes.SBoxes | kdb.Shapes.SPolygons | kdb.Shapes.SPaths
OTHER = kdb.Shapes.STexts | kdb.Shapes.SEdges | kdb.Shapes.SEdgePairs | kdb.Shapes.SPoints


@dataclass(frozen=True)
class Element:
    """One shape repeated over the product of its lattice factors (none: a single shape)."""

    key: Key
    origin: Point
    factors: tuple[Factor, ...]

    @property
    def size(self) -> int:
        return math.prod(n for _, _, n in self.factors)

    def points(self, factors: Iterable[Factor]) -> list[Point]:
        points = [self.origin]
        for dx, dy, n in factors:
            points = [(x + i * dx, y + i * dy) for x, y in points for i in range(n)]
        return points


@dataclass
class Recovered:
    """A new top cell with the input's geometry: `placements` of `repeated` plus `kept` shapes."""

    cell: kdb.Cell
    lattice: tuple[Factor, ...]
    repeated: int
    kept: int

    @property
    def placements(self) -> int:
        return math.prod(n for _, _, n in self.lattice)

    @property
    def gain(self) -> float:
        """Flat shapes per stored shape, as `engine.hierarchy_gain` counts them."""
        return _gain(self.repeated, self.placements, self.kept)


def _gain(repeated: int, placements: int, kept: int) -> float:
    return (repeated * placements + kept) / max(1, repeated + kept)


# ---------------------------------------------------------------------------------- arrays
def runs(values: list[int]) -> list[tuple[int, int, int]]:
    """Sorted distinct values as (first, step, count) runs of a constant step, taken greedily from
    the left; a lone value is (value, 0, 1). A value that would only pair with the first value of
    a longer run stays alone (a shape just below an array must not take the array's first row)."""
    out: list[tuple[int, int, int]] = []
    i, n = 0, len(values)
    while i < n:
        if i + 1 == n or (i + 3 < n and values[i + 2] - values[i + 1] != values[i + 1] - values[i]
                          and values[i + 3] - values[i + 2] == values[i + 2] - values[i + 1]):
            out.append((values[i], 0, 1))
            i += 1
            continue
        step = values[i + 1] - values[i]
        j = i + 1
        while j + 1 < n and values[j + 1] - values[j] == step:
            j += 1
        out.append((values[i], step, j - i + 1))
        i = j + 1
    return out


def _factors(dx: int, nx: int, dy: int, ny: int) -> tuple[Factor, ...]:
    return tuple(f for f in ((dx, 0, nx), (0, dy, ny)) if f[2] > 1)


def arrays(groups: dict[Hashable, list[Point]]) -> Iterator[Array]:
    """Every group's points as 2D arrays, each point in exactly one: the rows' runs of a constant
    x step, then runs of a constant y step among rows with the same run."""
    for key, points in groups.items():
        rows: dict[int, list[int]] = defaultdict(list)
        for x, y in points:
            rows[y].append(x)
        columns: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        for y, xs in rows.items():
            for run in runs(sorted(set(xs))):
                columns[run].append(y)
        for (x0, dx, nx), ys in columns.items():
            for y0, dy, ny in runs(sorted(ys)):
                yield key, (x0, y0), _factors(dx, nx, dy, ny)


def _shapes(layout: kdb.Layout, cell: kdb.Cell) -> dict[Key, list[Point]]:
    """The cell's own boxes, polygons and paths (as polygons), by layer and outline."""
    groups: dict[Key, list[Point]] = defaultdict(list)
    for li in layout.layer_indexes():
        shapes = cell.shapes(li)
        for shape in shapes.each(kdb.Shapes.SBoxes):
            box = shape.box
            left, bottom = box.left, box.bottom
            groups[(li, "box", box.right - left, box.top - bottom)].append((left, bottom))
        for shape in shapes.each(kdb.Shapes.SPolygons | kdb.Shapes.SPaths):
            polygon = shape.polygon
            corner = polygon.bbox().p1
            groups[(li, "polygon", polygon.moved(-corner.x, -corner.y))].append(
                (corner.x, corner.y))
    return groups


def elements(layout: kdb.Layout, cell: kdb.Cell) -> list[Element]:
    """The cell's shapes as arrays of shapes and arrays of those arrays."""
    inner: dict[Hashable, list[Point]] = defaultdict(list)
    for key, origin, factors in arrays(_shapes(layout, cell)):
        inner[(key, factors)].append(origin)
    return [Element(key, origin, inner_factors + outer)
            for (key, inner_factors), origin, outer in arrays(inner)]


def placement_lattice(found: list[Element]) -> tuple[tuple[Factor, ...], int]:
    """The factor, or orthogonal pair of factors, contained in the arrays that hold the most
    shapes, and that number of shapes (empty and 0 when nothing repeats)."""
    covered: dict[tuple[Factor, ...], int] = defaultdict(int)
    for element in found:
        for factor in set(element.factors):
            covered[(factor,)] += element.size
        for a, b in combinations(sorted(set(element.factors)), 2):
            if (a[0] == 0) != (b[0] == 0):
                covered[(a, b)] += element.size
    if not covered:
        return (), 0
    best = max(covered, key=lambda lattice: (covered[lattice], len(lattice)))
    return best, covered[best]


def _insert(cell: kdb.Cell, key: Key, points: list[Point]) -> None:
    layer, kind, *geometry = key
    shapes = cell.shapes(layer)
    if kind == "box":
        w, h = geometry
        for x, y in points:
            shapes.insert(kdb.Box(x, y, x + w, y + h))
    else:
        outline = geometry[0]
        for x, y in points:
            shapes.insert(outline.moved(x, y))


def _without(factors: tuple[Factor, ...], lattice: tuple[Factor, ...]) -> list[Factor] | None:
    """`factors` less the lattice's; None when they do not contain it."""
    rest = list(factors)
    for factor in lattice:
        if factor not in rest:
            return None
        rest.remove(factor)
    return rest


def recover(layout: kdb.Layout, cell: kdb.Cell, min_gain: float) -> Recovered | None:
    """A new top cell (in `layout`) holding the cell's repetition as an array of a new cell, or
    None when it would store fewer than `min_gain` flat shapes per stored shape."""
    found = elements(layout, cell)
    lattice, covered = placement_lattice(found)
    total = sum(element.size for element in found)
    placements = math.prod(n for _, _, n in lattice)
    if not lattice or _gain(covered // placements, placements, total - covered) < min_gain:
        return None
    repeated = layout.create_cell(f"{cell.name}$repeated")
    top = layout.create_cell(f"{cell.name}$recovered")
    for element in found:
        rest = _without(element.factors, lattice)
        if rest is None:
            _insert(top, element.key, element.points(element.factors))
        else:
            _insert(repeated, element.key, element.points(rest))
    steps = [kdb.Vector(dx, dy) for dx, dy, _ in lattice] + [kdb.Vector()]
    counts = [n for _, _, n in lattice] + [1]
    top.insert(kdb.CellInstArray(repeated.cell_index(), kdb.Trans(), steps[0], steps[1],
                                 counts[0], counts[1]))
    for inst in cell.each_inst():
        top.insert(inst)
    for li in layout.layer_indexes():
        for shape in cell.shapes(li).each(OTHER):
            top.shapes(li).insert(shape)
    return Recovered(top, lattice, covered // placements, total - covered)
