"""The coordinate limit for GDS input of `sgdr-flow drc` and `sgdr-flow lvs`.

KLayout holds coordinates as 32-bit integers (+/- 2^31 database units). Checks that grow, shift
or pair up shapes near the end of that range overflow: a shape at the largest GDS coordinate
made the DRC run forever. Input must therefore lie within +/- LIMIT_DBU database units
(1,000,000 um = 1 m at GF180MCU's 1 nm unit), half the range, which leaves every check room.
The extent is computed in floating point through the whole hierarchy, so placements that would
overflow when flattened are caught too.
"""

from __future__ import annotations

from pathlib import Path

import klayout.db as kdb

from sgdr_flow.errors import FlowError

LIMIT_DBU = 10**9


def _extents(layout: kdb.Layout) -> dict[int, kdb.DBox]:
    """Bounding box of every cell with its subcells, in um, computed without integer overflow."""
    boxes: dict[int, kdb.DBox] = {}
    for index in layout.each_cell_bottom_up():
        cell = layout.cell(index)
        box = kdb.DBox()
        for layer in layout.layer_indexes():
            own = cell.shapes(layer)  # its own shapes only: integer coordinates, no overflow
            if not own.is_empty():
                box += kdb.Region(own).bbox().to_dtype(layout.dbu)
        for inst in cell.each_inst():
            child = boxes[inst.cell_index]
            if child.empty():
                continue
            placed = inst.dcplx_trans * child
            rows = inst.da * max(inst.na - 1, 0) if inst.is_regular_array() else kdb.DVector()
            cols = inst.db * max(inst.nb - 1, 0) if inst.is_regular_array() else kdb.DVector()
            for shift in (kdb.DVector(), rows, cols, rows + cols):
                box += placed.moved(shift)
        boxes[index] = box
    return boxes


def check_extent(layout: kdb.Layout, gds: Path) -> None:
    """Refuse a layout with a coordinate beyond the limit in any cell, in its own coordinates
    (hierarchical checks work there) or placed (FlowError, exit 2)."""
    limit = LIMIT_DBU * layout.dbu
    for index, box in _extents(layout).items():
        if box.empty():
            continue
        worst = max(abs(box.left), abs(box.bottom), abs(box.right), abs(box.top))
        if worst > limit:
            raise FlowError(f"{gds}: cell {layout.cell(index).name} reaches {worst:.6g} um from "
                            f"its origin, beyond the {limit:g} um ({LIMIT_DBU:.0e} database "
                            "units) limit for GDS input: move it nearer the origin")


def read_layout(gds: Path) -> kdb.Layout:
    """The GDS read, or FlowError naming the file (missing or unreadable)."""
    if not gds.is_file():
        raise FlowError(f"{gds}: no such GDS file")
    layout = kdb.Layout()
    try:
        layout.read(str(gds))
    except RuntimeError as exc:
        raise FlowError(f"{gds}: cannot read layout: {exc}") from exc
    return layout


def read_checked(gds: Path) -> None:
    """Read a GDS for the coordinate check alone (bad input: FlowError; a missing file is left
    to the command, which names it)."""
    if gds.is_file():
        check_extent(read_layout(gds), gds)
