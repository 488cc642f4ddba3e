"""How every stage of the flow grows with the array: wall time and peak memory per stage at
several array sizes, and the growth exponent of each (the slope of log cost over log N).

    python benchmarks/flow_scale.py [--sizes 4 16 64] [--lvs-sizes 256] [--repeat 1]
        [--flat-pex 4 16] [--json OUT]

Each size is flow.yaml with `design.n_synapses` set, in a build folder of its own, and a
reduced simulation set so that the large arrays finish (stated in the output): variation and
trim off, one scoring seed, `--samples` samples, the cells' own testbenches off; the learning
runs on the schematic and the extracted array. `--lvs-sizes` runs cells -> layout -> DRC -> LVS
only. Every stage runs in a process of its own (`sgdr-flow run --only STAGE --force`): its time
is the stage's own (its manifest), its memory the peak resident memory of that process and all
its children (klayout-pex workers, simulators), sampled every 0.1 s. With `--repeat`, the fastest
run of each stage counts (the machines this runs on are shared: the load is printed).
`--flat-pex` also times the array's extraction flat (`extraction.hierarchical: false`) there.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("cells", "layout", "drc", "lvs", "pex", "sim", "report")
THROUGH_LVS = ("cells", "layout", "drc", "lvs")
SAMPLE_S = 0.1


@dataclass
class Measured:
    stage: str
    n: int
    seconds: float      # the stage's own time (its manifest)
    peak_mb: float      # peak resident memory of its process tree
    status: str


def reduced_flow(n: int, samples: int, hierarchical: bool = True) -> dict:
    """flow.yaml with N synapses and the reduced simulation set."""
    flow = yaml.safe_load((ROOT / "flow.yaml").read_text())
    flow["design"]["n_synapses"] = n
    flow["extraction"]["hierarchical"] = hierarchical
    sim = flow["simulation"]
    learning = sim["testbenches"]["learning"]
    learning.update(scoring_seeds=learning["scoring_seeds"][:1], samples=samples,
                    eta_scale=[], lambda_scale=[], bias_scale=[])
    sim["testbenches"] = {"translinear_dc": {"enabled": False},
                          "memory_hold": {"enabled": False}, "learning": learning}
    sim["variation"] = {"enabled": False}
    sim["trim"] = {"enabled": False}
    flow["report"]["plots"] = False
    return flow


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            pages = int(Path(f"/proc/{current}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += pages * os.sysconf("SC_PAGE_SIZE")
    return total


def run_stage(flow: Path, stage: str) -> tuple[float, str]:
    """Run one stage in a process of its own; (peak MB of its process tree, status)."""
    child = subprocess.Popen([sys.executable, "-m", "sgdr_flow.cli", "run", str(flow),
                              "--only", stage, "--force"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(SAMPLE_S):
            peak = max(peak, _tree_rss(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = child.communicate()
    done.set()
    sampler.join()
    manifest = json.loads((flow.parent / "build" / stage / "manifest.json").read_text())
    if child.returncode not in (0, 1) or manifest.get("status") == "error":
        raise RuntimeError(f"stage {stage} of {flow} failed ({child.returncode}): {err[-800:]}")
    return peak / 2**20, manifest["status"]


def measure(folder: Path, n: int, stages: tuple[str, ...], repeat: int, samples: int,
            hierarchical: bool = True, label: str = "") -> list[Measured]:
    folder.mkdir(parents=True, exist_ok=True)
    flow = folder / "flow.yaml"
    flow.write_text(yaml.safe_dump(reduced_flow(n, samples, hierarchical), sort_keys=False))
    found = []
    for stage in stages:
        best: Measured | None = None
        for _ in range(repeat):
            peak, status = run_stage(flow, stage)
            seconds = json.loads((folder / "build" / stage / "manifest.json").read_text())[
                "duration_s"]
            run = Measured(label or stage, n, seconds, peak, status)
            best = run if best is None or run.seconds < best.seconds else best
            best.peak_mb = max(best.peak_mb, peak)
        print(f"  N={n:<4} {best.stage:<10} {best.seconds:8.2f} s {best.peak_mb:8.0f} MB "
              f"({best.status})", flush=True)
        found.append(best)
    print(f"  N={n:<4} {array_facts(folder / 'build')}", flush=True)
    return found


def array_facts(build: Path) -> str:
    """What was measured: the array's grid and outline, and the checks' verdicts on it."""
    if not (build / "layout" / "summary.json").is_file():
        return "no array built"
    layout = json.loads((build / "layout" / "summary.json").read_text())
    grid = layout["floorplan"]
    facts = [f"{grid['rows']} x {grid['columns']} grid",
             f"{layout['bbox_area_um2'] / 1e6:.3f} mm^2"]
    for stage, verdict in (("drc", "clean"), ("lvs", "match")):
        summary = build / stage / "summary.json"
        if summary.is_file():
            array = json.loads(summary.read_text())["cells"][layout["top"]]
            facts.append(f"{stage.upper()} {verdict if array[verdict] else 'FAIL'}"
                         + (f" ({array['devices_layout']} devices)" if stage == "lvs" else ""))
    return ", ".join(facts)


def exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(value) over log(N); None below two sizes."""
    points = [(n, v) for n, v in points if v > 0]
    if len({n for n, _ in points}) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(v) for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs)


def table(runs: list[Measured]) -> list[str]:
    """Time and memory per stage and size, each with its growth exponent."""
    sizes = sorted({r.n for r in runs})
    stages = list(dict.fromkeys(r.stage for r in runs))
    head = f"{'stage':<10}" + "".join(f"{'N=' + str(n):>10}" for n in sizes) + "  exponent"
    lines: list[str] = []
    for title, digits, value in (("wall time of the stage, s", 2, lambda r: r.seconds),
                                 ("peak memory of its process tree, MB", 0,
                                  lambda r: r.peak_mb)):
        lines += [title, head]
        for stage in stages:
            found = {r.n: value(r) for r in runs if r.stage == stage}
            row = "".join(f"{found[n]:>10.{digits}f}" if n in found else " " * 10
                          for n in sizes)
            slope = exponent(sorted(found.items()))
            lines.append(f"{stage:<10}{row}  {'' if slope is None else f'{slope:8.2f}'}")
        lines.append("")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 16, 64],
                        help="array sizes run through the whole flow")
    parser.add_argument("--lvs-sizes", type=int, nargs="*", default=[256],
                        help="sizes run through cells -> layout -> DRC -> LVS only")
    parser.add_argument("--flat-pex", type=int, nargs="*", default=[],
                        help="sizes whose array is also extracted flat, for comparison")
    parser.add_argument("--repeat", type=int, default=1, help="runs per stage (fastest counts)")
    parser.add_argument("--samples", type=int, default=40, help="learning samples per run")
    parser.add_argument("--out", type=Path, help="keep the build folders here")
    parser.add_argument("--json", type=Path, help="write the numbers here")
    args = parser.parse_args(argv)
    print(f"flow_scale: machine of {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    seeds = reduced_flow(1, args.samples)["simulation"]["testbenches"]["learning"][
        "scoring_seeds"]
    print(f"simulation: reduced set at every size: variation and trim off, scoring seed "
          f"{seeds}, {args.samples} samples, translinear and hold testbenches off; learning "
          "on the schematic and the extracted array")
    runs: list[Measured] = []
    with tempfile.TemporaryDirectory(prefix="sgdr-scale-") as tmp:
        base = args.out or Path(tmp)
        for n in args.sizes:
            runs += measure(base / f"n{n}", n, STAGES, args.repeat, args.samples)
            if n in args.flat_pex:
                runs += measure(base / f"n{n}", n, ("pex",), args.repeat, args.samples,
                                hierarchical=False, label="pex flat")
        for n in args.lvs_sizes:
            runs += measure(base / f"n{n}", n, THROUGH_LVS, args.repeat, args.samples)
        for n in args.flat_pex:
            if n not in args.sizes:
                folder = base / f"n{n}"
                runs += measure(folder, n, THROUGH_LVS, 1, args.samples)
                runs += measure(folder, n, ("pex",), args.repeat, args.samples,
                                hierarchical=False, label="pex flat")
    print()
    print("\n".join(table(runs)))
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({"runs": [asdict(r) for r in runs],
                                         "samples": args.samples}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
