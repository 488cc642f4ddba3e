"""One learning run's metrics against the golden SGDr model on the same stream."""

from __future__ import annotations

from typing import Any

import numpy as np

from sgdr_flow.config import MetricDefinitions
from sim import metrics as m
from sim.golden import sgdr_ode
from sim.task import Task, sample_index

PER_RUN = ("mse_percent", "weight_mse_percent", "precision_bits", "exercised_fraction",
           "power_w", "power_per_synapse_w", "energy_per_update_j", "time_constant_s")


def ideal_trajectory(task: Task, period: float, eta: float, lam: float, w_start: np.ndarray,
                     grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The golden weights on `grid` from the circuit's own starting weights, and the output
    y = w . x they give with the input presented at each grid time."""
    weights = sgdr_ode(task, period, eta, lam, w_start, grid)
    x = task.X[sample_index(grid, period, task.samples)]
    return weights, np.sum(weights * x, axis=1)


def score(measured: dict[str, Any], task: Task, period: float, eta: float, lam: float,
          defs: MetricDefinitions) -> dict[str, Any]:
    """Every per-run metric (`PER_RUN`) plus the final weights; `trace` keeps the trajectories
    the plots draw."""
    w = np.asarray(measured["weights"])
    grid = np.asarray(measured["grid"])
    y = np.asarray(measured["output"])
    ideal_w, ideal_y = ideal_trajectory(task, period, eta, lam, w[0], grid)
    n = task.n_inputs
    return {
        "mse_percent": m.output_mse_percent(y, ideal_y),
        "weight_mse_percent": m.weight_mse_percent(w, ideal_w, defs.w_full_scale),
        "precision_bits": m.precision_bits(w, ideal_w, defs.w_full_scale,
                                           defs.steady_state_fraction),
        "exercised_fraction": m.exercised_fraction(ideal_w, defs.w_full_scale),
        "power_w": measured["power_w"],
        "power_per_synapse_w": m.per_synapse(measured["power_w"], n),
        "energy_per_update_j": m.energy_per_update_j(measured["power_w"], period, n),
        "time_constant_s": 1.0 / eta,
        "final_weights": w[-1].tolist(), "ideal_final_weights": ideal_w[-1].tolist(),
        "trace": {"grid": grid.tolist(), "weights": w.tolist(), "ideal": ideal_w.tolist(),
                  "output": y.tolist(), "ideal_output": ideal_y.tolist()},
    }
