"""The report's `sweeps` section from the sim stage's runs, judged against the targets.

Runs are grouped by variation source and point; a point's value of a metric is its worst over the
task seeds. Deterministic sources (nominal, corners, temperatures, supplies, the eta and lambda
sweeps) must meet every per-run target in every run; Monte Carlo chips are counted into a yield
(a chip is good when it meets the yield criteria on every task seed; a chip with a failed
simulation is bad); the bias scaling gives the range in decades around nominal where every
per-run target holds. Every worst case names the run that gave it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from sim import metrics as m

GATING = ("nominal", "corner", "temperature", "supply", "eta", "lambda")
GROUPS = {"corner": "corners", "temperature": "temperatures", "supply": "supplies",
          "eta": "eta", "lambda": "lambda", "monte_carlo": "monte_carlo",
          "bias": "bias_scaling", "nominal": "nominal"}


def within(value: float | None, limit: dict[str, float | None]) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    lo, hi = limit.get("min"), limit.get("max")
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def margin(value: float | None, limit: dict[str, float | None]) -> float:
    """How far inside the limit a value is (negative: outside; a missing value is worst)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return -math.inf
    lo, hi = limit.get("min"), limit.get("max")
    return min(math.inf if hi is None else hi - value, math.inf if lo is None else value - lo)


def _worst(runs: Iterable[tuple[str, dict[str, Any]]], metric: str,
           limit: dict[str, float | None]) -> tuple[float | None, str | None]:
    """The value of `metric` with the least margin, and its run (a failed run is worst)."""
    found = [(margin(r["metrics"].get(metric) if r.get("metrics") else None, limit), rid, r)
             for rid, r in runs]
    if not found:
        return None, None
    _, rid, run = min(found, key=lambda f: f[0])
    value = run["metrics"].get(metric) if run.get("metrics") else None
    return value, rid


def _passes(run: dict[str, Any], limits: dict[str, dict[str, float | None]]) -> bool:
    return bool(run.get("metrics")) and all(within(run["metrics"].get(k), lim)
                                            for k, lim in limits.items())


def group(runs: dict[str, dict[str, Any]], kind: str,
          limits: dict[str, dict[str, float | None]]) -> dict[str, Any]:
    """Per source and point: every seed's metrics, the worst value of each limited metric and
    whether the point meets every limit on every seed."""
    out: dict[str, Any] = {}
    for rid, run in runs.items():
        if run["chip"]["netlist"] != kind:
            continue
        point = out.setdefault(GROUPS[run["source"]], {}).setdefault(
            run["point"], {"runs": {}, "pass": True})
        point["runs"][rid] = run.get("metrics") or {"failed": run.get("error", "failed")}
        point["pass"] = point["pass"] and _passes(run, limits)
    for points in out.values():
        for point in points.values():
            members = [(rid, runs[rid]) for rid in point["runs"]]
            point["worst"] = {metric: _worst(members, metric, lim)[0]
                              for metric, lim in limits.items()}
    return out


def monte_carlo(runs: dict[str, dict[str, Any]], kind: str,
                criteria: dict[str, dict[str, float | None]], judge: str) -> dict[str, Any]:
    """Yield over the Monte Carlo chips with its Wilson 95 % interval, each chip's verdict and
    worst values, and the distribution over chips of each criterion's worst value."""
    chips: dict[str, dict[str, Any]] = {}
    for rid, run in runs.items():
        if run["source"] != "monte_carlo" or run["chip"]["netlist"] != kind:
            continue
        chip = chips.setdefault(run["point"], {"ngspice_seed": run["chip"]["ngspice_seed"],
                                               "runs": [], "good": True})
        chip["runs"].append(rid)
        chip["good"] = chip["good"] and _passes(run, criteria)
    for chip in chips.values():
        chip["worst"] = {metric: _worst([(r, runs[r]) for r in chip["runs"]], metric, lim)[0]
                         for metric, lim in criteria.items()}
    good = sum(chip["good"] for chip in chips.values())
    low, high = m.wilson_interval(good, len(chips))
    value = (good / len(chips)) if chips else None
    return {"samples": len(chips), "good": good, "yield": value, "ci95": [low, high],
            "judged_on": judge, "judged_value": (low if judge == "ci95_low" else value)
            if chips else None,
            "criteria": criteria, "chips": chips,
            "distribution": {metric: m.distribution([c["worst"][metric] if c["worst"][metric]
                                                     is not None else math.nan
                                                     for c in chips.values()])
                             for metric in criteria}}


def bias_range(points: dict[str, Any], nominal_pass: bool) -> dict[str, Any]:
    """The contiguous run of bias scales around 1 (the nominal point) where every limit holds,
    and its width in decades (0 when the nominal point itself fails)."""
    scales = {1.0: nominal_pass}
    for name, point in points.items():
        scales[float(name.split("x", 1)[1])] = point["pass"]
    ordered = sorted(scales)
    at = ordered.index(1.0)
    if not nominal_pass:
        return {"range_decades": 0.0, "holds_from": None, "holds_to": None,
                "scales": {f"{s:g}": ok for s, ok in scales.items()}}
    lo = hi = at
    while lo > 0 and scales[ordered[lo - 1]]:
        lo -= 1
    while hi < len(ordered) - 1 and scales[ordered[hi + 1]]:
        hi += 1
    return {"range_decades": math.log10(ordered[hi] / ordered[lo]), "holds_from": ordered[lo],
            "holds_to": ordered[hi], "scales": {f"{s:g}": ok for s, ok in sorted(scales.items())}}


def worst_cases(runs: dict[str, dict[str, Any]], kind: str,
                limits: dict[str, dict[str, float | None]]) -> dict[str, Any]:
    """Per limited metric: the worst value over the gating runs and the run that gave it."""
    gating = [(rid, r) for rid, r in runs.items()
              if r["source"] in GATING and r["chip"]["netlist"] == kind]
    out = {}
    for metric, lim in limits.items():
        value, rid = _worst(gating, metric, lim)
        out[metric] = {"value": value, "run": rid,
                       "pass": all(within(r["metrics"].get(metric) if r.get("metrics") else None,
                                          lim) for _, r in gating) if gating else None}
    return out


def sweeps(runs: dict[str, dict[str, Any]], limits: dict[str, dict[str, float | None]],
           criteria: list[str], judge: str, kind: str = "extracted") -> dict[str, Any]:
    """The `sweeps` section for netlist `kind`."""
    grouped = group(runs, kind, limits)
    nominal = grouped.get("nominal", {}).get("nominal", {"pass": False})
    out: dict[str, Any] = dict(grouped)
    out["task_seeds"] = {run["task_seed"]: run.get("metrics") or {"failed": run.get("error")}
                         for run in runs.values()
                         if run["source"] == "nominal" and run["chip"]["netlist"] == kind}
    if "bias_scaling" in grouped:
        out["bias_scaling"] = {**bias_range(grouped["bias_scaling"], nominal["pass"]),
                               "points": grouped["bias_scaling"]}
    if any(r["source"] == "monte_carlo" and r["chip"]["netlist"] == kind for r in runs.values()):
        out["monte_carlo"] = monte_carlo(runs, kind, {c: limits[c] for c in criteria}, judge)
    out["worst"] = worst_cases(runs, kind, limits)
    return out
