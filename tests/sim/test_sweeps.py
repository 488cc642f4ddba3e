"""Judging runs against the targets: a point passes only if every seed does, the worst run is
named, a failed simulation is never a pass, Monte Carlo yield with its Wilson interval, and the
bias range in decades around nominal."""

from __future__ import annotations

import math

import pytest

from sim.sweeps import bias_range, sweeps

LIMITS = {"precision_bits": {"min": 8.0, "max": None}, "mse_percent": {"min": None, "max": 0.87}}


def run(source: str, point: str, seed: int, bits: float | None, mse: float = 0.1,
        chip: dict | None = None) -> tuple[str, dict]:
    rid = f"extracted/{source}={point}/seed{seed}"
    record = {"source": source, "point": point, "task_seed": seed,
              "chip": chip or {"netlist": "extracted", "corner": "typical"}}
    if bits is None:
        record["error"] = "timestep too small"
    else:
        record["metrics"] = {"precision_bits": bits, "mse_percent": mse}
    return rid, record


def mc_chip(k: int) -> dict:
    return {"netlist": "extracted", "corner": "typical", "monte_carlo_sample": k,
            "ngspice_seed": 100 + k}


def test_a_point_passes_only_when_every_seed_does_and_the_worst_run_is_named() -> None:
    runs = dict([run("nominal", "nominal", 11, 9.0), run("nominal", "nominal", 12, 8.5),
                 run("corner", "ff", 11, 8.4), run("corner", "ff", 12, 7.9),
                 run("temperature", "85C", 11, 8.8, mse=1.2)])
    found = sweeps(runs, LIMITS, ["precision_bits"], "estimate")
    assert found["nominal"]["nominal"]["pass"]
    assert not found["corners"]["ff"]["pass"]
    assert found["corners"]["ff"]["worst"]["precision_bits"] == 7.9
    worst = found["worst"]
    assert worst["precision_bits"] == {"value": 7.9, "run": "extracted/corner=ff/seed12",
                                       "pass": False}
    assert worst["mse_percent"]["run"] == "extracted/temperature=85C/seed11"
    assert found["task_seeds"] == {11: {"precision_bits": 9.0, "mse_percent": 0.1},
                                   12: {"precision_bits": 8.5, "mse_percent": 0.1}}


def test_a_failed_simulation_is_the_worst_case_never_a_pass() -> None:
    runs = dict([run("nominal", "nominal", 11, 9.0), run("supply", "vdd x0.9", 11, None)])
    found = sweeps(runs, LIMITS, ["precision_bits"], "estimate")
    assert not found["supplies"]["vdd x0.9"]["pass"]
    assert found["worst"]["precision_bits"]["run"] == "extracted/supply=vdd x0.9/seed11"
    assert found["worst"]["precision_bits"]["pass"] is False


def test_monte_carlo_yield_counts_a_chip_bad_if_any_seed_fails() -> None:
    runs = {}
    for k in range(10):
        for seed in (11, 12):
            bits = 7.0 if (k == 3 and seed == 12) else (None if k == 7 else 8.5 + 0.01 * k)
            runs.update([run("monte_carlo", f"mc{k}", seed, bits, chip=mc_chip(k))])
    found = sweeps(runs, LIMITS, ["precision_bits", "mse_percent"], "ci95_low")["monte_carlo"]
    assert (found["samples"], found["good"], found["yield"]) == (10, 8, 0.8)
    assert not found["chips"]["mc3"]["good"] and not found["chips"]["mc7"]["good"]
    assert found["chips"]["mc3"]["worst"]["precision_bits"] == 7.0
    assert found["ci95"] == pytest.approx((0.4902, 0.9433), abs=1e-3)
    assert found["judged_value"] == found["ci95"][0]
    assert found["distribution"]["precision_bits"]["nonfinite"] == 1  # the failed chip
    assert found["chips"]["mc4"]["ngspice_seed"] == 104


@pytest.mark.parametrize(("scales", "nominal", "decades", "span"), [
    ({"bias x0.1": True, "bias x0.3": True, "bias x3": True, "bias x10": True}, True, 2.0,
     (0.1, 10.0)),
    ({"bias x0.1": False, "bias x0.3": True, "bias x3": True, "bias x10": True}, True,
     math.log10(10 / 0.3), (0.3, 10.0)),
    # a failing scale breaks the run: the pass beyond it does not count
    ({"bias x0.1": True, "bias x0.3": False, "bias x3": True, "bias x10": False}, True,
     math.log10(3), (1.0, 3.0)),
    ({"bias x0.1": True, "bias x10": True}, False, 0.0, (None, None)),
])
def test_bias_range_is_the_contiguous_run_around_nominal(scales, nominal, decades, span) -> None:
    found = bias_range({name: {"pass": ok} for name, ok in scales.items()}, nominal)
    assert found["range_decades"] == pytest.approx(decades)
    assert (found["holds_from"], found["holds_to"]) == span
