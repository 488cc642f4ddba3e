"""The per-chip bias trim: its test pattern, the gain fit on synthetic trajectories, the current
correction and how it is held, and real trims of small arrays in ngspice (a schematic chip and
a Monte Carlo chip, together on one executor)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pdk.gf180mcu.models import Statistical
from sgdr_flow.config import LearningTestbench, TrimConfig
from sim.calibrate import (
    CYCLE,
    LEVELS,
    MIN_CYCLES,
    Gains,
    TrimTarget,
    _model,
    fit_gains,
    held,
    levels,
    pattern,
    pattern_samples,
    trim_chips,
    trimmed,
)
from sim.characterize import weak_inversion
from sim.decks import DeckWriter
from sim.executor import LocalExecutor
from sim.testbenches import Bench, biases
from tests.sim.conftest import schematic_array

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


def test_held_trim_keeps_each_ratio_at_another_operating_point() -> None:
    nominal = biases(TB, 6700.0, 0.2, 1e-12, 1.4, 27.0)
    trim = trimmed(nominal, Gains(eta=0.8, lam=1.25, forward=0.98, rms=0.0))
    faster = biases(TB, 3 * 6700.0, 0.2, 1e-12, 1.4, 27.0)
    kept = held(trim, nominal, faster)
    for key in ("i_eta", "i_lam", "i_uf"):
        assert getattr(kept, key) / getattr(faster, key) == \
            pytest.approx(getattr(trim, key) / getattr(nominal, key))
    assert kept.i_x0 == faster.i_x0 and kept.i_tau == faster.i_tau
    assert held(nominal, nominal, faster) == faster  # no trim: the formulas' currents


def test_trims_of_a_nominal_and_a_monte_carlo_chip(tmp_path: Path) -> None:
    """Two synapses, 1 pF, two chips trimmed together: the nominal chip's first measurement
    finds gains off by a few percent and its last one within a percent; the Monte Carlo chip
    (its own mismatch) needs a different trim; the records hold what the report states."""
    synapse = {"w": 1.0, "l": 1.0, "k": 8, "capacitance_ff": 1000.0}
    cell = schematic_array(2, synapse)
    tb = LearningTestbench(eta_per_s=20000.0, sample_period_s=20e-6, lam=0.2)
    unit = weak_inversion(1.0, 1.0, tb.v_readout)
    nominal = biases(tb, tb.eta_per_s, tb.lam, 1e-12, unit.n, 27.0)
    v0 = [unit.gate_for(tb.w0 * nominal.i_w0)] * 2
    nodes = [f"xa.xs{i}.vc" for i in range(2)]
    targets = [TrimTarget("typical", cell, nodes, Bench(), v0),
               TrimTarget("mc1", cell, nodes, Bench(sample=Statistical(1001)), v0)]
    executor = LocalExecutor(2)
    try:
        found = trim_chips(targets, tb, nominal, tb.eta_per_s, tb.lam, tb.sample_period_s,
                           TrimConfig(), executor, DeckWriter(tmp_path))
    finally:
        executor.close()
    bias, record = found["typical"]
    assert 1 <= len(record.measured) <= 3 and record.error is None
    first, last = record.measured[0], record.measured[-1]
    assert max(abs(g - 1) for g in (last.eta, last.lam, last.forward)) < 0.01
    assert max(abs(g - 1) for g in (first.eta, first.lam, first.forward)) > \
        max(abs(g - 1) for g in (last.eta, last.lam, last.forward))
    assert record.corrected_a == {k: getattr(bias, k) for k in ("i_eta", "i_lam", "i_uf")}
    assert record.nominal_a["i_eta"] == nominal.i_eta and bias.i_x0 == nominal.i_x0
    assert all((tmp_path / deck).is_file() for deck in record.decks)
    assert "seed=1001" not in (tmp_path / record.decks[0]).read_text()
    assert record.as_json()["measured_gains"][0]["eta"] == first.eta
    _mc_bias, mc_record = found["mc1"]
    assert ".option seed=1001" in (tmp_path / mc_record.decks[0]).read_text()
    assert mc_record.trim != record.trim  # its own devices, its own trim


def test_the_leak_trim_cancels_a_constant_leakage_in_one_secant_step() -> None:
    """A node leakage worth 0.6 lambda: the rate is (I_lambda + I_leak) / I_lambda0. The
    proportional first step leaves an error; the secant through two rounds removes it."""
    nominal = biases(TB, 6700.0, 0.2, 1e-12, 1.4, 27.0)
    leak = 0.6 * nominal.i_lam

    def measured(bias) -> Gains:
        return Gains(eta=1.0, lam=(bias.i_lam + leak) / nominal.i_lam, forward=1.0, rms=0.0)

    first = trimmed(nominal, measured(nominal))
    assert measured(first).lam != pytest.approx(1.0, abs=0.05)  # proportional: not there yet
    second = trimmed(first, measured(first), (nominal, measured(nominal)))
    assert measured(second).lam == pytest.approx(1.0, abs=1e-9)
    assert second.i_lam == pytest.approx(nominal.i_lam - leak)
    # leakage five times the whole leak wanted: the current only drops tenfold per round
    leak = 5.0 * nominal.i_lam
    first = trimmed(nominal, measured(nominal))
    floor = trimmed(first, measured(first), (nominal, measured(nominal)))
    assert floor.i_lam == pytest.approx(first.i_lam * 0.1)
