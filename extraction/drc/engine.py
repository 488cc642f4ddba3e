"""Runs the deck on one cell of a GDS and writes KLayout's marker database and JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import klayout.db as kdb
import klayout.rdb as rdb

from extraction.drc.check import Check, Markers
from extraction.drc.deck import deck_for
from extraction.drc.hierarchy import Recovered, recover
from extraction.drc.layers import Layers
from extraction.extent import read_layout
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.errors import FlowError

MAX_LISTED = 5000  # violations listed in JSON per rule; counts are always complete


@dataclass
class RuleResult:
    check: Check
    markers: list[Markers]
    count: int
    seconds: float


@dataclass
class DrcResult:
    cell: str
    gds: str
    variant: MetalStack
    results: list[RuleResult] = field(default_factory=list)
    seconds: float = 0.0
    dbu: float = 0.001
    mode: str = "deep"          # "deep" (hierarchical) or "flat", as run
    recovered: Recovered | None = None  # the repetition found in a flat layout, if used

    @property
    def violations(self) -> int:
        return sum(r.count for r in self.results)

    @property
    def clean(self) -> bool:
        return self.violations == 0

    def by_rule(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for result in self.results:
            if result.count:
                out[result.check.name] = out.get(result.check.name, 0) + result.count
        return out

    def as_json(self) -> dict[str, Any]:
        listed: list[dict[str, Any]] = []
        for result in self.results:
            for box in islice(_boxes(result.markers, self.dbu), MAX_LISTED):
                listed.append({"rule": result.check.name, "bbox": box,
                               "message": result.check.description})
        return {
            "cell": self.cell,
            "gds": self.gds,
            "variant": self.variant.model_dump(),
            "rules_checked": sorted({r.check.name for r in self.results}),
            "violations": listed,
            "violation_count": self.violations,
            "mode": self.mode,
            "recovered": self.recovered and {
                "placements": self.recovered.placements,
                "repeated_shapes": self.recovered.repeated,
                "kept_shapes": self.recovered.kept},
            "by_rule": self.by_rule(),
            "seconds": round(self.seconds, 3),
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=1))

    def write_lyrdb(self, path: Path) -> None:
        """KLayout marker database: one category per rule ID, items in micron units."""
        db = rdb.ReportDatabase("DRC")
        db.description = f"sgdr-flow DRC of {self.cell}"
        db.original_file = self.gds
        db.top_cell_name = self.cell
        db.generator = "sgdr-flow built-in GF180MCU deck"
        cell = db.create_cell(self.cell)
        categories: dict[str, Any] = {}
        trans = kdb.CplxTrans(self.dbu)
        for result in self.results:
            name = result.check.name
            if name not in categories:
                categories[name] = db.create_category(name)
                categories[name].description = result.check.description
            for markers in result.markers:
                if markers.count():
                    db.create_items(cell.rdb_id(), categories[name].rdb_id(), trans, markers)
        db.save(str(path))


def _boxes(markers: Iterable[Markers], dbu: float) -> Iterable[list[float]]:
    for collection in markers:
        for item in collection.each():
            box = item.bbox()
            yield [round(box.left * dbu, 4), round(box.bottom * dbu, 4),
                   round(box.right * dbu, 4), round(box.top * dbu, 4)]


def pick_cell(layout: kdb.Layout, name: str | None, gds: Path) -> kdb.Cell:
    if name:
        cell = layout.cell(name)
        if cell is None:
            raise FlowError(f"{gds}: no cell named {name!r}")
        return cell
    tops = list(layout.top_cells())
    if len(tops) != 1:
        names = ", ".join(c.name for c in tops) or "none"
        raise FlowError(f"{gds}: {len(tops)} top cells ({names}); choose one with --cell")
    return tops[0]


def _as_list(found: Markers | tuple[Markers, ...]) -> list[Markers]:
    items = list(found) if isinstance(found, tuple | list) else [found]
    return [_flat_copy(m) for m in items]


def _flat_copy(markers: Markers) -> Markers:
    """Markers as a flat collection of their own.

    A deep collection (even after `flatten()`) keeps a layer of the deep shape store alive, and
    every operation of the hierarchical engine then works on a store that has one layer more
    per rule: on a layout of a thousand distinct cells that made the whole deck 2000 times
    slower than flat mode. A flat copy releases the layer as soon as the check's regions go.
    """
    if not markers.is_deep():
        return markers
    flat = type(markers)()
    flat.insert(markers)
    return flat


AUTO_DEEP_GAIN = 4.0  # `deep=None` runs hierarchically when the hierarchy saves this much


def hierarchy_gain(layout: kdb.Layout, top: kdb.Cell) -> float:
    """Shapes of the flattened cell per shape stored in its cell tree (1: no cell is reused;
    400: a 20 x 20 array). Counted per cell and placement, without flattening anything."""
    placements: dict[int, int] = {top.cell_index(): 1}
    for index in layout.each_cell_top_down():  # parents before children
        count = placements.get(index, 0)
        if not count:
            continue
        for inst in layout.cell(index).each_inst():
            child = inst.cell_index
            placements[child] = placements.get(child, 0) + count * inst.size()
    stored = flat = 0
    layers = list(layout.layer_indexes())
    for index, count in placements.items():
        if count:
            cell = layout.cell(index)
            shapes = sum(cell.shapes(li).size() for li in layers)
            stored += shapes
            flat += shapes * count
    return flat / stored if stored else 1.0


def run_drc(gds: Path, cell: str | None = None, variant: MetalStack | None = None,
            skip: Iterable[str] = (), only: Iterable[str] | None = None, density: bool = False,
            deep: bool | None = True, threads: int = 0,
            progress: Callable[[str, int, int], None] | None = None) -> DrcResult:
    """Check one cell. `only`/`skip` select rule IDs; density rules run only when asked.

    `deep`: True hierarchical, False flat, None chooses: hierarchical when the cell tree
    reuses cells enough (`hierarchy_gain` >= AUTO_DEEP_GAIN), flat otherwise. Both modes
    flag the same places (markers may be cut differently). Hierarchical processing gets
    slower with every region kept alive on a layout of many distinct cells (measured: a
    thousand one-off cells, 5000 shapes: 171 s deep against 0.4 s flat), so a layout that
    gains nothing from its hierarchy is better checked flat. A large flat cell (True or None)
    is first searched for a repeated cell (`hierarchy.recover`); when one pays off, the run is
    hierarchical on the recovered hierarchy, which has exactly the cell's geometry.

    `threads` are the hierarchical engine's worker threads; 0 runs every operation in the
    calling thread. On the 2-core machines measured here 0 was the fastest by far: with
    worker threads each of the many small operations waits for a hand-over, and a busy
    second core made a cell's run 30 times slower (0.05 s against up to 5 s).
    """
    started = time.monotonic()
    variant = variant or MetalStack()
    layout = read_layout(gds)
    top = pick_cell(layout, cell, gds)
    checked, deep, recovered = _hierarchy(layout, top, deep)
    store = kdb.DeepShapeStore() if deep else None
    if store is not None:
        store.threads = threads
    layers = Layers(layout, checked, variant, store)
    skip = set(skip)
    wanted = set(only) if only is not None else None
    checks = [c for c in deck_for(variant, density)
              if c.name not in skip and (wanted is None or c.name in wanted)]
    result = DrcResult(top.name, str(gds), variant, dbu=layout.dbu,
                       mode="deep" if deep else "flat", recovered=recovered)
    rules = len({check.name for check in checks})  # rule IDs, as the results count them
    started_rules: set[str] = set()
    for check in checks:
        if progress and check.name not in started_rules:
            started_rules.add(check.name)
            progress(check.name, len(started_rules), rules)
        t0 = time.monotonic()
        if not any(layers.has(name) for name in check.layers):
            result.results.append(RuleResult(check, [], 0, 0.0))
            continue
        markers = _as_list(check.find(layers))
        count = sum(m.count() for m in markers)
        result.results.append(RuleResult(check, markers, count, time.monotonic() - t0))
    result.seconds = time.monotonic() - started
    return result


RECOVER_MIN_SHAPES = 10_000  # own shapes of a flat cell worth searching for repetition


def own_shapes(layout: kdb.Layout, cell: kdb.Cell) -> int:
    return sum(cell.shapes(li).size() for li in layout.layer_indexes())


def _hierarchy(layout: kdb.Layout, top: kdb.Cell,
               deep: bool | None) -> tuple[kdb.Cell, bool, Recovered | None]:
    """The cell to check, whether hierarchically, and the repetition recovered for it."""
    if deep is False:
        return top, False, None
    if hierarchy_gain(layout, top) >= AUTO_DEEP_GAIN:
        return top, True, None
    if own_shapes(layout, top) >= RECOVER_MIN_SHAPES:
        recovered = recover(layout, top, AUTO_DEEP_GAIN)
        if recovered is not None:
            return recovered.cell, True, recovered
    return top, bool(deep), None
