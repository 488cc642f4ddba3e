"""What size of translinear loop meets its error target over corners, temperature and mismatch?

    python benchmarks/tl_sizing.py [--flow flow.yaml] [--sizes 8x2 16x4 ...] [--samples 16]
                                   [--seed 300]

The flow's `translinear_loop` builder at each W x L (um, every device; schematic), run through
the flow's own DC testbench (`simulation.testbenches.translinear_dc`: I_a over its decades):
the worst error over the five process corners at 27, -40 and 85 C, and over Monte Carlo samples
(global + mismatch, 27 C) from `--seed` on. The default seeds are not the
flow's Monte Carlo dies, so a size picked here is scored on dies it was not chosen on.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cells.circuit import sim_netlist  # noqa: E402
from cells.translinear import translinear_loop  # noqa: E402
from pdk.gf180mcu.models import Statistical  # noqa: E402
from sgdr_flow.config import load_flow  # noqa: E402
from sim.netlists import schematic_netlist  # noqa: E402
from sim.ngspice import simulate_here  # noqa: E402
from sim.testbenches import Bench, measure_translinear, translinear_dc  # noqa: E402

CORNERS = ("typical", "ff", "ss", "fs", "sf")
TEMPERATURES_C = (27.0, -40.0, 85.0)


def worst_error(cell, tb, bench: Bench) -> float:
    job = translinear_dc(cell, tb, bench)
    result = simulate_here(job.netlist)
    if result.error:
        raise SystemExit(f"ngspice failed: {result.error}")
    return measure_translinear(result.vectors, job.meta)["max_error_percent"]


def size_row(w: float, ln: float, tb, samples: int, seed: int, folder: Path) -> str:
    circuit = translinear_loop(w, ln, 1)
    (folder / f"{circuit.name}.sim.spice").write_text(sim_netlist(circuit))
    cell = schematic_netlist(folder, circuit.name)
    by_temperature = [max((worst_error(cell, tb, Bench(corner, temperature_c=t)), corner)
                          for corner in CORNERS) for t in TEMPERATURES_C]
    dies = np.array([worst_error(cell, tb, Bench(sample=Statistical(s)))
                     for s in range(seed, seed + samples)])
    corners = " | ".join(f"{error:.2f} ({corner})" for error, corner in by_temperature)
    return (f"| {w:g} x {ln:g} | {w * ln:g} | {corners} | {np.median(dies):.2f} | "
            f"{dies.max():.2f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flow", type=Path, default=ROOT / "flow.yaml")
    parser.add_argument("--sizes", nargs="+", default=["8x2", "16x4", "32x4", "16x8", "64x6"],
                        help="W x L in um")
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--seed", type=int, default=300, help="first Monte Carlo seed")
    args = parser.parse_args(argv)
    tb = load_flow(args.flow).config.simulation.testbenches.translinear_dc
    print(f"worst |error| in % over I_a = {tb.i_min_a:g} .. {tb.i_max_a:g} A; "
          f"{args.samples} Monte Carlo samples from seed {args.seed}")
    print("| W x L (um) | W L (um^2) | corners: 27 C | -40 C | 85 C | dies: median | worst |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            w, ln = (float(v) for v in size.split("x"))
            print(size_row(w, ln, tb, args.samples, args.seed, Path(tmp)), flush=True)


if __name__ == "__main__":
    main()
