"""Targets are judged on the extracted runs: a per-run target holds only if every
deterministic run meets it (the worst is named), the yield on its Wilson bound, the bias range
in decades; a target nothing measured is "not measured", never a pass or a FAIL."""

from __future__ import annotations

from sgdr_flow.config import FlowConfig
from sgdr_flow.report import _limits, judge_targets, overall_pass
from sim.sweeps import sweeps

CONFIG = FlowConfig()
METRICS = {"extracted": {"precision_bits": 9.0, "mse_percent": 0.01, "power_w": 1e-8,
                         "exercised_fraction": 0.8, "area_um2": 2e4,
                         "tl_max_error_percent": 2.0, "droop_mv_per_ms": 0.1}}


def record(source: str, point: str, bits: float, kind: str = "extracted",
           chip: dict | None = None, seed: int = 11) -> tuple[str, dict]:
    return (f"{kind}/{source}={point}/seed{seed}",
            {"source": source, "point": point, "task_seed": seed,
             "chip": chip or {"netlist": kind, "corner": "typical"},
             "metrics": {"precision_bits": bits, "mse_percent": 0.01, "power_w": 1e-8,
                         "exercised_fraction": 0.8}})


def judged(*records: tuple[str, dict]) -> dict:
    mc = CONFIG.simulation.variation.monte_carlo
    return judge_targets(CONFIG, METRICS, sweeps(dict(records), _limits(CONFIG.targets),
                                                 mc.criteria, mc.judge))


def test_the_worst_deterministic_run_decides_and_is_named() -> None:
    found = judged(record("nominal", "nominal", 9.0), record("corner", "ss", 8.2),
                   record("eta", "eta x3", 7.5), record("lambda", "lambda x3", 8.5))
    bits = found["precision_bits"]
    assert (bits["value"], bits["worst_value"]) == (9.0, 7.5)
    assert bits["worst_run"] == "extracted/eta=eta x3/seed11"
    assert bits["pass"] is False and bits["status"] == "FAIL"
    assert found["mse_percent"]["pass"] is True


def test_schematic_runs_and_monte_carlo_chips_are_not_judged_per_run() -> None:
    chip = {"netlist": "extracted", "corner": "typical", "monte_carlo_sample": 0,
            "ngspice_seed": 1000}
    found = judged(record("nominal", "nominal", 9.0), record("nominal", "nominal", 1.0,
                                                            kind="schematic"),
                   record("monte_carlo", "mc0", 2.0, chip=chip))
    assert found["precision_bits"]["pass"] is True
    # ... the Monte Carlo chip counts in the yield instead: 0 of 1 good
    assert found["yield_fraction"]["pass"] is False
    assert found["yield_fraction"]["samples"] == 1


def test_yield_is_judged_on_the_wilson_lower_bound() -> None:
    chips = [record("monte_carlo", f"mc{k}", 9.0, seed=11,
                    chip={"netlist": "extracted", "corner": "typical", "monte_carlo_sample": k,
                          "ngspice_seed": 1000 + k}) for k in range(8)]
    found = judged(record("nominal", "nominal", 9.0), *chips)["yield_fraction"]
    # 8 of 8 good is a 100 % estimate, but 95 % confidence only reaches down to 68 %
    assert found["yield_estimate"] == 1.0 and found["value"] < 0.7
    assert found["pass"] is False


def test_targets_nothing_measured_are_not_measured() -> None:
    found = judged(record("nominal", "nominal", 9.0))
    assert found["yield_fraction"]["status"] == "not measured"
    assert found["bias_range_decades"]["status"] == "not measured"
    assert found["yield_fraction"]["pass"] is None
    stages = {"sim": {"status": "ok"}}
    assert overall_pass(stages, found) is not overall_pass(stages, {
        **found, "yield_fraction": {**found["yield_fraction"], "pass": False}})


def test_a_run_on_the_tuning_seeds_is_never_a_pass() -> None:
    found = judged(record("nominal", "nominal", 9.0))
    assert overall_pass({}, found, scored=True)
    assert not overall_pass({}, found, scored=False)


def test_a_disabled_testbench_leaves_its_targets_not_measured() -> None:
    """translinear_dc and memory_hold off: no tl error, no droop in the metrics."""
    metrics = {"extracted": {k: v for k, v in METRICS["extracted"].items()
                             if k not in ("tl_max_error_percent", "droop_mv_per_ms")}}
    mc = CONFIG.simulation.variation.monte_carlo
    found = judge_targets(CONFIG, metrics, sweeps(dict([record("nominal", "nominal", 9.0)]),
                                                  _limits(CONFIG.targets), mc.criteria,
                                                  mc.judge))
    for name in ("tl_max_error_percent", "droop_mv_per_ms"):
        assert found[name]["status"] == "not measured" and found[name]["pass"] is None
    assert found["precision_bits"]["status"] == "pass"
