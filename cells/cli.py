"""`sgdr-flow cells`: list the cell library or write every design cell of flow.yaml."""

from __future__ import annotations

import argparse
import inspect
from contextlib import nullcontext
from pathlib import Path

from sgdr_flow.errors import Exit


def cmd_cells(args: argparse.Namespace) -> int:
    from cells.registry import load_cells
    from sgdr_flow.config import load_flow

    if args.list:
        if args.flow:
            load_flow(Path(args.flow))  # its design.cell_modules join the library
        for name, cell in sorted(load_cells().items()):
            params = ", ".join(f"{p.name}={p.default!r}" for p in
                               inspect.signature(cell.circuit).parameters.values())
            print(f"{name:<18} {cell.doc}\n{'':<18} ({params})")
        return Exit.OK
    from cells.build import build_cell
    from sgdr_flow.build_folder import locked

    flow = load_flow(Path(args.flow or "flow.yaml"))
    design = flow.config.design
    build = flow.path.parent / "build"
    out = Path(args.out) if args.out else build / "cells"
    # into the build folder (the cells stage's folder): not while a run works there
    with nullcontext() if args.out else locked(build, print):
        out.mkdir(parents=True, exist_ok=True)
        for name, spec in design.cells.items():
            built = build_cell(name, spec.cell, spec.params, flow.config.pdk.variant, out,
                               design.guard_rings, design.dummies)
            info = built.summary()
            print(f"{name:<14} {spec.cell:<18} {info['width_um']:8.2f} x "
                  f"{info['height_um']:7.2f} um  {info['devices']:3d} devices  -> {built.gds}")
    return Exit.OK


def register(sub: argparse._SubParsersAction) -> None:
    cells = sub.add_parser("cells", help="write every design cell (GDS, LVS and sim netlists)")
    cells.add_argument("flow", nargs="?")
    cells.add_argument("--list", action="store_true",
                       help="list the cell library (with FLOW's own cell modules) and exit")
    cells.add_argument("--out", metavar="DIR", help="output folder (default: build/cells)")
    cells.set_defaults(func=cmd_cells)
