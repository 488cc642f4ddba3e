"""DRC benchmark on the flow's synapse array, hierarchical and flattened, against the foundry's
deck and against our own deck of other versions.

    python benchmarks/drc_synapse_array.py [--synapses 64] [--repeat 3] [--out DIR]
        [--foundry-drc DECK] [--klayout klayout] [--foundry-repeat N]
        [--against GITREF ...] [--json OUT]

The array is built by the flow itself (the cells and layout stages of flow.yaml with
design.n_synapses set) and flattened with KLayout (every shape into the top cell, as a layout
arriving from another tool). A third layout is the flattened one with one violation added inside
a synapse (a Metal2 square below the minimum width and area): a failing layout must stay failing.

Every DRC run is a process of its own, so that its peak memory (max RSS) is its own; the fastest
of --repeat runs counts (the machines this runs on are shared). Ours runs in automatic mode
(`run_drc(deep=None)`), and flat on the flattened array for reference. `--against REF` runs the
deck of a git revision of this repository (`git archive`) the same way on the same files;
`--foundry-drc` runs the foundry's KLayout deck (not part of this repository) in deep mode with
the same variant in a KLayout application. Verdicts match when both decks find the layout clean,
or both flag it (the rule IDs flagged by one deck only are listed).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SELF = Path(__file__).resolve()
sys.path.insert(0, str(SELF.parent))

from _measure import child, own_peak_mb  # noqa: E402

VARIANT = {"metal_levels": 5, "top_metal_thickness": "9K", "mim_option": "B"}
VIOLATION_UM = 0.2          # side of the added Metal2 square (M2.1: 0.28 um)
CLEARANCE_UM = 2.0          # empty Metal2 space around it


@dataclass
class Layout:
    name: str
    gds: Path
    cell: str
    shapes: int             # as stored
    flat_shapes: int


@dataclass
class Run:
    layout: str
    deck: str               # "ours", "ours@REF", "foundry"
    mode: str
    seconds: float
    cpu_seconds: float
    peak_mb: float
    violations: int
    by_rule: dict[str, int] = field(default_factory=dict)


# ------------------------------------------------------------------------------ the layouts
def build_array(synapses: int, out: Path) -> Path:
    """The flow's cells and layout stages with `design.n_synapses` set; the array's GDS."""
    import yaml

    sys.path.insert(0, str(ROOT))
    from sgdr_flow.config import load_flow
    from sgdr_flow.progress import Progress
    from sgdr_flow.runner import run_flow

    data = yaml.safe_load((ROOT / "flow.yaml").read_text())
    data["design"]["n_synapses"] = synapses
    flow = out / f"flow{synapses}.yaml"
    flow.write_text(yaml.safe_dump(data, sort_keys=False))
    runs = run_flow(load_flow(flow), out / "build", only=["cells", "layout"],
                    progress=Progress(io.StringIO()))
    failed = [r.name for r in runs if r.status == "error"]
    if failed:
        raise SystemExit(f"building the array failed in {', '.join(failed)} (see {out}/build)")
    return out / "build" / "layout" / f"{data['design']['top']}.gds"


def layouts(gds: Path, out: Path) -> list[Layout]:
    """The array as built, flattened, and flattened with one violation inside a synapse."""
    import klayout.db as kdb

    layout = kdb.Layout()
    layout.read(str(gds))
    top = layout.top_cell()
    flat_count = _flat_shapes(layout, top)
    found = [Layout("hierarchical", gds, top.name, _stored(layout), flat_count)]
    top.flatten(-1, True)
    layout.cleanup()
    options = kdb.SaveLayoutOptions()
    options.write_context_info = False  # readable by KLayout 0.28 applications too
    flat = out / f"{gds.stem}_flat.gds"
    layout.write(str(flat), options)
    found.append(Layout("flattened", flat, top.name, _stored(layout), _stored(layout)))
    _add_violation(layout, top)
    bad = out / f"{gds.stem}_flat_violation.gds"
    layout.write(str(bad), options)
    found.append(Layout("flattened + 1 error", bad, top.name, _stored(layout), _stored(layout)))
    return found


def _stored(layout) -> int:
    return sum(c.shapes(li).size() for c in layout.each_cell() for li in layout.layer_indexes())


def _flat_shapes(layout, top) -> int:
    import klayout.db as kdb

    return sum(kdb.Region(top.begin_shapes_rec(li)).count() + kdb.Texts(
        top.begin_shapes_rec(li)).count() for li in layout.layer_indexes())


def _add_violation(layout, top) -> None:
    """A Metal2 square below M2.1 and M2.3 in empty Metal2 space in the middle of the array."""
    import klayout.db as kdb

    sys.path.insert(0, str(ROOT))
    from pdk.gf180mcu.layers import LAYERS
    from pdk.gf180mcu.rules import value

    metal2 = layout.layer(*LAYERS["metal2"])
    grid = round(value("OFFGRID") / layout.dbu)
    box = top.bbox()
    middle = kdb.Box(box.left, box.center().y - box.height() // 8, box.right,
                     box.center().y + box.height() // 8)
    clearance = round(CLEARANCE_UM / layout.dbu)
    free = kdb.Region(middle) - kdb.Region(top.begin_shapes_rec(metal2)).sized(clearance)
    spot = free.sized(-clearance).bbox().center()
    x, y = (grid * round(v / grid) for v in (spot.x, spot.y))  # on the grid: no OFFGRID marker
    side = round(VIOLATION_UM / layout.dbu)
    top.shapes(metal2).insert(kdb.Box(x, y, x + side, y + side))


# ------------------------------------------------------------------------ one measured run
def measure_ours(gds: Path, cell: str, mode: str, root: Path) -> dict:
    """Our DRC, from the code under `root`, in this process (run as a child of main)."""
    sys.path.insert(0, str(root))
    from extraction.drc.engine import run_drc

    try:
        from pdk.gf180mcu.stack import MetalStack
    except ImportError:  # revisions before the metal stack moved into the PDK adapter
        from sgdr_flow.config import MetalStack

    deep = {"auto": None, "deep": True, "flat": False}[mode]
    cpu = time.process_time()
    result = run_drc(gds, cell, MetalStack(**VARIANT), deep=deep)
    recovered = getattr(result, "recovered", None)
    label = result.mode + (f", {recovered.placements}x recovered" if recovered else "")
    return {"seconds": result.seconds, "cpu_seconds": time.process_time() - cpu, "mode": label,
            "violations": result.violations, "by_rule": result.by_rule(),
            "peak_mb": own_peak_mb()}


def measure_foundry(gds: Path, cell: str, deck: Path, klayout: str, out: Path) -> dict:
    """The foundry deck in deep mode in a KLayout application (the child of this process)."""
    sys.path.insert(0, str(ROOT))
    from extraction.external import run_external_drc
    from pdk.gf180mcu.stack import MetalStack
    from sgdr_flow.config import ExternalDeck

    spec = ExternalDeck(klayout=Path(klayout), deck=deck,
                        variables={"thr": "1", "run_mode": "deep"})
    result = run_external_drc(spec, gds, cell, MetalStack(**VARIANT),
                              report=out / f"{gds.stem}.foundry.lyrdb")
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": result.seconds, "cpu_seconds": used.ru_utime + used.ru_stime,
            "mode": "deep", "violations": result.violation_count, "by_rule": result.by_rule(),
            "peak_mb": used.ru_maxrss / 1024}


def best(layout: Layout, deck: str, args: list[str], repeat: int) -> Run:
    runs = [child(SELF, args) for _ in range(repeat)]
    fastest = min(runs, key=lambda r: r["seconds"])
    return Run(layout.name, deck, fastest["mode"], fastest["seconds"],
               min(r["cpu_seconds"] for r in runs), max(r["peak_mb"] for r in runs),
               fastest["violations"], fastest["by_rule"])


def checkout(ref: str, into: Path) -> Path:
    """The repository's files at `ref` (git archive), for running that version's deck."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True,
                          check=True).stdout
    target = into / ref.replace("/", "_")
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(target, filter="data")
    return target


# ------------------------------------------------------------------------------- reporting
def verdict(ours: Run, other: Run) -> str:
    if (ours.violations == 0) != (other.violations == 0):
        return "DIFFER"
    if ours.violations == 0:
        return "match (clean)"
    only = sorted(set(_ids(ours.by_rule)) ^ set(_ids(other.by_rule)))
    return "match (fails)" + (f"; one deck only: {' '.join(only)}" if only else "")


def _ids(by_rule: dict[str, int]) -> list[str]:
    """Rule IDs without the foundry's domain suffixes (DF.1a_3.3V, NW.2b_5V_)."""
    import re

    return [re.sub(r"_(3\.3V|5V|6V|LV|MV)?_?$", "", name.strip("'")) for name in by_rule]


def table(layouts_: list[Layout], runs: list[Run]) -> list[str]:
    lines = [f"{'layout':<20} {'shapes':>9} {'deck':<16} {'mode':<22} {'seconds':>8} "
             f"{'cpu s':>8} {'peak MB':>8} {'ratio':>7}  verdict"]
    for layout in layouts_:
        mine = [r for r in runs if r.layout == layout.name]
        ours = next(r for r in mine if r.deck == "ours")  # the automatic mode, run first
        for run in mine:
            ratio = run.seconds / max(ours.seconds, 1e-9)
            lines.append(
                f"{layout.name:<20} {layout.shapes:>9,} {run.deck:<16} {run.mode:<22} "
                f"{run.seconds:>8.2f} {run.cpu_seconds:>8.2f} {run.peak_mb:>8.0f} "
                f"{'' if run is ours else f'{ratio:.1f}x':>7}  "
                f"{f'{run.violations} viol.' if run is ours else verdict(ours, run)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synapses", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3, help="runs per DRC; the fastest counts")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "synapse_array")
    parser.add_argument("--foundry-drc", type=Path, metavar="DECK",
                        help="the foundry's KLayout DRC deck, run by a KLayout application")
    parser.add_argument("--foundry-repeat", type=int, help="runs of the foundry deck "
                        "(default: --repeat)")
    parser.add_argument("--klayout", default="klayout", help="KLayout application")
    parser.add_argument("--against", action="append", default=[], metavar="GITREF",
                        help="also time our deck of this git revision (repeatable)")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--measure", nargs=4, metavar=("KIND", "GDS", "CELL", "ARG"),
                        help=argparse.SUPPRESS)  # one measurement, in a child process
    args = parser.parse_args(argv)
    if args.measure:
        kind, gds, cell, extra = args.measure
        found = (measure_foundry(Path(gds), cell, Path(extra), args.klayout, args.out)
                 if kind == "foundry" else measure_ours(Path(gds), cell, kind, Path(extra)))
        print(json.dumps(found))
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    built = layouts(build_array(args.synapses, args.out.resolve()), args.out.resolve())
    versions = [("ours", ROOT)]
    with tempfile.TemporaryDirectory(prefix="sgdr-bench-") as tmp:
        versions += [(f"ours@{ref}", checkout(ref, Path(tmp))) for ref in args.against]
        runs: list[Run] = []
        for layout in built:
            for deck, root in versions:
                modes = ["auto"] + (["flat"] if layout.name == "flattened" and deck == "ours"
                                    else [])
                for mode in modes:
                    runs.append(best(layout, deck, ["--measure", mode, str(layout.gds),
                                                    layout.cell, str(root)], args.repeat))
            if args.foundry_drc:
                runs.append(best(layout, "foundry", [
                    "--measure", "foundry", str(layout.gds), layout.cell,
                    str(args.foundry_drc.resolve()), "--klayout", args.klayout,
                    "--out", str(args.out.resolve())], args.foundry_repeat or args.repeat))
    print(f"{args.synapses}-synapse array; variant 5LM, 9K, MIM B; best of {args.repeat}; "
          f"seconds: wall time, cpu s: CPU time; ratio = seconds / ours (auto); "
          f"peak MB: the checking process's peak resident memory")
    print("\n".join(table(built, runs)))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"layouts": [asdict(x) | {"gds": str(x.gds)}
                                                     for x in built],
                                         "runs": [asdict(r) for r in runs]}, indent=1))
    mismatch = [r for r in runs if r.deck != "ours" and verdict(
        next(o for o in runs if o.layout == r.layout and o.deck == "ours"), r) == "DIFFER"]
    return 1 if mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
