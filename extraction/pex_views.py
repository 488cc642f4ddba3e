"""The pieces of an array's layout that are extracted on their own: where each cell is placed,
the top level's own wiring, and small windows around the seams between them.

All of it comes from the GDS hierarchy, never from a floorplan's coordinates: a "unit" is a
cell of the array that the flow extracts once (a design cell), placed any number of times at
any depth; everything else (the top cell's shapes, via or strap subcells) is wiring.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import klayout.db as kdb

from extraction.lvs.extract import extract
from pdk.gf180mcu.layers import LABEL_OF, LAYERS, VIAS_BY_LEVELS
from pdk.gf180mcu.stack import MetalStack

LABELS = frozenset(LAYERS[name] for name in set(LABEL_OF.values()))


@dataclass(frozen=True)
class Placement:
    """A unit placed in the top cell, by its full transformation (dbu) and its bounding box
    in the top cell's coordinates."""

    cell: str
    trans: kdb.ICplxTrans
    box: kdb.Box


def placements(layout: kdb.Layout, top: kdb.Cell, units: set[str]) -> list[Placement]:
    """Every placement of a cell named in `units` below `top` (arrays expanded), in the order
    of the GDS hierarchy; the walk does not descend into a unit."""
    found: list[Placement] = []

    def walk(cell: kdb.Cell, trans: kdb.ICplxTrans) -> None:
        for inst in cell.each_inst():
            child = layout.cell(inst.cell_index)
            for each in inst.cell_inst.each_cplx_trans():
                placed = trans * each
                if child.name in units:
                    found.append(Placement(child.name, placed, child.bbox().transformed(placed)))
                else:
                    walk(child, placed)

    walk(top, kdb.ICplxTrans())
    return found


def drawn_layers(layout: kdb.Layout) -> list[tuple[int, tuple[int, int]]]:
    """(index, (layer, datatype)) of every layer but the labels', in a fixed order."""
    found = []
    for index in layout.layer_indexes():
        info = layout.get_info(index)
        if (info.layer, info.datatype) not in LABELS:
            found.append((index, (info.layer, info.datatype)))
    return sorted(found, key=lambda item: item[1])


Shapes = dict[tuple[int, int], kdb.Region]  # drawn layer -> shapes


def cell_shapes(layout: kdb.Layout, cell: kdb.Cell, skip: tuple[str, ...] = ()) -> Shapes:
    """A cell's drawn shapes, flattened, without labels; subcells named in `skip` left out."""
    skipped = [c.cell_index() for c in layout.each_cell() if c.name in skip]
    shapes: Shapes = {}
    for index, key in drawn_layers(layout):
        found = cell.begin_shapes_rec(index)
        if skipped:
            found.unselect_cells(skipped)
        region = kdb.Region()
        region.insert(found)  # a copy: a region on the iterator dies with its layout
        if not region.is_empty():
            shapes[key] = region
    return shapes


def transformed(shapes: Shapes, trans: kdb.ICplxTrans) -> Shapes:
    return {key: region.transformed(trans) for key, region in shapes.items()}


def clipped(shapes: Shapes, area: kdb.Region) -> Shapes:
    kept = {key: region & area for key, region in shapes.items()}
    return {key: region for key, region in kept.items() if not region.is_empty()}


def merged(*parts: Shapes) -> Shapes:
    out: Shapes = {}
    for part in parts:
        for key, region in part.items():
            out[key] = out[key] + region if key in out else region.dup()
    return out


def bbox(shapes: Shapes) -> kdb.Box:
    box = kdb.Box()
    for region in shapes.values():
        box += region.bbox()
    return box


CUTS = frozenset(LAYERS[name] for name in ("contact", *VIAS_BY_LEVELS[max(VIAS_BY_LEVELS)]))


def fingerprint(shapes: Shapes, cuts: bool = True) -> str:
    """Same shapes, same string. Without `cuts` (contacts, vias), for grouping placements whose
    surroundings are alike: klayout-pex gives cuts no capacitance, and where they sit along a
    strap (a guard ring contacted every 2 um) differs from cell to cell; the assembly checks
    that the nets they make are the same at every placement."""
    digest = hashlib.sha256()
    for key in sorted(set(shapes) - (frozenset() if cuts else CUTS)):
        polygons = sorted(str(p) for p in shapes[key].merged().each())
        digest.update(f"{key}:{';'.join(polygons)}|".encode())
    return digest.hexdigest()[:16]


def same_shapes(a: Shapes, b: Shapes) -> bool:
    return set(a) == set(b) and all((a[k] ^ b[k]).is_empty() for k in a)


def as_layout(shapes: Shapes, name: str, dbu: float) -> kdb.Layout:
    layout = kdb.Layout()
    layout.dbu = dbu
    cell = layout.create_cell(name)
    for key in sorted(shapes):
        cell.shapes(layout.layer(*key)).insert(shapes[key])
    return layout


def write_lvsdb(shapes: Shapes, name: str, dbu: float, variant: MetalStack,
                path: Path) -> None:
    """Extract a view's nets and devices as the LVS stage does and write the database
    klayout-pex reads. It has no reference netlist and no labels: its nets are named by where
    they are in the array's own LVS database."""
    layout = as_layout(shapes, name, dbu)
    lvs = extract(layout, layout.cell(name), variant)
    netlist = lvs.netlist()
    netlist.make_top_level_pins()
    netlist.flatten()
    netlist.combine_devices()
    lvs.write(str(path))
