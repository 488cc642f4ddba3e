"""What the precision target tolerates: the golden SGDr flow with one kind of circuit error
against the ideal flow, on the default task's tuning seeds (docs/robustness.md, table 1).

    python benchmarks/sensitivity.py [--flow flow.yaml] [--draws 4] [--synapses N]

Errors: an imbalance eps_i between each synapse's target and output branches (dw_i/dt =
eta (x_i (t (1 + eps_i) - y) - lambda w_i)), an eta error common to all synapses or per
synapse, a lambda error, and the imbalance of an update whose error e = t - y is formed once for
the array and rectified (class B): each synapse charges its node with x_i e+ through one branch
and discharges it with x_i e- through the other, gains 1 + a_i/2 and 1 - a_i/2, so
dw_i/dt = eta (x_i (e + a_i |e| / 2) - lambda w_i): at e = 0 both branches carry nothing and the
asymmetry a_i only acts on the residual error. Each row: median and worst precision over the
tuning seeds and draws.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sgdr_flow.config import load_flow  # noqa: E402
from sim.metrics import precision_bits  # noqa: E402
from sim.task import Task, far_start, make_task  # noqa: E402

STEPS = 40  # Euler steps per input period (both flows use the same)
# per synapse: (eps, eta gain, lambda gain, class-B asymmetry a)
Gains = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def flow(task: Task, w0: np.ndarray, period: float, eta: float, lam: float,
         gains: Gains) -> np.ndarray:
    eps, g_eta, g_lam, asym = gains
    dt, w, out = period / STEPS, w0.copy(), [w0.copy()]
    for k in range(task.samples):
        x, t = task.X[k], task.t[k]
        for _ in range(STEPS):
            e = t - w @ x
            drive = x * (e + t * eps + asym * abs(e) / 2)
            w = w + dt * eta * g_eta * (drive - lam * g_lam * w)
        out.append(w.copy())
    return np.array(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flow", type=Path, default=ROOT / "flow.yaml")
    parser.add_argument("--draws", type=int, default=4, help="random draws per seed")
    parser.add_argument("--synapses", type=int, help="N (default: the flow's n_synapses)")
    args = parser.parse_args(argv)
    config = load_flow(args.flow).config
    tb, metrics = config.simulation.testbenches.learning, config.simulation.metrics
    n = args.synapses or config.design.n_synapses
    rng = np.random.default_rng(0)

    def gains(eps: float | np.ndarray = 0.0, eta: float | np.ndarray = 1.0,
              lam: float | np.ndarray = 1.0, asym: float | np.ndarray = 0.0) -> Gains:
        return tuple(np.broadcast_to(np.asarray(v, float), (n,)) for v in (eps, eta, lam, asym))

    cases: list[tuple[str, Callable[[], Gains]]] = [
        *((f"branch imbalance, sigma(eps) = {s:g}", lambda s=s: gains(eps=rng.normal(0, s, n)))
          for s in (1e-4, 3e-4, 1e-3, 1e-2)),
        *((f"class-B asymmetry, sigma(a) = {s:g}", lambda s=s: gains(asym=rng.normal(0, s, n)))
          for s in (1e-3, 3e-3, 1e-2, 3e-2)),
        *((f"eta {100 * s:+g} % on every synapse", lambda s=s: gains(eta=1 + s))
          for s in (0.03, 0.1, 0.2)),
        *((f"eta per synapse, sigma {100 * s:g} %",
           lambda s=s: gains(eta=1 + rng.normal(0, s, n))) for s in (0.03, 0.1)),
        *((f"lambda {100 * s:+g} %", lambda s=s: gains(lam=1 + s))
          for s in (0.03, 0.1, 0.3, 1.0)),
    ]
    print(f"{n} synapses, eta {tb.eta_per_s:g}/s, lambda {tb.lam:g}, tuning seeds "
          f"{tb.tuning_seeds}, {args.draws} draws each")
    for label, draw in cases:
        bits = []
        for seed in tb.tuning_seeds:
            task = make_task(n, tb.samples, seed, x_range=tb.x_range, w_range=tb.w_range,
                             noise=tb.target_noise)
            w0 = far_start(task, tb.w_range)
            ideal = flow(task, w0, tb.sample_period_s, tb.eta_per_s, tb.lam, gains())
            for _ in range(args.draws):
                found = flow(task, w0, tb.sample_period_s, tb.eta_per_s, tb.lam, draw())
                bits.append(precision_bits(found, ideal, metrics.w_full_scale,
                                           metrics.steady_state_fraction))
        print(f"{label:<40} median {np.median(bits):6.2f} bits, worst {min(bits):6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
