"""The testbench builders on real netlists in real ngspice: the extracted translinear loop and
synapse simulate, and the loop's post-layout step response is slower than the schematic's, as the
parasitic capacitance predicts, while its DC transfer agrees."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sgdr_flow.config import CurrentNoise, HoldTestbench, LearningTestbench, TranslinearTestbench
from sim.ngspice import simulate
from sim.task import make_task
from sim.testbenches import (
    Bench,
    biases,
    learning,
    measure_hold,
    measure_learning,
    measure_step,
    measure_translinear,
    memory_hold,
    translinear_dc,
    translinear_step,
)
from tests.sim.conftest import schematic_array

TB = TranslinearTestbench()  # flow.yaml's: I_b = 1 nA, I_c = 2 nA, I_a 10 pA .. 10 nA


def run(job) -> dict[str, np.ndarray]:
    result = simulate(job.netlist)
    assert result.ok, f"{job.name}: {result.error}"
    assert not result.retried, f"{job.name} needed relaxed options: {result.attempts}"
    return result.vectors


def test_extracted_translinear_loop_simulates_and_agrees_in_dc(tl):
    found = {}
    for cell in tl:
        job = translinear_dc(cell, TB, Bench())
        found[cell.kind] = measure_translinear(run(job), job.meta)
    extracted, schematic = found["extracted"], found["schematic"]
    assert len(extracted["i_out"]) == 3 * TB.points_per_decade + 1  # three decades
    assert np.isfinite(extracted["max_error_percent"])
    assert extracted["max_error_percent"] < 10
    # in DC capacitance does nothing: the two netlists agree closely
    ratio = np.array(extracted["i_out"]) / np.array(schematic["i_out"])
    assert np.max(np.abs(ratio - 1)) < 0.01


def test_extracted_synapse_simulates_memory_hold(synapse):
    tb = HoldTestbench(duration_s=1e-4)
    for cell in synapse:
        job = memory_hold(cell, "xh.vc", tb, Bench())
        held = measure_hold(run(job), job.meta)
        assert held["v_start"] == pytest.approx(tb.v_hold, abs=1e-6)
        assert np.isfinite(held["droop_mv_per_ms"])
        assert abs(held["droop_mv_per_ms"]) < 10  # the flow's droop target, either netlist


def test_extracted_step_response_is_slower(tl):
    """I_a 0.1 -> 1 nA: every loop node settles as C n U_T / I, and the layout adds wiring and
    junction capacitance, so the extracted I_out must lag the schematic's."""
    found = {}
    for cell in tl:
        job = translinear_step(cell, TB, Bench(), 0.1e-9, 1e-9, t_step=1e-6, duration=20e-6)
        found[cell.kind] = measure_step(run(job), job.meta)
    schematic, extracted = found["schematic"], found["extracted"]
    # both settle to the same DC values (within 1 %) ...
    for key in ("i_before", "i_after"):
        assert extracted[key] == pytest.approx(schematic[key], rel=0.01)
    assert schematic["i_after"] == pytest.approx(schematic["ideal_after"], rel=0.05)
    # ... but the extracted one gets there later, by a clear margin
    assert extracted["t50_s"] > 1.2 * schematic["t50_s"], (schematic["t50_s"],
                                                           extracted["t50_s"])
    assert extracted["t90_s"] > schematic["t90_s"]
    assert extracted["rise_s"] > schematic["rise_s"]


def test_measure_step_on_a_first_order_response():
    tau, t_step = 2e-6, 1e-6
    times = np.linspace(0, 40e-6, 40001)
    rising = np.where(times < t_step, 0.0, 1.0 - np.exp(-(times - t_step) / tau))
    i_out = 1e-10 + 9e-10 * rising
    meta = {"t_step": t_step, "i_from": 0.2e-9, "i_to": 2e-9, "i_b": 1e-9, "i_c": 2e-9}
    found = measure_step({"time": times, "vout#branch": -i_out}, meta)
    assert found["i_before"] == pytest.approx(1e-10)
    assert found["i_after"] == pytest.approx(1e-9, rel=1e-6)
    assert found["ideal_after"] == pytest.approx(1e-9)
    assert found["t50_s"] == pytest.approx(tau * math.log(2), rel=1e-3)
    assert found["t90_s"] == pytest.approx(tau * math.log(10), rel=1e-3)
    assert found["rise_s"] == pytest.approx(tau * math.log(9), rel=1e-3)


def _learn_with_noise(noise: CurrentNoise | None, seed: int = 1) -> np.ndarray:
    cell = schematic_array(2, {"w": 1.0, "l": 1.0, "k": 8, "capacitance_ff": 1000.0})
    tb = LearningTestbench(eta_per_s=20000.0, sample_period_s=20e-6, lam=0.2)
    bias = biases(tb, tb.eta_per_s, tb.lam, 1e-12, 1.4, 27.0)
    task = make_task(2, 12, seed=3, x_range=tb.x_range, w_range=tb.w_range)
    job = learning(cell, ["xa.xs0.vc", "xa.xs1.vc"], task, tb, bias, [0.42, 0.42],
                   tb.sample_period_s, Bench(), "noise", noise, seed)
    return np.asarray(measure_learning(run(job), job.meta)["weights"])


def test_weight_node_noise_is_optional_seeded_and_shot_noise_sized():
    quiet = _learn_with_noise(None)
    noise = CurrentNoise(enabled=True, scale=1e4)  # 100x the shot noise's rms: visible
    noisy = _learn_with_noise(noise)
    assert np.array_equal(_learn_with_noise(CurrentNoise()), quiet)  # off by default
    assert not np.allclose(noisy, quiet, atol=1e-6)
    assert np.array_equal(_learn_with_noise(noise), noisy)  # the seed reproduces it
    assert not np.array_equal(_learn_with_noise(noise, seed=2), noisy)
    # shot noise itself is tiny against the update currents: the weights barely notice it
    assert np.max(np.abs(_learn_with_noise(CurrentNoise(enabled=True)) - quiet)) < 0.01
