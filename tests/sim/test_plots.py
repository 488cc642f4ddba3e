"""The report's pictures say what they show: every weight labelled with the golden model
visible, the droop as a change in mV, the variation sources with their target lines."""

from __future__ import annotations

import numpy as np
import pytest

from sim.plots import condition_figure, hold_figure, weights_figure


def test_every_weight_is_labelled_and_the_golden_model_stays_visible() -> None:
    grid = np.linspace(0, 1e-2, 50)
    weights = np.column_stack([0.5 + 0.1 * k + 0.01 * np.sin(grid * 1e3) for k in range(4)])
    trace = {"grid": grid, "weights": weights, "ideal": weights + 0.001}
    fig = weights_figure(("extracted/nominal=nominal/seed11", trace))
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:4] == ["w0", "w1", "w2", "w3"] and "golden SGDr model" in labels
    golden = [line for line in ax.get_lines() if line.get_linewidth() >= 4]
    circuit = [line for line in ax.get_lines() if line.get_label().startswith("w")]
    assert len(golden) >= 4 and len(circuit) == 4
    # the golden traces are wide and translucent, drawn first: visible under the circuit's
    assert all(g.get_alpha() < 1 for g in golden[:4])
    assert ax.get_lines().index(golden[0]) < ax.get_lines().index(circuit[0])


def test_droop_is_plotted_as_a_change_in_millivolts() -> None:
    times = np.linspace(0, 1e-3, 100)
    hold = {"extracted": {"typical 27C": {"times": times, "v": 0.42 - 1e-5 * times / 1e-3,
                                          "v_start": 0.42, "droop_mv_per_ms": -0.01}}}
    fig = hold_figure(hold)
    ax = fig.axes[0]
    assert "mV" in ax.get_ylabel()
    fig.canvas.draw()
    assert ax.yaxis.get_offset_text().get_text() == ""  # no "1e-5+4.2e-1" axis
    assert min(ax.get_lines()[0].get_ydata()) == pytest.approx(-0.01)  # 10 uV in mV


def test_variation_sources_carry_the_target_lines() -> None:
    point = {"runs": {"r": {"precision_bits": 7.0, "mse_percent": 0.1}}, "pass": False}
    sweeps = {"nominal": {"nominal": point}, "corners": {"ff": point, "ss": point}}
    limits = {"precision_bits": {"min": 8.0, "max": None},
              "mse_percent": {"min": None, "max": 0.87}}
    fig = condition_figure(sweeps, limits)
    precision, mse = fig.axes[0], fig.axes[1]
    assert any(line.get_ydata()[0] == 8.0 and line.get_linestyle() == "--"
               for line in precision.get_lines())
    assert any(line.get_ydata()[0] == 0.87 for line in mse.get_lines())
    assert [t.get_text() for t in precision.get_xticklabels()] == ["nominal", "ff", "ss"]
    assert condition_figure({"nominal": {"nominal": point}}, limits) is None
