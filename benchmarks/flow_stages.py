"""Wall time of every flow stage on a flow.yaml, built from scratch and then again from cache.

    python benchmarks/flow_stages.py [--flow flow.yaml] [--upto STAGE]

The cold run forces every stage into a fresh temporary build folder; the warm run repeats it
unchanged, so every stage should be skipped and the warm total is the cost of the cache check.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sgdr_flow.config import load_flow  # noqa: E402
from sgdr_flow.progress import Progress  # noqa: E402
from sgdr_flow.runner import StageRun, run_flow  # noqa: E402
from sgdr_flow.stages import STAGE_NAMES  # noqa: E402


def timed(flow_path: Path, build: Path, only: list[str],
          force: bool) -> tuple[list[StageRun], float]:
    started = time.monotonic()
    runs = run_flow(load_flow(flow_path), build, only=only, force=force,
                    progress=Progress(io.StringIO()))
    return runs, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flow", type=Path, default=ROOT / "flow.yaml")
    parser.add_argument("--upto", choices=STAGE_NAMES, default=STAGE_NAMES[-1],
                        help="last stage to run (default: all)")
    args = parser.parse_args(argv)
    only = list(STAGE_NAMES[:STAGE_NAMES.index(args.upto) + 1])
    with tempfile.TemporaryDirectory(prefix="sgdr-bench-") as tmp:
        build = Path(tmp) / "build"
        cold, cold_total = timed(args.flow.resolve(), build, only, force=True)
        warm, warm_total = timed(args.flow.resolve(), build, only, force=False)
    print(f"{'stage':<8} {'cold s':>8} {'status':<8} {'warm':<8}")
    for first, again in zip(cold, warm, strict=True):
        print(f"{first.name:<8} {first.duration_s:8.2f} {first.status:<8} "
              f"{'skipped' if again.skipped else f'{again.duration_s:.2f} s'}")
    print(f"{'total':<8} {cold_total:8.2f}          warm {warm_total:.2f} s")
    return 0 if all(run.status != "error" for run in cold) else 1


if __name__ == "__main__":
    sys.exit(main())
