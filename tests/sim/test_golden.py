"""The golden SGDr model against independent references: expm, Euler, discrete SGD, ridge."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.linalg import expm

from sim.golden import (
    bias_currents,
    hyperparameters,
    ridge_solution,
    sgd_discrete,
    sgdr_ode,
    sgdr_ode_samples,
    thermal_voltage,
)
from sim.task import Task, make_task, upsample

PERIOD, ETA, LAM = 1e-3, 300.0, 0.2  # eta * period = 0.3: visible motion within one period


def _expm_boundaries(task: Task, period: float, eta: float, lam: float, w0: np.ndarray):
    """Exact per-period solution through scipy's general matrix exponential (augmented form)."""
    n = task.n_inputs
    w, out = w0.copy(), [w0.copy()]
    for x, t in zip(task.X, task.t, strict=True):
        m = np.zeros((n + 1, n + 1))
        m[:n, :n] = -eta * (np.outer(x, x) + lam * np.eye(n))
        m[:n, n] = eta * t * x
        w = (expm(m * period) @ np.append(w, 1.0))[:n]
        out.append(w)
    return np.array(out)


def _euler(task: Task, period: float, eta: float, lam: float, w0: np.ndarray, substeps: int):
    """Forward Euler of dw/dt = -eta(e x + lam w) at period/substeps; returns (times, W)."""
    dt = period / substeps
    w, ws = w0.copy(), [w0.copy()]
    for x, t in zip(task.X, task.t, strict=True):
        for _ in range(substeps):
            w = w - dt * eta * ((w @ x - t) * x + lam * w)
            ws.append(w)
    return np.arange(len(ws)) * dt, np.array(ws)


@pytest.mark.parametrize("lam", [0.0, LAM, 3.0])
def test_exact_solution_matches_matrix_exponential(lam: float) -> None:
    task = make_task(4, 30, seed=1, noise=0.05)
    w0 = np.array([0.1, 0.9, 0.5, 0.3])
    ours = sgdr_ode_samples(task, PERIOD, ETA, lam, w0)
    np.testing.assert_allclose(ours, _expm_boundaries(task, PERIOD, ETA, lam, w0), atol=1e-12)


def test_exact_solution_matches_fine_euler_inside_periods() -> None:
    task = make_task(3, 6, seed=2)
    w0 = np.full(3, 0.2)
    errors = []
    for substeps in (200, 400, 800):
        times, w_euler = _euler(task, PERIOD, ETA, LAM, w0, substeps)
        errors.append(np.max(np.abs(sgdr_ode(task, PERIOD, ETA, LAM, w0, times) - w_euler)))
    assert errors[-1] < 2e-4
    # Euler is first order: halving its step halves its distance from the exact solution
    for coarse, fine in itertools.pairwise(errors):
        assert 1.8 < coarse / fine < 2.2


def test_any_time_grid_gives_the_same_trajectory() -> None:
    task = make_task(3, 10, seed=5)
    w0 = np.full(3, 0.6)
    rng = np.random.default_rng(0)
    times = np.sort(rng.uniform(0, 10 * PERIOD, 57))
    together = sgdr_ode(task, PERIOD, ETA, LAM, w0, times)
    one_by_one = np.array([sgdr_ode(task, PERIOD, ETA, LAM, w0, [t])[0] for t in times])
    np.testing.assert_allclose(together, one_by_one, atol=1e-14)
    shuffled = rng.permutation(len(times))
    np.testing.assert_allclose(
        sgdr_ode(task, PERIOD, ETA, LAM, w0, times[shuffled]), together[shuffled], atol=1e-14
    )
    bounds = sgdr_ode_samples(task, PERIOD, ETA, LAM, w0)
    np.testing.assert_allclose(
        sgdr_ode(task, PERIOD, ETA, LAM, w0, np.arange(11) * PERIOD), bounds, atol=1e-14
    )


def test_trajectory_is_continuous_across_sample_boundaries() -> None:
    task = make_task(3, 8, seed=6)
    w0 = np.full(3, 0.6)
    k = np.arange(1, 8) * PERIOD
    eps = 1e-9 * PERIOD
    before = sgdr_ode(task, PERIOD, ETA, LAM, w0, k - eps)
    after = sgdr_ode(task, PERIOD, ETA, LAM, w0, k + eps)
    np.testing.assert_allclose(before, after, atol=1e-8)
    # ...while the slope jumps: the samples really change at the boundaries
    slope = sgdr_ode(task, PERIOD, ETA, LAM, w0, k + 1e-3 * PERIOD) - after
    slope_before = before - sgdr_ode(task, PERIOD, ETA, LAM, w0, k - 1e-3 * PERIOD)
    assert np.max(np.abs(slope - slope_before)) > 1e-5


def test_discrete_sgd_on_a_finer_stream_converges_linearly_to_the_flow() -> None:
    """SGD sees each sample `m` times at step eta*period/m; its error to the ODE is O(1/m)."""
    task = make_task(4, 50, seed=1)
    w0 = np.full(4, 0.5)
    exact = sgdr_ode_samples(task, PERIOD, ETA, LAM, w0)
    errors = []
    for m in (4, 8, 16, 32, 64):
        sgd = sgd_discrete(upsample(task, m), ETA * PERIOD / m, LAM, w0)[::m]
        errors.append(np.max(np.abs(sgd - exact)))
    for coarse, fine in itertools.pairwise(errors):
        assert 1.8 < coarse / fine < 2.2
    assert errors[-1] < 5e-4


def test_discrete_sgd_follows_its_update_rule() -> None:
    x, t = np.array([[0.5, 0.2], [0.3, 0.9]]), np.array([0.4, 0.1])
    task = Task(X=x, t=t, w_star=np.array([0.5, 0.5]))
    eta, lam, w = 0.1, 0.05, np.array([1.0, 2.0])
    expected = [w.copy()]
    for xk, tk in zip(x, t, strict=True):
        w = w - eta * ((w @ xk - tk) * xk + lam * w)
        expected.append(w)
    np.testing.assert_allclose(sgd_discrete(task, eta, lam, [1.0, 2.0]), np.array(expected))


def test_zero_input_only_leaks() -> None:
    task = Task(X=np.zeros((2, 3)), t=np.array([0.7, 0.2]), w_star=np.ones(3))
    w0 = np.array([0.2, 0.5, 0.9])
    times = np.array([0.0, 0.4, 1.3, 2.0]) * PERIOD
    got = sgdr_ode(task, PERIOD, ETA, LAM, w0, times)
    np.testing.assert_allclose(got, np.exp(-ETA * LAM * times)[:, None] * w0, rtol=1e-12)
    np.testing.assert_allclose(sgdr_ode(task, PERIOD, ETA, 0.0, w0, times), np.tile(w0, (4, 1)))


def test_long_run_converges_to_the_ridge_solution() -> None:
    task = make_task(4, 40000, seed=3)
    lam = 0.1
    w = sgdr_ode_samples(task, 1e-3, 10.0, lam, np.full(4, 0.5))
    ridge = ridge_solution(task, lam)
    settled = w[-10000:].mean(axis=0)
    np.testing.assert_allclose(settled, ridge, atol=4e-3)
    # the L2 term matters: the regularized fixed point is far from the true weights
    assert np.max(np.abs(ridge - task.w_star)) > 0.05
    assert np.max(np.abs(settled - task.w_star)) > 0.05


def test_unregularized_noiseless_run_recovers_the_true_weights() -> None:
    task = make_task(4, 40000, seed=3)
    w = sgdr_ode_samples(task, 1e-3, 10.0, 0.0, np.full(4, 0.5))
    np.testing.assert_allclose(w[-1], task.w_star, atol=1e-8)
    np.testing.assert_allclose(ridge_solution(task, 0.0), task.w_star, atol=1e-12)


def test_ridge_solution_solves_the_regularized_normal_equations() -> None:
    task = make_task(3, 300, seed=9, noise=0.1)
    lam = 0.4
    w = ridge_solution(task, lam)
    grad = task.X.T @ (task.X @ w - task.t) / task.samples + lam * w
    np.testing.assert_allclose(grad, 0.0, atol=1e-13)


def test_hyperparameters_from_bias_currents() -> None:
    assert thermal_voltage(27.0) == pytest.approx(0.0258649, abs=1e-7)
    assert thermal_voltage(0.0) == pytest.approx(0.0235382, abs=1e-7)
    # 1 nA into 1 pF with n = 1.3 at 27 C: tau = 1e-12 * 1.3 * 25.865 mV / 1 nA = 33.62 us
    eta, lam = hyperparameters(1e-9, 1e-12, 1.3, 27.0, 1e-10)
    assert 1 / eta == pytest.approx(33.6244e-6, rel=1e-5)
    assert lam == pytest.approx(0.1)
    eta10, lam10 = hyperparameters(1e-8, 1e-12, 1.3, 27.0, 1e-9)
    assert eta10 == pytest.approx(10 * eta) and lam10 == pytest.approx(lam)
    assert hyperparameters(1e-9, 2e-12, 1.3, 27.0, 0.0)[0] == pytest.approx(eta / 2)
    assert hyperparameters(1e-9, 1e-12, 1.3, 127.0, 0.0)[0] < eta  # hotter: larger U_T


def test_bias_currents_invert_hyperparameters() -> None:
    i_tau, i_lambda = bias_currents(5e3, 0.3, 2e-12, 1.25, 40.0)
    eta, lam = hyperparameters(i_tau, 2e-12, 1.25, 40.0, i_lambda)
    assert eta == pytest.approx(5e3) and lam == pytest.approx(0.3)


@pytest.mark.parametrize(
    "args",
    [(0.0, 1e-12, 1.3, 27.0, 0.0), (1e-9, -1e-12, 1.3, 27.0, 0.0), (1e-9, 1e-12, 1.3, 27.0, -1.0)],
)
def test_hyperparameters_reject_nonphysical_values(args: tuple) -> None:
    with pytest.raises(ValueError):
        hyperparameters(*args)


def test_golden_model_rejects_bad_inputs() -> None:
    task = make_task(2, 3, seed=0)
    with pytest.raises(ValueError):
        sgdr_ode(task, PERIOD, -1.0, LAM, [0.1, 0.1], [0.0])
    with pytest.raises(ValueError):
        sgdr_ode(task, PERIOD, ETA, LAM, [0.1, 0.1, 0.1], [0.0])
    with pytest.raises(ValueError):
        sgdr_ode(task, PERIOD, ETA, LAM, [0.1, 0.1], [-1.0])
    with pytest.raises(ValueError):
        sgd_discrete(task, 0.1, -0.1, [0.1, 0.1])
