"""A seeded, streamed linear-regression task for the SGDr circuit and its golden model.

Each sample k presents inputs `X[k]` and target `t[k] = X[k] . w_star (+ noise)` for one sample
period; the caller chooses the period (it belongs to the testbench, not to the data).

Inputs and weights are **positive**: the circuit stores each weight as the logarithm of a current
(unipolar log-domain memory) and takes unipolar input currents. Signed inputs and weights need
differential or offset-biased current pairs and are future work, so `make_task` refuses
non-positive ranges rather than silently producing values the circuit cannot represent. (The
noisy target `t` may still dip below zero; the error `e = y - t` is signed in any case.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

# Slack (in periods) when mapping a time onto a sample index, so that t = k * period lands in
# sample k despite rounding (k * period / period can come out a hair below k).
_INDEX_SLACK = 1e-9


@dataclass(frozen=True)
class Task:
    """Samples of the stream: `X` (samples x n_inputs), targets `t` (samples), true `w_star`."""

    X: Array
    t: Array
    w_star: Array

    @property
    def samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_inputs(self) -> int:
        return int(self.X.shape[1])


def _frozen(a: ArrayLike) -> Array:
    """A read-only float copy, so a Task cannot be changed behind a cached golden run."""
    out = np.array(a, dtype=float)
    out.setflags(write=False)
    return out


def _positive_range(name: str, rng: tuple[float, float]) -> tuple[float, float]:
    lo, hi = float(rng[0]), float(rng[1])
    if not 0.0 < lo <= hi:
        raise ValueError(
            f"{name}={rng!r}: need 0 < low <= high (unipolar log-domain circuit; "
            "signed values are future work)"
        )
    return lo, hi


def make_task(
    n_inputs: int,
    samples: int,
    seed: int,
    w_star: ArrayLike | None = None,
    x_range: tuple[float, float] = (0.2, 1.0),
    w_range: tuple[float, float] = (0.3, 1.0),
    noise: float = 0.0,
) -> Task:
    """Draw a reproducible task: uniform positive inputs, true weights spread over `w_range`
    (`spread_weights`), Gaussian target noise.

    Weights, inputs and noise come from independent child streams of `seed`, so giving `w_star`
    or changing `noise` leaves the inputs `X` unchanged for the same seed.
    """
    if n_inputs < 1 or samples < 1:
        raise ValueError(f"need n_inputs >= 1 and samples >= 1, got {n_inputs}, {samples}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    x_lo, x_hi = _positive_range("x_range", x_range)
    w_lo, w_hi = _positive_range("w_range", w_range)
    rng_w, rng_x, rng_n = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))
    if w_star is None:
        w = spread_weights(n_inputs, rng_w, (w_lo, w_hi))
    else:
        w = np.asarray(w_star, dtype=float)
        if w.shape != (n_inputs,):
            raise ValueError(f"w_star has shape {w.shape}, expected ({n_inputs},)")
        if np.any(w <= 0):
            raise ValueError("w_star must be positive (unipolar log-domain weights)")
    x = rng_x.uniform(x_lo, x_hi, (samples, n_inputs))
    t = x @ w + noise * rng_n.standard_normal(samples)
    return Task(X=_frozen(x), t=_frozen(t), w_star=_frozen(w))


def spread_weights(n: int, rng: np.random.Generator, w_range: tuple[float, float]) -> Array:
    """Stratified draw: weight i lands in its own of n equal bins of the range (the bins in a
    random order), so that every task spans the range however few weights it has."""
    lo, hi = w_range
    return lo + (hi - lo) * (rng.permutation(n) + rng.uniform(0.0, 1.0, n)) / n


def far_start(task: Task, w_range: tuple[float, float]) -> Array:
    """Starting weights far from the answer: each weight starts at the end of the range away
    from its true value, so it travels at least half the range and the run spans all of it."""
    lo, hi = _positive_range("w_range", w_range)
    return np.where(task.w_star < (lo + hi) / 2, hi, lo)


def upsample(task: Task, factor: int) -> Task:
    """Repeat every sample `factor` times: the same stream seen at a `factor`-times finer step.

    Discrete SGD on the upsampled task with step `eta * period / factor` tends to the
    continuous-time flow as `factor` grows, which is how the golden ODE is checked against SGD.
    """
    if factor < 1:
        raise ValueError(f"factor must be >= 1, got {factor}")
    return Task(
        X=_frozen(np.repeat(task.X, factor, axis=0)),
        t=_frozen(np.repeat(task.t, factor)),
        w_star=task.w_star,
    )


def sample_index(times: ArrayLike, period: float, samples: int) -> NDArray[np.intp]:
    """Index of the sample presented at each time (right-continuous; held after the last one).

    Sample k occupies [k * period, (k + 1) * period); times past the end keep the last sample,
    the way a sample-and-hold keeps its last value. Negative times are an error.
    """
    if period <= 0:
        raise ValueError(f"period must be > 0, got {period}")
    tt = np.asarray(times, dtype=float)
    if np.any(tt < 0):
        raise ValueError("times must be >= 0 (the stream starts at t = 0)")
    k = np.floor(tt / period + _INDEX_SLACK).astype(np.intp)
    return np.minimum(k, samples - 1)


def piecewise_constant(times: ArrayLike, values: ArrayLike, period: float) -> Array:
    """Evaluate a sampled stream (`values[k]` held over period k) on an arbitrary time grid.

    `values` may be 1-D (one value per sample) or 2-D (samples x channels); the result has one row
    per time.
    """
    v = np.asarray(values, dtype=float)
    return v[sample_index(times, period, v.shape[0])]


def stream(task: Task, times: ArrayLike, period: float) -> tuple[Array, Array]:
    """Inputs x(t) (len(times) x n) and target t(t) as the circuit sees them at `times`."""
    return piecewise_constant(times, task.X, period), piecewise_constant(times, task.t, period)


def sample_starts(samples: int, period: float) -> Array:
    """Start time of every sample period, and the end of the last one (samples + 1 points)."""
    return np.arange(samples + 1, dtype=float) * period
