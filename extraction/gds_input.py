"""Checks on an input layout that DRC and LVS share: it must hold GF180MCU data."""

from __future__ import annotations

from pathlib import Path

import klayout.db as kdb

from pdk.gf180mcu.layers import LAYERS
from sgdr_flow.errors import FlowError

LISTED = 8  # foreign layers named in the message


def require_gf180_shapes(layout: kdb.Layout, cell: kdb.Cell, gds: Path) -> None:
    """FlowError (exit 2) when the cell draws nothing on any GF180MCU layer: checking such a
    layout would be a clean pass it never earned (e.g. another PDK's GDS, a wrong layer map)."""
    known = set(LAYERS.values())
    foreign = []
    for index in layout.layer_indexes():
        info = layout.get_info(index)
        if cell.begin_shapes_rec(index).at_end():
            continue
        if (info.layer, info.datatype) in known:
            return
        foreign.append(f"{info.layer}/{info.datatype}")
    drawn = (f"only on layers {', '.join(foreign[:LISTED])}{' ...' * (len(foreign) > LISTED)}"
             if foreign else "nothing at all")
    raise FlowError(f"{gds}: cell {cell.name} has no shapes on any GF180MCU layer (it draws "
                    f"{drawn}); is it a GF180MCU layout?")
