"""The bias-current trim: its test pattern, the gain fit on synthetic trajectories, the current
correction, and one real calibration of a small schematic array in ngspice."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cells.circuit import sim_netlist
from cells.synapse import bias_network, sgdr_synapse
from layout.array import array_netlist
from sgdr_flow.config import LearningTestbench
from sim.calibrate import (
    CYCLE,
    LEVELS,
    MIN_CYCLES,
    Gains,
    _model,
    calibrate,
    fit_gains,
    levels,
    pattern,
    pattern_samples,
    trimmed,
)
from sim.characterize import weak_inversion
from sim.netlists import CellNetlist, _ports
from sim.testbenches import biases

TB = LearningTestbench()


def test_levels_bin_the_input_range() -> None:
    values = levels((0.2, 1.0))
    assert len(values) == LEVELS
    assert values.min() > 0.2 and values.max() < 1.0
    assert values.mean() == pytest.approx(0.6)


@pytest.mark.parametrize("n", [1, 2, 4, 8])
def test_pattern_is_an_orthogonal_array_with_consistent_targets(n: int) -> None:
    task = pattern(n, TB, 2 * CYCLE)
    assert task.X.shape == (2 * CYCLE, n)
    assert set(np.round(task.X.ravel(), 9)) <= set(np.round(levels(TB.x_range), 9))
    np.testing.assert_allclose(task.t, task.X @ task.w_star)
    assert task.w_star.min() >= TB.w_range[0] and task.w_star.max() <= TB.w_range[1]
    cycle = task.X[:CYCLE]
    for i, j in itertools.combinations(range(min(n, 6)), 2):  # every pair meets every level pair
        assert len({(a, b) for a, b in zip(cycle[:, i], cycle[:, j], strict=True)}) == CYCLE
    np.testing.assert_array_equal(task.X[:CYCLE], task.X[CYCLE:])  # periodic


def test_pattern_length_follows_the_slowest_mode() -> None:
    nominal = pattern_samples(4, TB, 6700.0, 0.2, 40e-6)
    assert nominal % CYCLE == 0 and nominal >= MIN_CYCLES * CYCLE
    assert pattern_samples(4, TB, 6700.0, 0.06, 40e-6) > nominal   # weaker leak: slower
    assert pattern_samples(4, TB, 2010.0, 0.2, 40e-6) > nominal    # smaller eta: slower
    assert pattern_samples(4, TB, 20100.0, 0.6, 40e-6) == MIN_CYCLES * CYCLE


@pytest.mark.parametrize("gains", [(1.0, 1.0, 1.0), (1.12, 0.85, 0.97), (0.9, 1.2, 1.02)])
def test_fit_recovers_known_gains(gains: tuple[float, float, float]) -> None:
    eta, lam, period = 6700.0, 0.2, 40e-6
    task = pattern(4, TB, pattern_samples(4, TB, eta, lam, period))
    grid = np.arange(task.samples + 1) * period
    w = _model(task, period, eta, lam, np.full(4, 0.7), grid, np.array(gains))
    found = fit_gains(task, period, eta, lam, w, grid)
    assert (found.eta, found.lam, found.forward) == pytest.approx(gains, rel=1e-3)
    assert found.rms < 1e-6


def test_trim_divides_out_the_measured_gains() -> None:
    bias = biases(TB, 6700.0, 0.2, 1e-12, 1.4, 27.0)
    trim = trimmed(bias, Gains(eta=0.8, lam=1.25, forward=0.98, rms=0.0))
    assert trim.i_eta == pytest.approx(bias.i_eta / 0.8)
    assert trim.i_lam == pytest.approx(bias.i_lam)          # eta lambda = 1: the leak stays
    assert trim.i_uf == pytest.approx(bias.i_uf * 0.98)
    assert replace(trim, i_eta=bias.i_eta, i_lam=bias.i_lam, i_uf=bias.i_uf) == bias


def _schematic_array(n: int, synapse: dict) -> CellNetlist:
    syn, bias = sgdr_synapse(**synapse), bias_network()
    text = array_netlist("sgdr_array", n, syn.name, syn.pins, bias.name, bias.pins,
                         [sim_netlist(syn), sim_netlist(bias)])
    path = Path("sgdr_array.sim.spice")
    return CellNetlist("sgdr_array", "schematic", text, _ports(text, "sgdr_array", path), path)


def test_calibration_of_a_schematic_array_converges(tmp_path: Path) -> None:
    """Two synapses, 1 pF: the first measurement finds gains off by a few percent, the last one
    finds them within a percent, and the record holds what the report states."""
    synapse = {"w": 1.0, "l": 1.0, "k": 8, "capacitance_ff": 1000.0}
    cell = _schematic_array(2, synapse)
    tb = LearningTestbench(eta_per_s=20000.0, sample_period_s=20e-6)
    unit = weak_inversion(1.0, 1.0, tb.v_readout)
    nominal = biases(tb, tb.eta_per_s, tb.lam, 1e-12, unit.n, 27.0)
    v0 = unit.gate_for(tb.w0 * nominal.i_w0)
    nodes = [f"xa.xs{i}.vc" for i in range(2)]
    bias, record = calibrate(cell, nodes, tb, nominal, tb.eta_per_s, tb.lam, v0,
                             tb.sample_period_s, "typical", 27.0, "nominal", tmp_path)
    assert 1 <= len(record.measured) <= 3
    first, last = record.measured[0], record.measured[-1]
    assert max(abs(g - 1) for g in (last.eta, last.lam, last.forward)) < 0.01
    assert max(abs(g - 1) for g in (first.eta, first.lam, first.forward)) > \
        max(abs(g - 1) for g in (last.eta, last.lam, last.forward))
    assert record.corrected_a == {k: getattr(bias, k) for k in ("i_eta", "i_lam", "i_uf")}
    assert record.nominal_a["i_eta"] == nominal.i_eta and bias.i_x0 == nominal.i_x0
    assert all((tmp_path / deck).is_file() for deck in record.decks)
    assert record.as_json()["measured_gains"][0]["eta"] == first.eta


def test_calibration_refuses_the_extracted_netlist() -> None:
    cell = replace(_schematic_array(1, {}), kind="extracted")
    bias = biases(TB, 6700.0, 0.2, 1e-12, 1.4, 27.0)
    with pytest.raises(ValueError, match="schematic"):
        calibrate(cell, ["xa.xs0.vc"], TB, bias, 6700.0, 0.2, 0.4, 40e-6, "typical", 27.0, "x")
