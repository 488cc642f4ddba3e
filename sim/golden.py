"""Golden model of SGD with L2 regularization (SGDr), continuous-time and discrete.

The circuit implements the gradient flow of `L = e^2/2 + (lam/2)|w|^2`, `e = w.x - t`:

    dw/dt = -eta (e x + lam w) = -eta (x x^T + lam I) w + eta t x

with `x(t)`, `t(t)` held constant over each sample period. Within a period this is a linear ODE
with constant coefficients, so it has an exact solution; `sgdr_ode` uses it, which makes the
reference independent of any time step and valid at any time, inside periods too.

The matrix `A = eta (x x^T + lam I)` is a rank-one update of a multiple of I, so its
eigendecomposition is known in closed form: eigenvalue `eta (|x|^2 + lam)` along `x/|x|` and
`eta lam` on the orthogonal complement. Along `x` the weight relaxes towards the per-sample
fixed point; across `x` it only leaks. No general matrix exponential is needed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.task import Task, sample_index

Array = NDArray[np.float64]

BOLTZMANN_J_PER_K = 1.380649e-23  # exact (SI 2019)
ELEMENTARY_CHARGE_C = 1.602176634e-19  # exact (SI 2019)
ZERO_CELSIUS_K = 273.15


def _check_rates(eta: float, lam: float) -> None:
    if eta <= 0:
        raise ValueError(f"eta must be > 0, got {eta}")
    if lam < 0:
        raise ValueError(f"lam must be >= 0, got {lam}")


def _start(task: Task, w0: ArrayLike) -> Array:
    w = np.asarray(w0, dtype=float)
    if w.shape != (task.n_inputs,):
        raise ValueError(f"w0 has shape {w.shape}, expected ({task.n_inputs},)")
    return w


def _modes(x: Array, t: Array, eta: float, lam: float) -> tuple[Array, Array, Array]:
    """Per-row unit input direction, its eigenvalue and drive; x = 0 rows get a zero direction."""
    norm = np.sqrt(np.sum(x * x, axis=-1))
    safe = np.where(norm > 0, norm, 1.0)
    direction = x / safe[..., None]
    rate = eta * (norm * norm + lam)  # eigenvalue of A along x
    drive = eta * t * norm  # component of eta t x along x
    return direction, rate, drive


def _relax(rate: Array, s: Array) -> tuple[Array, Array]:
    """exp(-rate s) and the integral of exp(-rate u) over [0, s] (= s when rate = 0)."""
    decay = np.exp(-rate * s)
    safe = np.where(rate > 0, rate, 1.0)
    integral = np.where(rate > 0, -np.expm1(-rate * s) / safe, s)
    return decay, integral


def flow_step(w0: Array, x: Array, t: Array, eta: float, lam: float, s: Array) -> Array:
    """Exact state after time `s` from `w0` with input `x` and target `t` held (row-vectorized).

    Shapes: w0, x (m x n); t, s (m). Along u = x/|x|: du/dt = -eta(|x|^2+lam) u + eta t |x|;
    across it: dw/dt = -eta lam w.
    """
    direction, rate, drive = _modes(x, t, eta, lam)
    along0 = np.sum(w0 * direction, axis=-1)
    decay, integral = _relax(rate, s)
    leak = np.exp(-eta * lam * s)
    along = along0 * decay + drive * integral
    return leak[..., None] * w0 + (along - leak * along0)[..., None] * direction


def sgdr_ode_samples(task: Task, period: float, eta: float, lam: float, w0: ArrayLike) -> Array:
    """Exact flow at the sample boundaries k * period, k = 0..samples (samples+1 x n)."""
    _check_rates(eta, lam)
    if period <= 0:
        raise ValueError(f"period must be > 0, got {period}")
    w = _start(task, w0).copy()
    direction, rate, drive = _modes(task.X, task.t, eta, lam)
    decay, integral = _relax(rate, np.full(task.samples, period))
    leak = float(np.exp(-eta * lam * period))
    push = drive * integral
    out = np.empty((task.samples + 1, task.n_inputs))
    out[0] = w
    for k in range(task.samples):  # a few tiny vector ops per sample: fast enough for 1e5
        along0 = float(w @ direction[k])
        w = leak * w + (along0 * (decay[k] - leak) + push[k]) * direction[k]
        out[k + 1] = w
    return out


def sgdr_ode(
    task: Task, period: float, eta: float, lam: float, w0: ArrayLike, times: ArrayLike
) -> Array:
    """Exact continuous-time SGDr trajectory at arbitrary `times` (len(times) x n).

    `eta` is in 1/s and `period` in s. Sample k is presented over [k period, (k+1) period);
    after the last period the last sample is held (as a sample-and-hold would).
    """
    tt = np.atleast_1d(np.asarray(times, dtype=float))
    if tt.ndim != 1:
        raise ValueError(f"times must be 1-D, got shape {tt.shape}")
    bounds = sgdr_ode_samples(task, period, eta, lam, w0)
    k = sample_index(tt, period, task.samples)
    s = np.maximum(tt - k * period, 0.0)
    return flow_step(bounds[k], task.X[k], task.t[k], eta, lam, s)


def sgd_discrete(task: Task, eta_step: float, lam: float, w0: ArrayLike) -> Array:
    """Discrete SGDr, one update per sample: w <- w - eta_step (e x + lam w); (samples+1 x n)."""
    _check_rates(eta_step, lam)
    w = _start(task, w0).copy()
    out = np.empty((task.samples + 1, task.n_inputs))
    out[0] = w
    for k in range(task.samples):
        x = task.X[k]
        e = float(w @ x) - float(task.t[k])
        w = w - eta_step * (e * x + lam * w)
        out[k + 1] = w
    return out


def thermal_voltage(temperature_c: float) -> float:
    """U_T = k T / q in volts (25.86 mV at 27 C = 300.15 K)."""
    kelvin = temperature_c + ZERO_CELSIUS_K
    if kelvin <= 0:
        raise ValueError(f"temperature {temperature_c} C is below absolute zero")
    return BOLTZMANN_J_PER_K * kelvin / ELEMENTARY_CHARGE_C


def hyperparameters(
    i_tau: float, c_farad: float, n_slope: float, temperature_c: float, i_lambda: float
) -> tuple[float, float]:
    """SGDr hyperparameters set by the bias currents: (eta [1/s], lam [dimensionless]).

    The weight integrator is a log-domain (Bernoulli) cell: a weak-inversion MOS of slope factor
    n with capacitor C on its gate/source and bias current I_tau. Its time constant is
    tau = C n U_T / I_tau, so the learning rate of the gradient flow is

        eta = 1 / tau = I_tau / (C n U_T),   U_T = k T / q.

    The L2 leak is a constant current I_lambda drawn from the same log-domain node; relative to
    the integrator's own bias it scales the weight decay term, so

        lam = I_lambda / I_tau.
    """
    for name, value in (("i_tau", i_tau), ("c_farad", c_farad), ("n_slope", n_slope)):
        if value <= 0:
            raise ValueError(f"{name} must be > 0, got {value}")
    if i_lambda < 0:
        raise ValueError(f"i_lambda must be >= 0, got {i_lambda}")
    eta = i_tau / (c_farad * n_slope * thermal_voltage(temperature_c))
    return eta, i_lambda / i_tau


def bias_currents(
    eta: float, lam: float, c_farad: float, n_slope: float, temperature_c: float
) -> tuple[float, float]:
    """Inverse of `hyperparameters`: the (I_tau, I_lambda) in amperes that set `eta` and `lam`."""
    _check_rates(eta, lam)
    i_tau = eta * c_farad * n_slope * thermal_voltage(temperature_c)
    return i_tau, lam * i_tau


def ridge_solution(task: Task, lam: float) -> Array:
    """Fixed point of the averaged flow: (E[x x^T] + lam I)^-1 E[x t] over the task's samples."""
    if lam < 0:
        raise ValueError(f"lam must be >= 0, got {lam}")
    r = task.X.T @ task.X / task.samples
    p = task.X.T @ task.t / task.samples
    return np.linalg.solve(r + lam * np.eye(task.n_inputs), p)
