"""Per-chip bias-current trim of the learning array, measured through the chip's own pins.

The bias formulas (`sim.testbenches.biases`) assume ideal devices. On silicon, and already in the
transistor-level simulation, the update loop, the leak and the forward multiplier have
systematic gain errors (moderate inversion, drain-induced barrier lowering, body effect of the
loop devices whose sources sit above ground, the weight node's total capacitance, the process
corner and, for a Monte Carlo sample, its mismatch). The golden model is very sensitive to two
of them: a 1 % error of the forward gain or a 3 % error of lambda costs more than a bit at 8
bits. A real chip gets these from a trim after fabrication; this module is that trim, done as a
chip would do it:

* **per chip**: on the chip's own netlist (the extracted one for post-layout runs) at its own
  corner or Monte Carlo sample (the same ngspice seed, so the same device draws);
* **at the nominal temperature and supply**, with the nominal hyperparameters, and then **held**:
  the trim ratios it finds multiply the bias currents of every other temperature, supply and
  hyperparameter the chip runs at (`held`);
* **through the pins only**: it drives the input, target and bias pins and reads the wmon pins.

1. **Stimulus** (`pattern`): a periodic test pattern, not a scored stream. Every input takes
   one of 5 levels (the midpoints of 5 equal bins of `x_range`, so mean and spread match the task's
   inputs); over one 25-sample cycle each pair of synapses sees all 25 level pairs once (an
   orthogonal array: synapse i uses level (a_i k + b_i (k // 5)) mod 5), and the target is
   x . w_ref with a fixed reference weight vector spread over `w_range`. The pattern runs for
   `SETTLE` time constants of the slowest mode of SGDr, eta (var(x) + lambda), so the weights
   settle to their regularized fixed point, where lambda and the forward gain show.
2. **Measurement**: the chip learns the pattern with the bias currents of the nominal eta and
   lambda; the weights are read exactly as in the scored runs (`sim.testbenches.learning` /
   `measure_learning`).
3. **Fit** (`fit_gains`): the golden model's exact gradient flow with three effective gains is
   fitted (least squares over the whole trajectory) to the measured weights:
   dw/dt = g_eta eta (x (t - g_f y) - g_lam lambda w), i.e. the update loop's gain g_eta, the leak's
   gain g_lam (relative to the loop's: lambda_eff = g_lam lambda) and the forward gain g_f.
4. **Correction** (`trimmed`): I_eta / g_eta (eta is proportional to I_eta), I_lambda /
   (g_eta g_lam) (the leak rate eta lambda grows with I_lambda; from the second round on, the
   secant through the last two rounds, since the node's own leakage adds a constant) and
   I_uf * g_f (y is proportional to 1 / I_uf). Measurement and correction repeat (at most
   `rounds` times, until every measured gain is within `tolerance` of 1); the trims multiply.
   The rounds of all chips run together on the executor.
5. **Verified, not predicted**: each round also records how far the measured weights are from
   the ideal flow (gains 1). A chip whose gains do not converge (three global gains cannot
   describe, say, mismatch between its synapses) keeps the currents of its best *measured*
   round, never an unmeasured extrapolation.

Why a learning pattern and not the leak alone (x = 0) or constant inputs: measured that way (the
flow's first version of this trim) lambda came out 5-20 % off the lambda the array shows while it
learns (with x = 0 the update loop is off; with every input constant its weight- and
input-dependent gains are seen at one point only), and the worst sweep run lost about a bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from sgdr_flow.config import LearningTestbench, TrimConfig
from sim.decks import DeckWriter
from sim.executor import Executor, SimJob
from sim.golden import sgdr_ode
from sim.netlists import CellNetlist
from sim.task import Task
from sim.testbenches import Bench, Biases, learning, measure_learning

LEVELS = 5            # input levels of the pattern (a prime: the orthogonal-array construction)
CYCLE = LEVELS ** 2   # samples in which every pair of synapses meets every pair of levels
LINES = [(1, 0), (0, 1), (1, 1), (1, 2), (1, 3), (1, 4)]  # (a_i, b_i): pairwise independent mod 5
SETTLE = 5.0          # pattern length in time constants of the slowest SGDr mode
MIN_CYCLES = 2


@dataclass(frozen=True)
class Gains:
    """Effective gains of the array against the golden model (1.0 is ideal)."""

    eta: float       # update loop: eta_eff / eta
    lam: float       # leak: lambda_eff / lambda
    forward: float   # forward multiplier: weight of y against t in the update
    rms: float       # RMS weight residual of the fit


@dataclass
class Calibration:
    """What one chip's trim measured and what it changed."""

    samples: int                                  # pattern length per measurement
    measured: list[Gains] = field(default_factory=list)   # one per round
    tracking_rms: list[float] = field(default_factory=list)  # weights vs the ideal, per round
    kept_round: int | None = None                 # whose currents the chip keeps (None: final)
    nominal_a: dict[str, float] = field(default_factory=dict)    # before the trim
    corrected_a: dict[str, float] = field(default_factory=dict)  # after it
    trim: dict[str, float] = field(default_factory=dict)  # corrected / nominal
    decks: list[str] = field(default_factory=list)
    error: str | None = None                      # a failed measurement: the chip runs untrimmed

    def as_json(self) -> dict[str, Any]:
        return {"method": "orthogonal-array test pattern through the chip's pins, fit of the "
                          "golden gradient flow with gains (eta, lambda, forward)",
                "samples_per_measurement": self.samples,
                "measured_gains": [asdict(g) for g in self.measured],
                "tracking_rms": self.tracking_rms, "kept_round": self.kept_round,
                "nominal_currents_a": self.nominal_a, "corrected_currents_a": self.corrected_a,
                "trim": self.trim, "decks": self.decks, "error": self.error}


def levels(x_range: tuple[float, float]) -> np.ndarray:
    """Midpoints of LEVELS equal bins of the input range."""
    lo, hi = x_range
    return lo + (hi - lo) * (np.arange(LEVELS) + 0.5) / LEVELS


def pattern_samples(n: int, tb: LearningTestbench, eta: float, lam: float,
                    period: float) -> int:
    """Whole cycles covering SETTLE time constants of the slowest mode, eta (var(x) + lambda)."""
    spread = float(np.var(levels(tb.x_range)))
    per_sample = eta * period * (spread + lam)
    cycles = max(MIN_CYCLES, math.ceil(SETTLE / per_sample / CYCLE))
    return cycles * CYCLE


def pattern(n: int, tb: LearningTestbench, samples: int) -> Task:
    """The calibration stimulus: the orthogonal-array input pattern and its targets."""
    values = levels(tb.x_range)
    k = np.arange(samples)
    a, b = k % LEVELS, (k // LEVELS) % LEVELS
    columns = []
    for i in range(n):
        ai, bi = LINES[i % len(LINES)]
        columns.append(values[(ai * a + bi * b + i // len(LINES)) % LEVELS])
    x = np.column_stack(columns)
    lo, hi = tb.w_range
    w_ref = np.linspace(lo, hi, n) if n > 1 else np.array([(lo + hi) / 2])
    return Task(X=x, t=x @ w_ref, w_star=w_ref)


def _model(task: Task, period: float, eta: float, lam: float, w0: np.ndarray,
           grid: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Golden flow with gains p = (g_eta, g_lam, g_f): dw/dt = g_eta eta (x (t - g_f y) -
    g_lam lam w) = eta' (x (t / g_f - y) - lam' w), eta' = g_eta g_f eta, lam' = g_lam lam / g_f."""
    g_eta, g_lam, g_f = p
    scaled = Task(task.X, task.t / g_f, task.w_star)
    return sgdr_ode(scaled, period, eta * g_eta * g_f, lam * g_lam / g_f, w0, grid)


def fit_gains(task: Task, period: float, eta: float, lam: float, weights: np.ndarray,
              grid: np.ndarray, iterations: int = 50) -> Gains:
    """Least-squares (Levenberg-Marquardt, numeric Jacobian) of the three gains."""
    w = np.asarray(weights, dtype=float)
    p = np.ones(3)
    lower, upper = np.array([0.2, 0.2, 0.5]), np.array([5.0, 5.0, 2.0])

    def residual(q: np.ndarray) -> np.ndarray:
        return (_model(task, period, eta, lam, w[0], grid, q) - w).ravel()

    r = residual(p)
    cost, damping = float(r @ r), 1e-3
    for _ in range(iterations):
        jac = np.empty((r.size, 3))
        for j in range(3):
            step = 1e-6 * max(1.0, abs(p[j]))
            q = p.copy()
            q[j] += step
            jac[:, j] = (residual(q) - r) / step
        normal, gradient = jac.T @ jac, jac.T @ r
        while True:
            delta = np.linalg.solve(normal + damping * np.diag(np.diag(normal) + 1e-12),
                                    -gradient)
            trial = np.clip(p + delta, lower, upper)
            r_trial = residual(trial)
            cost_trial = float(r_trial @ r_trial)
            if cost_trial < cost:
                p, r, damping = trial, r_trial, max(damping / 10, 1e-9)
                improved = cost - cost_trial
                cost = cost_trial
                break
            damping *= 10
            if damping > 1e8:
                improved = 0.0
                break
        if improved <= 1e-14 * max(cost, 1e-30):
            break
    return Gains(float(p[0]), float(p[1]), float(p[2]), float(math.sqrt(cost / r.size)))


def trimmed(bias: Biases, gains: Gains,
            previous: tuple[Biases, Gains] | None = None) -> Biases:
    """The bias currents that cancel measured gains (see the module docstring).

    The leak rate g_eta g_lam (in units of eta lambda) is affine, not proportional, in I_lambda:
    the devices on the weight node leak too, and a constant leakage current acts exactly like
    extra lambda (dw/dt = -w I_leak / (C n U_T)). With the `previous` round's measurement the
    leak is trimmed by the secant through the two (I_lambda, rate) points, which finds the
    current that cancels the leakage in one step; the first round (or a non-increasing secant)
    uses the proportional correction."""
    i_lam = bias.i_lam / (gains.eta * gains.lam)
    if previous is not None:
        before, then = previous
        rate, rate_before = gains.eta * gains.lam, then.eta * then.lam
        if bias.i_lam != before.i_lam:
            slope = (rate - rate_before) / (bias.i_lam - before.i_lam)
            if slope > 0:
                i_lam = max(bias.i_lam + (1.0 - rate) / slope, bias.i_lam * LEAK_FLOOR)
    return replace(bias, i_eta=bias.i_eta / gains.eta, i_lam=i_lam,
                   i_uf=bias.i_uf * gains.forward)


LEAK_FLOOR = 0.1  # a round lowers I_lambda at most tenfold (the leakage may exceed lambda)


TRIMMED = ("i_eta", "i_lam", "i_uf")


def held(trimmed_nominal: Biases, nominal: Biases, wanted: Biases) -> Biases:
    """The bias currents of another operating point (`wanted`, from the formulas) with the trim
    found at the nominal point held: each trimmed current keeps its trim ratio."""
    ratio = {k: getattr(trimmed_nominal, k) / getattr(nominal, k) for k in TRIMMED}
    return replace(wanted, **{k: getattr(wanted, k) * ratio[k] for k in TRIMMED})


@dataclass(frozen=True)
class TrimTarget:
    """One chip to trim: its netlist, weight nodes, where it runs and where its weights start."""

    chip: str
    cell: CellNetlist
    weight_nodes: list[str]
    bench: Bench
    v_start: list[float]


def trim_chips(targets: list[TrimTarget], tb: LearningTestbench, nominal: Biases, eta: float,
               lam: float, period: float, config: TrimConfig, executor: Executor,
               decks: DeckWriter | None = None,
               step: Callable[..., None] | None = None) -> dict[str, tuple[Biases, Calibration]]:
    """Trim every chip of `targets` for the nominal eta and lambda; the measurement rounds of all
    chips run together. A chip whose measurement fails keeps the currents it had, and its record
    says why."""
    if not targets:
        return {}
    n = len(targets[0].weight_nodes)
    samples = pattern_samples(n, tb, eta, lam, period)
    task = pattern(n, tb, samples)
    state = {t.chip: (nominal, Calibration(samples, nominal_a=_trimmed_of(nominal)))
             for t in targets}
    used: dict[str, list[Biases]] = {t.chip: [] for t in targets}  # the currents of each round
    pending = list(targets)
    for round_ in range(config.rounds):
        jobs, metas = [], []
        for target in pending:
            bias = state[target.chip][0]
            job = learning(target.cell, target.weight_nodes, task, tb, bias, target.v_start,
                           period, target.bench, f"trim/{target.chip}/{round_}")
            if decks is None:
                jobs.append(SimJob(job.name, job.netlist))
            else:
                jobs.append(decks.write(job))
                state[target.chip][1].decks.append(Path(jobs[-1].path or "").name)
            metas.append(job.meta)
        results = executor.run(jobs, step and (lambda done, total, r=round_: step(
            f"trim round {r + 1}: chips measured", done, total)))
        still = []
        for target, meta, result in zip(pending, metas, results, strict=True):
            bias, record = state[target.chip]
            if not result.ok:
                record.error = f"trim round {round_} failed: {result.error}"
                continue
            measured = measure_learning(result.vectors, meta)
            weights, grid = np.asarray(measured["weights"]), np.asarray(measured["grid"])
            gains = fit_gains(task, period, eta, lam, weights, grid)
            previous = (used[target.chip][-1], record.measured[-1]) if record.measured else None
            record.measured.append(gains)
            record.tracking_rms.append(_tracking_rms(task, period, eta, lam, weights, grid))
            used[target.chip].append(bias)
            state[target.chip] = (trimmed(bias, gains, previous), record)
            if max(abs(g - 1) for g in (gains.eta, gains.lam, gains.forward)) >= \
                    config.tolerance:
                still.append(target)
        pending = still
        if not pending:
            break
    for target in pending:  # not converged: the best measured currents, not an extrapolation
        _, record = state[target.chip]
        if record.tracking_rms:
            best = int(np.argmin(record.tracking_rms))
            record.kept_round = best
            state[target.chip] = (used[target.chip][best], record)
    for bias, record in state.values():
        record.corrected_a = _trimmed_of(bias)
        record.trim = {k: record.corrected_a[k] / record.nominal_a[k] for k in TRIMMED}
    return state


def _tracking_rms(task: Task, period: float, eta: float, lam: float, weights: np.ndarray,
                  grid: np.ndarray) -> float:
    """RMS distance of the measured weights from the ideal flow (every gain 1)."""
    ideal = _model(task, period, eta, lam, weights[0], grid, np.ones(3))
    return float(np.sqrt(np.mean((weights - ideal) ** 2)))


def _trimmed_of(bias: Biases) -> dict[str, float]:
    return {k: getattr(bias, k) for k in TRIMMED}
