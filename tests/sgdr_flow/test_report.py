"""Targets are judged on the extracted metrics and, where the sweep measures them, every run."""

from __future__ import annotations

from sgdr_flow.config import TargetsConfig
from sgdr_flow.report import judge_targets

METRICS = {"extracted": {"precision_bits": 9.0, "mse_percent": 0.01, "power_w": 1e-8},
           "schematic": {"precision_bits": 3.0}}


def sweep(**bits: float) -> dict:
    return {label.replace("_", " "): {"extracted": {"precision_bits": b, "mse_percent": 0.01},
                                      "schematic": {"precision_bits": 1.0}}
            for label, b in bits.items()}


def test_nominal_alone_without_a_sweep() -> None:
    judged = judge_targets(TargetsConfig(), METRICS)
    assert judged["precision_bits"] == {"value": 9.0, "limit": {"min": 8.0, "max": None},
                                        "pass": True, "judged_on": "extracted"}
    assert not judged["area_um2"]["pass"]  # not measured is not passed


def test_the_worst_sweep_run_decides_and_is_named() -> None:
    judged = judge_targets(TargetsConfig(), METRICS, sweep(nominal=9.0, eta_x3=7.5, lam_x3=8.5))
    bits = judged["precision_bits"]
    assert (bits["value"], bits["worst_run"], bits["worst_value"]) == (9.0, "eta x3", 7.5)
    assert not bits["pass"] and bits["judged_on"] == "extracted, every sweep run"
    assert judged["mse_percent"]["pass"]


def test_a_sweep_inside_the_limits_passes() -> None:
    judged = judge_targets(TargetsConfig(), METRICS, sweep(nominal=9.0, eta_x3=8.2))
    assert judged["precision_bits"]["pass"] and judged["precision_bits"]["worst_value"] == 8.2


def test_schematic_only_runs_are_not_judged() -> None:
    only_schematic = {"eta x3": {"schematic": {"precision_bits": 1.0}}}
    assert judge_targets(TargetsConfig(), METRICS, only_schematic)["precision_bits"]["pass"]
