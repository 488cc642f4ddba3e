"""How every stage's cost grows with the array: cells, layout, DRC and LVS for N synapses.

    python benchmarks/array_scale.py [--sizes 4 16 64 256] [--flow flow.yaml] [--out DIR]
        [--json OUT]

For each size, flow.yaml with `design.n_synapses` set (extraction and simulation off) is run by
the flow's own runner one stage at a time, every stage in a process of its own so that its wall
time and peak memory (VmHWM, the Python process with its imports included) are its own: cells,
layout, drc (every cell and the array; the array's own check is read from the stage's summary).
Then LVS of the array through `extraction.lvs.engine.run_lvs`, in a process of its own too.
The growth exponent of a stage is the slope of log(time) against log(N) between neighbouring
sizes, and over all sizes a least-squares fit: 1 is linear, 0 does not grow.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SELF = Path(__file__).resolve()
sys.path.insert(0, str(SELF.parent))

from _measure import child, own_peak_mb  # noqa: E402

STAGES = ("cells", "layout", "drc")
COLUMNS = ("cells", "layout", "drc", "drc array", "lvs array")


def write_flow(source: Path, n: int, out: Path) -> Path:
    """flow.yaml with n synapses and nothing after LVS."""
    import yaml

    data = yaml.safe_load(source.read_text())
    data["design"]["n_synapses"] = n
    data.setdefault("extraction", {})["enabled"] = False
    data.setdefault("simulation", {})["enabled"] = False
    path = out / f"flow{n}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# ------------------------------------------------------------------ one measured stage (child)
def measure_stage(stage: str, flow: Path, build: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from sgdr_flow.config import load_flow
    from sgdr_flow.progress import Progress
    from sgdr_flow.runner import run_flow

    loaded = load_flow(flow)
    run = run_flow(loaded, build, only=[stage], force=True, progress=Progress(io.StringIO()))[0]
    if run.status != "ok":
        raise SystemExit(f"stage {stage} ended {run.status} (see {build})")
    found = {"seconds": run.duration_s, "peak_mb": own_peak_mb()}
    if stage == "drc":
        summary = json.loads((build / "drc" / "summary.json").read_text())
        top = loaded.config.design.top
        array = summary["cells"][top]
        timings = json.loads((build / "drc" / "manifest.json").read_text())["timings"]
        found |= {"array_seconds": timings[top], "clean": summary["clean"],
                  "array_violations": array["violations"]}
    if stage == "layout":
        summary = json.loads((build / "layout" / "summary.json").read_text())
        found |= {"grid": f"{summary['floorplan']['rows']}x{summary['floorplan']['columns']}",
                  "area_mm2": summary["bbox_area_um2"] / 1e6}
    return found


def measure_lvs(flow: Path, build: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from extraction.lvs.engine import run_lvs
    from sgdr_flow.config import load_flow

    config = load_flow(flow).config
    top = config.design.top
    result = run_lvs(build / "layout" / f"{top}.gds", build / "layout" / f"{top}.spice", top,
                     config.pdk.variant, config.checks.lvs.tolerances)
    return {"seconds": result.seconds, "peak_mb": own_peak_mb(), "match": result.match,
            "devices": result.devices_layout}


# ----------------------------------------------------------------------------- reporting
def slope(sizes: list[int], values: list[float]) -> float:
    """Least-squares slope of log(value) against log(size)."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(max(v, 1e-6)) for v in values]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs)


def table(sizes: list[int], rows: dict[int, dict[str, dict]]) -> list[str]:
    lines = [f"{'N':>5} {'grid':>6} {'mm^2':>7}  " + "  ".join(
        f"{name + ' s':>12} {'MB':>5}" for name in COLUMNS) + "  verdicts"]
    for n in sizes:
        r = rows[n]
        cells = [(r["cells"]["seconds"], r["cells"]["peak_mb"]),
                 (r["layout"]["seconds"], r["layout"]["peak_mb"]),
                 (r["drc"]["seconds"], r["drc"]["peak_mb"]),
                 (r["drc"]["array_seconds"], r["drc"]["peak_mb"]),
                 (r["lvs"]["seconds"], r["lvs"]["peak_mb"])]
        verdict = (f"DRC {'clean' if r['drc']['clean'] else 'FAILS'}, "
                   f"LVS {'match' if r['lvs']['match'] else 'MISMATCH'} "
                   f"({r['lvs']['devices']} devices)")
        lines.append(f"{n:>5} {r['layout']['grid']:>6} {r['layout']['area_mm2']:>7.3f}  "
                     + "  ".join(f"{s:>12.2f} {mb:>5.0f}" for s, mb in cells) + f"  {verdict}")
    if len(sizes) > 1:
        series = {"cells": [rows[n]["cells"]["seconds"] for n in sizes],
                  "layout": [rows[n]["layout"]["seconds"] for n in sizes],
                  "drc": [rows[n]["drc"]["seconds"] for n in sizes],
                  "drc array": [rows[n]["drc"]["array_seconds"] for n in sizes],
                  "lvs array": [rows[n]["lvs"]["seconds"] for n in sizes]}
        series_mb = {name: [rows[n][key]["peak_mb"] for n in sizes] for name, key in
                     (("cells", "cells"), ("layout", "layout"), ("drc", "drc"),
                      ("lvs array", "lvs"))}
        lines.append("growth exponent of the time, d log(t) / d log(N), between neighbouring "
                     "sizes and fitted over all:")
        for name, values in series.items():
            steps = [f"{sizes[k]}->{sizes[k + 1]}: "
                     f"{slope(sizes[k:k + 2], values[k:k + 2]):5.2f}"
                     for k in range(len(sizes) - 1)]
            lines.append(f"  {name:<10} " + "  ".join(steps)
                         + f"   all: {slope(sizes, values):5.2f}")
        lines.append("growth exponent of the peak memory, fitted over all sizes: " + ", ".join(
            f"{name} {slope(sizes, values):.2f}" for name, values in series_mb.items()))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 16, 64, 256])
    parser.add_argument("--flow", type=Path, default=ROOT / "flow.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "array_scale")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--measure", nargs=3, metavar=("STAGE", "FLOW", "BUILD"),
                        help=argparse.SUPPRESS)  # one measurement, in a child process
    args = parser.parse_args(argv)
    if args.measure:
        stage, flow, build = args.measure
        found = (measure_lvs(Path(flow), Path(build)) if stage == "lvs"
                 else measure_stage(stage, Path(flow), Path(build)))
        print(json.dumps(found))
        return 0

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[int, dict[str, dict]] = {}
    for n in args.sizes:
        flow = write_flow(args.flow.resolve(), n, out)
        build = out / f"build{n}"
        rows[n] = {stage: child(SELF, ["--measure", stage, str(flow), str(build)])
                   for stage in (*STAGES, "lvs")}
        print(f"N = {n}: done", file=sys.stderr, flush=True)
    print(f"array scaling on {args.flow.name}; seconds: the stage's wall time (drc: every cell "
          "and the array; drc array, lvs array: the array alone); MB: peak resident memory of "
          "the stage's process")
    print("\n".join(table(args.sizes, rows)))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({str(n): r for n, r in rows.items()}, indent=1))
    failed = [n for n, r in rows.items() if not (r["drc"]["clean"] and r["lvs"]["match"])]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
