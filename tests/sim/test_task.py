"""The streamed regression task: reproducible, positive, and evaluable on any time grid."""

from __future__ import annotations

import numpy as np
import pytest

from sim.task import (
    Task,
    far_start,
    make_task,
    piecewise_constant,
    sample_index,
    sample_starts,
    spread_weights,
    stream,
    upsample,
)


def test_same_seed_same_task() -> None:
    a, b = make_task(5, 200, seed=7, noise=0.01), make_task(5, 200, seed=7, noise=0.01)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.t, b.t)
    np.testing.assert_array_equal(a.w_star, b.w_star)


def test_different_seeds_differ() -> None:
    a, b = make_task(5, 200, seed=7), make_task(5, 200, seed=8)
    assert not np.allclose(a.X, b.X)
    assert not np.allclose(a.w_star, b.w_star)
    assert not np.allclose(a.t, b.t)


def test_shapes_ranges_and_noiseless_targets() -> None:
    task = make_task(3, 500, seed=1, x_range=(0.1, 0.9), w_range=(0.4, 0.6))
    assert (task.samples, task.n_inputs) == (500, 3)
    assert task.X.shape == (500, 3) and task.t.shape == (500,) and task.w_star.shape == (3,)
    assert task.X.min() >= 0.1 and task.X.max() <= 0.9
    assert task.w_star.min() >= 0.4 and task.w_star.max() <= 0.6
    np.testing.assert_allclose(task.t, task.X @ task.w_star, rtol=0, atol=1e-15)
    # the draws fill the range rather than sitting at one value
    assert task.X.max() - task.X.min() > 0.7


def test_noise_has_the_requested_spread_and_leaves_inputs_alone() -> None:
    clean = make_task(4, 20000, seed=3)
    noisy = make_task(4, 20000, seed=3, noise=0.05)
    np.testing.assert_array_equal(clean.X, noisy.X)
    np.testing.assert_array_equal(clean.w_star, noisy.w_star)
    residual = noisy.t - noisy.X @ noisy.w_star
    assert abs(residual.std() - 0.05) < 0.002
    assert abs(residual.mean()) < 0.002


def test_given_w_star_is_used_and_inputs_do_not_change() -> None:
    w = np.array([0.5, 0.7])
    task = make_task(2, 50, seed=4, w_star=w)
    np.testing.assert_array_equal(task.w_star, w)
    np.testing.assert_array_equal(task.X, make_task(2, 50, seed=4).X)
    np.testing.assert_allclose(task.t, task.X @ w)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"x_range": (0.0, 1.0)},
        {"x_range": (-0.5, 1.0)},
        {"w_range": (0.5, 0.2)},
        {"w_star": [0.5, -0.1]},
        {"w_star": [0.5, 0.5, 0.5]},
        {"noise": -1.0},
    ],
)
def test_rejects_signed_or_malformed_requests(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        make_task(2, 10, seed=0, **kwargs)


def test_task_arrays_are_read_only() -> None:
    task = make_task(2, 10, seed=0)
    with pytest.raises(ValueError):
        task.X[0, 0] = 5.0


def test_piecewise_constant_at_boundaries_inside_and_after_the_stream() -> None:
    period, n = 0.1, 200
    values = np.arange(n, dtype=float) * 10
    starts = np.arange(n) * period
    assert np.floor(starts[43] / period) == 42  # rounding: 43 * 0.1 / 0.1 is a hair below 43
    np.testing.assert_array_equal(piecewise_constant(starts, values, period), values)
    inside = starts + 0.999 * period
    np.testing.assert_array_equal(piecewise_constant(inside, values, period), values)
    after = np.array([n * period, n * period + 5.0])
    np.testing.assert_array_equal(piecewise_constant(after, values, period), values[[-1, -1]])


def test_piecewise_constant_on_an_irregular_grid_and_2d_values() -> None:
    values = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    times = np.array([0.0, 0.3e-3, 1.0e-3, 1.7e-3, 2.2e-3, 2.0e-3])
    got = piecewise_constant(times, values, 1e-3)
    np.testing.assert_array_equal(got, values[[0, 0, 1, 1, 2, 2]])


def test_negative_times_and_bad_period_are_rejected() -> None:
    with pytest.raises(ValueError):
        sample_index([-1e-6], 1e-3, 3)
    with pytest.raises(ValueError):
        sample_index([0.0], 0.0, 3)


def test_stream_upsample_and_sample_starts() -> None:
    task = make_task(3, 4, seed=2)
    x, t = stream(task, [0.5, 1.5, 3.5], 1.0)
    np.testing.assert_array_equal(x, task.X[[0, 1, 3]])
    np.testing.assert_array_equal(t, task.t[[0, 1, 3]])
    fine = upsample(task, 3)
    assert isinstance(fine, Task) and fine.samples == 12
    np.testing.assert_array_equal(fine.X[3:6], np.repeat(task.X[1:2], 3, axis=0))
    np.testing.assert_array_equal(fine.t[::3], task.t)
    np.testing.assert_allclose(sample_starts(4, 0.5), [0.0, 0.5, 1.0, 1.5, 2.0])


@pytest.mark.parametrize("n", [1, 4, 16, 64])
def test_true_weights_are_stratified_over_the_range(n: int) -> None:
    """Every weight sits in its own of n equal bins: however few weights, the task spans the
    range (a uniform draw of 4 weights often covers only part of it)."""
    for seed in range(20):
        w = spread_weights(n, np.random.default_rng(seed), (0.2, 1.8))
        bins = np.floor((w - 0.2) / (1.6 / n)).astype(int)
        assert sorted(bins) == list(range(n))
    task = make_task(4, 10, seed=5, w_range=(0.2, 1.8))
    assert np.ptp(task.w_star) > 0.4 * 1.6


def test_far_start_puts_each_weight_at_the_far_end_of_the_range() -> None:
    for seed in range(10):
        task = make_task(4, 10, seed=seed, w_range=(0.2, 1.8))
        start = far_start(task, (0.2, 1.8))
        assert set(start) <= {0.2, 1.8}
        assert np.all(np.abs(start - task.w_star) >= 0.8 - 1e-12)  # half the range at least
        assert np.ptp(np.concatenate([start, task.w_star])) == pytest.approx(1.6)
