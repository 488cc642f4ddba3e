"""Wall time of the Monte Carlo set (trim and scoring runs of every sample) on each executor.

    python benchmarks/monte_carlo.py [--flow flow.yaml] [--build build] [--samples N]
                                     [--seeds K] [--executors local:1 local:2 dask:2]

Uses the build folder's netlists (run `make flow` first). Every executor runs the same chips
(`samples` Monte Carlo samples of the flow, each trimmed, then scored on the first `seeds` task
seeds); the table gives the wall time, the speed-up over the first executor, and whether the
metrics agree bit for bit with the first executor's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sgdr_flow.config import ExecutorConfig, load_flow  # noqa: E402
from sim.plan import plan_runs  # noqa: E402
from sim.rerun import _array  # noqa: E402
from sim.stage import Design, Learning, execute  # noqa: E402

METRICS = ("precision_bits", "mse_percent", "power_w")


def executor_config(text: str) -> ExecutorConfig:
    kind, workers = text.split(":")
    if kind == "dask":
        return ExecutorConfig(kind="dask", address="local", workers=int(workers))
    return ExecutorConfig(kind="local", workers=int(workers))


def run_set(flow, build: Path, executor: ExecutorConfig, samples: int,
            seeds: int) -> tuple[float, dict, int]:
    import json

    from sim.executor import make_executor

    learning = flow.config.simulation.testbenches.learning
    config = flow.config.model_copy(update={"simulation": flow.config.simulation.model_copy(
        update={"executor": executor, "testbenches": flow.config.simulation.testbenches
                .model_copy(update={"learning": learning.model_copy(
                    update={"scoring_seeds": learning.scoring_seeds[:seeds]})})})})
    runs = [r for r in plan_runs(config) if r.source == "monte_carlo"
            and r.chip.kind == "extracted" and r.chip.mc_index < samples]
    cells = json.loads((build / "cells" / "summary.json").read_text())["cells"]
    arrays = {"extracted": _array(build, "extracted", config.design.top)}
    with tempfile.TemporaryDirectory(prefix="sgdr-mc-") as tmp:
        started = time.monotonic()
        pool = make_executor(executor)
        try:
            learn = Learning(config, Design.of(config, cells), arrays, pool, Path(tmp),
                             lambda *a, **k: None)
            done = execute(learn, runs, [])
        finally:
            pool.close()
        seconds = time.monotonic() - started
        records, _ = learn.records(runs, done.planned, done.results, lambda job: job.name)
    jobs = len(done.results) + sum(len(c.measured) for _, c in done.trims.values())
    return seconds, {rid: tuple((r.get("metrics") or {}).get(k) for k in METRICS)
                     for rid, r in records.items()}, jobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flow", type=Path, default=ROOT / "flow.yaml")
    parser.add_argument("--build", type=Path, help="build folder (default: beside the flow)")
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=1, help="task seeds per chip")
    parser.add_argument("--executors", nargs="+", default=["local:1", "local:2", "dask:2"])
    args = parser.parse_args(argv)
    flow = load_flow(args.flow)
    build = args.build or flow.path.parent / "build"
    print(f"Monte Carlo set: {args.samples} samples x {args.seeds} task seed(s), extracted "
          f"{flow.config.design.n_synapses}-synapse array, each chip trimmed")
    print(f"{'executor':<10} {'jobs':>5} {'wall s':>8} {'speed-up':>9}  same numbers")
    first: tuple[float, dict] | None = None
    status = 0
    for text in args.executors:
        seconds, numbers, jobs = run_set(flow, build, executor_config(text), args.samples,
                                         args.seeds)
        same = "yes" if first is None or numbers == first[1] else "NO"
        status = status or (same == "NO")
        first = first or (seconds, numbers)
        print(f"{text:<10} {jobs:>5} {seconds:8.1f} {first[0] / seconds:8.2f}x  {same}")
    return status


if __name__ == "__main__":
    sys.exit(main())
