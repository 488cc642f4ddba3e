"""PNG plots for the report: learning trajectories, translinear error, memory droop (the sim
stage), and the variation sweeps against their targets (drawn by the report stage)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

STYLE = {"schematic": "-", "extracted": "-."}
SWEEP_METRICS = (("precision_bits", "precision (bits)"), ("mse_percent", "output MSE (%)"))


def _save(fig: Any, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _nominal(records: dict[str, Any], traces: dict[str, Any]) -> tuple[str, dict] | None:
    """The first nominal run that has a trace, extracted before schematic."""
    for kind in ("extracted", "schematic"):
        for rid, record in records.items():
            if record["source"] == "nominal" and record["chip"]["netlist"] == kind \
                    and rid in traces:
                return rid, traces[rid]
    return None


def weights_figure(run: tuple[str, dict]) -> Any:
    """Every weight (thin, on top) over the golden model's (wide, underneath), one legend entry
    per weight."""
    rid, trace = run
    grid = np.asarray(trace["grid"]) * 1e3
    w, ideal = np.asarray(trace["weights"]), np.asarray(trace["ideal"])
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i in range(w.shape[1]):
        color = colors[i % len(colors)]
        ax.plot(grid, ideal[:, i], color=color, lw=4, alpha=0.3)  # golden: wide, underneath
        ax.plot(grid, w[:, i], color=color, lw=1.0, label=f"w{i}")
    ax.plot([], [], color="grey", lw=4, alpha=0.3, label="golden SGDr model")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("weight")
    ax.set_title(f"Weights vs the golden model ({rid})", fontsize=10)
    ax.legend(loc="upper right", fontsize=7, ncol=2 + w.shape[1] // 8)
    return fig


def _output(path: Path, run: tuple[str, dict]) -> None:
    rid, trace = run
    grid = np.asarray(trace["grid"]) * 1e3
    fig, ax = plt.subplots(figsize=(8.5, 3.6))
    ax.plot(grid, trace["ideal_output"], color="grey", lw=4, alpha=0.35, label="golden y")
    ax.plot(grid, trace["output"], lw=1.0, label="array output y (ymon)")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("y (units of t)")
    ax.set_title(f"Sum output vs the golden model ({rid})", fontsize=10)
    ax.legend(fontsize=8)
    _save(fig, path)


def _translinear(path: Path, translinear: dict[str, Any]) -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    for kind, benches in translinear.items():
        dies = [found for bench, found in benches.items() if bench.startswith("mc")]
        for bench, found in benches.items():
            if not bench.startswith("mc"):
                ax.semilogx(found["i_a"], found["error_percent"], STYLE.get(kind, "-"),
                            marker=".", label=f"{kind} {bench}")
        for k, found in enumerate(dies):  # one legend entry for all the Monte Carlo dies
            ax.semilogx(found["i_a"], found["error_percent"], STYLE.get(kind, "-"), lw=0.6,
                        color="grey", alpha=0.6,
                        label=None if k else f"{kind} Monte Carlo ({len(dies)} dies)")
    ax.set_yscale("symlog", linthresh=5.0, linscale=3.0)  # linear within +/-5 %, beyond log
    ax.set_xlabel("I_a (A)")
    ax.set_ylabel("I_out error vs I_a I_b / I_c (%)")
    ax.set_title("Translinear loop accuracy")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    _save(fig, path)


def hold_figure(hold: dict[str, Any]) -> Any:
    """The weight node's change in mV from where it was set (not its absolute voltage)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for kind, benches in hold.items():
        for bench, found in benches.items():
            v = (np.asarray(found["v"]) - found["v_start"]) * 1e3
            ax.plot(np.asarray(found["times"]) * 1e3, v, STYLE.get(kind, "-"),
                    label=f"{kind} {bench} ({found['droop_mv_per_ms']:.3g} mV/ms)")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("weight node change (mV)")
    ax.set_title("Weight memory hold (every input and bias off)")
    ax.legend(fontsize=7)
    return fig


def plot_all(folder: Path, details: dict[str, Any], records: dict[str, Any],
             traces: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nominal = _nominal(records, traces)
    if nominal:
        _save(weights_figure(nominal), folder / "weights_vs_time.png")
        _output(folder / "output_vs_time.png", nominal)
    if details["translinear"]:
        _translinear(folder / "translinear_error.png", details["translinear"])
    if details["hold"]:
        _save(hold_figure(details["hold"]), folder / "memory_droop.png")


# ------------------------------------------------------------------------------ sweeps
def _limit_lines(ax: Any, limit: dict[str, float | None], vertical: bool = False) -> None:
    for side in ("min", "max"):
        if limit.get(side) is not None:
            line = ax.axvline if vertical else ax.axhline
            line(limit[side], color="#b3261e", ls="--", lw=1, label=f"target {side}")


def _points(group: dict[str, Any], metric: str) -> tuple[list[str], list[list[float]]]:
    names = list(group)
    values = [[(r or {}).get(metric, math.nan) for r in group[p]["runs"].values()]
              for p in names]
    return names, values


def condition_figure(sweeps: dict[str, Any], limits: dict[str, Any]) -> Any:
    """Every deterministic source: each point's value on each task seed (the nominal point
    first), with the target lines; None without a source."""
    groups = [g for g in ("corners", "temperatures", "supplies", "eta", "lambda")
              if sweeps.get(g)]
    if not groups:
        return None
    fig, axes = plt.subplots(len(SWEEP_METRICS), len(groups),
                             figsize=(3.0 * len(groups) + 1, 6), squeeze=False)
    nominal = sweeps.get("nominal", {})
    for col, name in enumerate(groups):
        for row, (metric, label) in enumerate(SWEEP_METRICS):
            ax = axes[row][col]
            points, values = _points({**nominal, **sweeps[name]}, metric)
            for x, vals in enumerate(values):
                ax.plot([x] * len(vals), vals, "o", color="#1f77b4", ms=4)
            ax.set_xticks(range(len(points)), points, fontsize=7, rotation=30)
            _limit_lines(ax, limits.get(metric, {}))
            if metric == "mse_percent":
                ax.set_yscale("log")
            if col == 0:
                ax.set_ylabel(label)
            if row == 0:
                ax.set_title(name, fontsize=9)
    fig.suptitle("Extracted array under each variation source (every task seed)", fontsize=10)
    return fig


def _histograms(path: Path, mc: dict[str, Any], limits: dict[str, Any]) -> None:
    chips = mc["chips"]
    fig, axes = plt.subplots(1, len(SWEEP_METRICS), figsize=(10, 3.8))
    for ax, (metric, label) in zip(axes, SWEEP_METRICS, strict=True):
        values = [c["worst"].get(metric) for c in chips.values()
                  if c["worst"].get(metric) is not None]
        values = [v for v in values if np.isfinite(v)]
        if metric == "mse_percent" and values:
            values = list(np.log10(np.maximum(values, 1e-12)))
            label = "log10 " + label
            limit = {k: (math.log10(v) if v else None) for k, v in limits.get(metric, {}).items()}
        else:
            limit = limits.get(metric, {})
        ax.hist(values, bins=max(5, min(30, len(values) // 2 or 1)), color="#1f77b4")
        _limit_lines(ax, limit, vertical=True)
        ax.set_xlabel(f"{label}, worst over task seeds")
        ax.set_ylabel("chips")
    low, high = mc["ci95"]
    fig.suptitle(f"Monte Carlo: yield {mc['good']}/{mc['samples']} "
                 f"(Wilson 95 %: {100 * low:.0f} to {100 * high:.0f} %)", fontsize=10)
    _save(fig, path)


def _bias_plot(path: Path, bias: dict[str, Any], nominal: dict[str, Any],
               limits: dict[str, Any]) -> None:
    scales = [1.0] + [float(p.split("x", 1)[1]) for p in bias["points"]]
    rows = [nominal, *bias["points"].values()]
    order = np.argsort(scales)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    metrics = (("precision_bits", "precision (bits)"), ("power_w", "power (nW)"),
               ("time_constant_s", "time constant (ms)"))
    for ax, (metric, label) in zip(axes, metrics, strict=True):
        values = []
        for k in order:
            runs = rows[k].get("runs", {})
            vals = [(r or {}).get(metric, math.nan) for r in runs.values()]
            worst = (min if metric == "precision_bits" else max)(vals) if vals else math.nan
            values.append(worst)
        scale = {"power_w": 1e9, "time_constant_s": 1e3}.get(metric, 1.0)
        plot = ax.semilogx if metric == "precision_bits" else ax.loglog
        plot(np.asarray(scales)[order], np.asarray(values) * scale, "o-")
        if metric == "precision_bits":
            _limit_lines(ax, limits.get(metric, {}))
        ax.set_xlabel("bias scale (all currents)")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle(f"Bias scaling: targets hold over {bias['range_decades']:.2g} decades",
                 fontsize=10)
    _save(fig, path)


def plot_sweeps(folder: Path, sweeps: dict[str, Any], limits: dict[str, Any]) -> None:
    """Metric-vs-condition plots, Monte Carlo histograms and bias scaling, with target lines."""
    folder.mkdir(parents=True, exist_ok=True)
    conditions = condition_figure(sweeps, limits)
    if conditions is not None:
        _save(conditions, folder / "variation_sources.png")
    if sweeps.get("monte_carlo", {}).get("chips"):
        _histograms(folder / "monte_carlo.png", sweeps["monte_carlo"], limits)
    nominal = sweeps.get("nominal", {}).get("nominal")
    if nominal and sweeps.get("bias_scaling", {}).get("points"):
        _bias_plot(folder / "bias_scaling.png", sweeps["bias_scaling"], nominal, limits)
