"""The sensitivity benchmark's golden flow: a two-branch imbalance moves the fixed point even where
the error is zero, a class-B asymmetry does not, and against the task's noise the class-B form
costs less precision than the same spread of two-branch imbalance."""

from __future__ import annotations

import numpy as np

from sim.metrics import precision_bits
from sim.task import make_task
from tests.extraction.test_benchmarks import load

SPREAD = np.array([1.0, -1.0, 0.5, -0.5])  # one value per synapse, N = 4
N = SPREAD.size


def _gains(eps: float = 0.0, asym: float = 0.0):
    ones = np.ones(N)
    return eps * SPREAD, ones, ones, asym * SPREAD


def test_class_b_asymmetry_leaves_an_exact_fit_alone():
    """Noise-free task started at its answer (no L2): e = 0 throughout, so the rectified update
    has nothing to act on, while a branch imbalance drives the weights by eps x t."""
    bench = load("sensitivity")
    task = make_task(N, 40, seed=5, noise=0.0)
    asym = bench.flow(task, task.w_star, 8e-4, 335.0, 0.0, _gains(asym=0.1))
    eps = bench.flow(task, task.w_star, 8e-4, 335.0, 0.0, _gains(eps=0.1))
    assert np.abs(asym - task.w_star).max() < 1e-9
    assert np.abs(eps - task.w_star).max() > 1e-3


def test_class_b_costs_less_than_the_same_imbalance_under_noise():
    bench = load("sensitivity")
    task = make_task(N, 200, seed=5, w_range=(0.2, 1.8), noise=0.05)
    w0 = np.full(N, 1.0)
    ideal = bench.flow(task, w0, 8e-4, 335.0, 0.02, _gains())
    bits = {kind: precision_bits(bench.flow(task, w0, 8e-4, 335.0, 0.02, _gains(**{kind: 1e-3})),
                                 ideal, 2.0, 0.5)
            for kind in ("eps", "asym")}
    assert bits["asym"] > bits["eps"] + 3
