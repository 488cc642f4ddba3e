"""`sgdr-flow sample`: rerun one Monte Carlo sample (or corner) alone and compare it with the
report."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from sgdr_flow.errors import Exit

METRICS = ("precision_bits", "mse_percent", "weight_mse_percent", "power_w")


def cmd_sample(args: argparse.Namespace) -> int:
    from sgdr_flow.config import load_flow
    from sim.rerun import chip_for, rerun_chip

    flow = load_flow(Path(args.flow or "flow.yaml"))
    build = Path(args.build) if args.build else flow.path.parent / "build"
    chip = chip_for(flow.config, args.netlist, args.seed, args.corner)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="sgdr-sample-"))
    records = rerun_chip(flow.config, build, chip, out)
    report_path = build / "report.json"
    recorded = json.loads(report_path.read_text()).get("sim", {}).get("runs", {}) \
        if report_path.is_file() else {}
    same = True
    for rid, record in records.items():
        found = record.get("metrics") or {}
        before = (recorded.get(rid) or {}).get("metrics")
        line = "  ".join(f"{k}={found.get(k, float('nan')):.6g}" for k in METRICS)
        if before is None:
            note = "(not in the report)"
        else:
            equal = all(found.get(k) == before.get(k) for k in METRICS)
            same = same and equal
            note = "same as the report" if equal else "DIFFERS from the report"
        print(f"{rid}: {line}  {note}")
    print(f"decks in {out / 'decks'}")
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1))
    return Exit.OK if same else Exit.GATE_FAILED


def register(sub: argparse._SubParsersAction) -> None:
    sample = sub.add_parser(
        "sample", help="rerun one Monte Carlo sample (its ngspice seed) or corner alone",
        description="Trim and run one chip of the flow's plan alone on the build's netlists, "
                    "and compare its metrics with build/report.json. Exit 0 when they agree, "
                    "1 when they differ, 2 on bad input.")
    sample.add_argument("flow", nargs="?")
    chip = sample.add_mutually_exclusive_group(required=True)
    chip.add_argument("--seed", type=int, help="the sample's ngspice seed (report: chips)")
    chip.add_argument("--corner", help="a process corner instead of a sample")
    sample.add_argument("--netlist", choices=["extracted", "schematic"], default="extracted")
    sample.add_argument("--build", metavar="DIR", help="build folder (default: beside FLOW)")
    sample.add_argument("--out", metavar="DIR", help="where the decks go (default: a temp dir)")
    sample.add_argument("--json", metavar="OUT", help="write the runs' records as JSON")
    sample.set_defaults(func=cmd_sample)
