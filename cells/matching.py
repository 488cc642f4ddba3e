"""How well a placement matches what the circuit says must match, measured on what was drawn.

For every matched set of a circuit (`Circuit.matched`): the centroid of each member (a device's
unit transistors, or one side of a translinear loop) from the drawn gate centres; the centroid
offset, the largest distance between two members' centroids (zero: a linear gradient of any
direction shifts every member alike); how many rows the set spans (two: two-dimensional); and
the orientation agreement, the fraction of its transistors whose first finger conducts in the
same direction as the set's first one (a transistor turned around sees a tilted implant or a
stress gradient the other way round; mirroring about the axis the current flows along, as the
top row is, keeps the direction).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from cells.circuit import Matched

if TYPE_CHECKING:
    from cells.place_route import Placed


@dataclass(frozen=True)
class MatchReport:
    name: str
    kind: str                       # group or loop
    members: int
    units: int
    rows: int                       # 1: in one row, 2: two-dimensional
    centroid_offset_um: float
    orientation_agreement: float
    orientations: dict[str, int]    # R0 (as drawn) / MX (mirrored about the x axis)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def measure(matched: Matched, placed: dict[str, Placed]) -> MatchReport:
    members = [[placed[name] for name in names] for names in matched.sets]
    centres = [_centroid([p.centroid for p in member]) for member in members]
    offset = max((math.dist(a, b) for a, b in itertools.combinations(centres, 2)), default=0.0)
    units = [p for member in members for p in member]
    agree = sum(p.direction == units[0].direction for p in units) / len(units)
    return MatchReport(
        matched.name, matched.kind, len(members), len(units), len({p.row for p in units}),
        round(offset, 4), round(agree, 4),
        dict(Counter("MX" if p.mirrored else "R0" for p in units)))


def match_report(matched: list[Matched], placed: dict[str, Placed]) -> list[MatchReport]:
    return [measure(m, placed) for m in matched]
