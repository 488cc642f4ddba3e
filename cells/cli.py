"""`sgdr-flow cells`: list the cell library or write every design cell of flow.yaml."""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path

from sgdr_flow.errors import Exit


def cmd_cells(args: argparse.Namespace) -> int:
    from cells.registry import load_cells

    if args.list:
        for name, cell in sorted(load_cells().items()):
            params = ", ".join(f"{p.name}={p.default!r}" for p in
                               inspect.signature(cell.circuit).parameters.values())
            print(f"{name:<18} {cell.doc}\n{'':<18} ({params})")
        return Exit.OK
    from cells.build import build_cell
    from sgdr_flow.cli import _flow

    flow = _flow(args.flow)
    out = Path(args.out) if args.out else flow.path.parent / "build" / "cells"
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in flow.config.design.cells.items():
        built = build_cell(name, spec.cell, spec.params, flow.config.pdk.variant, out,
                           flow.config.design.guard_rings, flow.config.design.dummies)
        info = built.summary()
        print(f"{name:<14} {spec.cell:<18} {info['width_um']:8.2f} x {info['height_um']:7.2f} um"
              f"  {info['devices']:3d} devices  -> {built.gds}")
    return Exit.OK


def register(sub: argparse._SubParsersAction) -> None:
    cells = sub.add_parser("cells", help="write every design cell (GDS, LVS and sim netlists)")
    cells.add_argument("flow", nargs="?")
    cells.add_argument("--list", action="store_true", help="list the cell library and exit")
    cells.add_argument("--out", metavar="DIR", help="output folder (default: build/cells)")
    cells.set_defaults(func=cmd_cells)
