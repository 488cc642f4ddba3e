"""Input layers of a DRC run as hierarchical (deep) regions, plus the derived layers.

Drawn layers come from the PDK adapter's layer map; derived layers (ncomp, tgate, ...) are
functions registered in `DERIVED` and computed once per run, on first use.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import cached_property

import klayout.db as kdb

from pdk.gf180mcu.layers import LAYERS, METALS_BY_LEVELS, VIAS_BY_LEVELS
from pdk.gf180mcu.rules import Domain, value
from pdk.gf180mcu.stack import MetalStack

DERIVED: dict[str, Callable[[Layers], kdb.Region]] = {}
# Metals and the layers that count as them (drawn + dummy fill, as the foundry deck reads them).
WITH_DUMMY = ("comp", "poly2", "metal1", "metal2", "metal3", "metal4", "metal5", "metaltop")


def derived(func: Callable[[Layers], kdb.Region]) -> Callable[[Layers], kdb.Region]:
    """Register a derived layer under the function's name."""
    DERIVED[func.__name__] = func
    return func


LIVE_REGIONS = 8  # drawn/derived regions kept between checks in deep mode


class _RegionCache(OrderedDict):
    """Least-recently-used regions, at most `capacity` of them (None: no limit).

    Every deep region alive is a layer of the deep shape store, and each hierarchical
    operation costs time per layer and cell of that store: on a layout of a thousand distinct
    cells the deck took 133 s keeping every region, 16 s keeping 16 and 7 s keeping 8; a
    reused hierarchy (a 50 x 50 array) ran 0.22 s against 0.25 s. Flat runs keep them all.
    """

    def __init__(self, capacity: int | None):
        super().__init__()
        self.capacity = capacity

    def __getitem__(self, key: str) -> kdb.Region:
        region = super().__getitem__(key)
        self.move_to_end(key)
        return region

    def __setitem__(self, key: str, region: kdb.Region) -> None:
        super().__setitem__(key, region)
        self.move_to_end(key)
        while self.capacity is not None and len(self) > self.capacity:
            self.popitem(last=False)


class Layers:
    """Regions of one layout cell, shared by every check of a run."""

    def __init__(self, layout: kdb.Layout, cell: kdb.Cell, variant: MetalStack,
                 store: kdb.DeepShapeStore | None):
        self.layout = layout
        self.cell = cell
        self.variant = variant
        self.store = store
        self.dbu = layout.dbu
        self._regions = _RegionCache(LIVE_REGIONS if store is not None else None)
        self._has: dict[str, bool] = {}
        self._empty: kdb.Region | None = None
        self._index = {(info.layer, info.datatype): index
                       for index, info in ((i, layout.get_info(i)) for i in layout.layer_indexes())}

    # ------------------------------------------------------------------ values and units
    def d(self, rule_id: str, domain: Domain = "lv") -> int:
        """A rule's length value in database units."""
        return round(value(rule_id, domain, self.variant.top_metal_thickness) / self.dbu)

    def area(self, rule_id: str, domain: Domain = "lv") -> int:
        """A rule's area value in database units squared."""
        return round(value(rule_id, domain, self.variant.top_metal_thickness) / self.dbu ** 2)

    def um(self, microns: float) -> int:
        return round(microns / self.dbu)

    # ------------------------------------------------------------------ layers
    def _read(self, number: tuple[int, int]) -> kdb.Region:
        index = self._index.get(number)
        if index is None:
            return self.empty()
        shapes = self.cell.begin_shapes_rec(index)
        return kdb.Region(shapes, self.store) if self.store else kdb.Region(shapes)

    def empty(self) -> kdb.Region:
        """An empty region of the run's kind (deep regions only combine with deep ones), read
        from a layer of its own that holds no shapes, so making it costs nothing."""
        if self.store is None:
            return kdb.Region()
        if self._empty is None:
            blank = self.layout.insert_layer(kdb.LayerInfo())
            self._empty = kdb.Region(self.cell.begin_shapes_rec(blank), self.store)
        return self._empty.dup()

    def _sources(self, name: str) -> list[tuple[int, int]]:
        """GDS layers read as one drawn layer: the layer, its dummy fill for metals, COMP and
        Poly2, and for the last metal of a stack below six levels also MetalTop 53/0, which
        the older foundry deck (and its regression patterns) use for that level."""
        names = [name]
        if name == self.top_metal_name and name != "metaltop":
            names.append("metaltop")
        return [LAYERS[item] for item in names] + [
            LAYERS[f"{item}_dummy"] for item in names if item in WITH_DUMMY]

    def drawn(self, name: str) -> kdb.Region:
        """A drawn layer by adapter name, merged."""
        key = f"drawn:{name}"
        if key not in self._regions:
            first, *others = self._sources(name)
            region = self._read(first)
            for number in others:
                region += self._read(number)
            self._regions[key] = region.merged()
        return self._regions[key]

    def has(self, name: str) -> bool:
        """Whether a drawn layer has shapes (checks of empty layers are skipped)."""
        if name not in self._has:
            numbers = self._sources(name)
            self._has[name] = any(
                number in self._index and not self.cell.begin_shapes_rec(
                    self._index[number]).at_end() for number in numbers)
        return self._has[name]

    def __getattr__(self, name: str) -> kdb.Region:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._regions:
            return self._regions[name]
        if name in DERIVED:
            self._regions[name] = DERIVED[name](self)
            return self._regions[name]
        if name in LAYERS:
            return self.drawn(name)
        raise AttributeError(f"no drawn or derived DRC layer {name!r}")

    # ------------------------------------------------------------------ metal stack
    @cached_property
    def metals(self) -> tuple[str, ...]:
        return METALS_BY_LEVELS[self.variant.metal_levels]

    @cached_property
    def vias(self) -> tuple[str, ...]:
        return VIAS_BY_LEVELS[self.variant.metal_levels]

    @property
    def top_metal_name(self) -> str:
        return self.metals[-1]

    def metal(self, n: int) -> kdb.Region:
        """Metal level n (1-based) of the chosen stack."""
        return self.drawn(self.metals[n - 1])

    def via(self, n: int) -> kdb.Region:
        """Via n, between metal level n and n+1."""
        return self.drawn(self.vias[n - 1])


def load_derived() -> None:
    """Import the modules whose @derived functions fill DERIVED."""
    import extraction.drc.derived  # noqa: F401
