"""PNG plots for the report: weights vs time, translinear error vs current, memory droop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.task import Task

STYLE = {"schematic": "-", "extracted": "-."}


def _weights(path: Path, learning: dict[str, Any], task: Task) -> None:
    runs = learning.get("nominal", {})
    if not runs:
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    first = next(iter(runs.values()))
    grid = np.asarray(first["grid"]) * 1e3
    ideal = np.asarray(first["ideal"])
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i in range(task.n_inputs):
        color = colors[i % len(colors)]
        ax.plot(grid, ideal[:, i], ":", color=color, lw=2, label=f"w{i} ideal" if i == 0 else "")
        for kind, run in runs.items():
            w = np.asarray(run["weights"])
            ax.plot(grid, w[:, i], STYLE.get(kind, "-"), color=color,
                    label=f"w{i} {kind}" if i == 0 else "")
        ax.axhline(task.w_star[i], color=color, lw=0.5, alpha=0.5)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("weight")
    ax.set_title("SGDr learning: circuit weights vs the golden model (dotted)")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _translinear(path: Path, translinear: dict[str, Any]) -> None:
    if not translinear:
        return
    fig, ax = plt.subplots(figsize=(7, 4))
    for kind, found in translinear.items():
        ax.semilogx(found["i_a"], found["error_percent"], STYLE.get(kind, "-"), marker=".",
                    label=kind)
    ax.set_xlabel("I_a (A)")
    ax.set_ylabel("I_out error vs I_a I_b / I_c (%)")
    ax.set_title("Translinear loop accuracy")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _hold(path: Path, hold: dict[str, Any]) -> None:
    if not hold:
        return
    fig, ax = plt.subplots(figsize=(7, 4))
    for kind, temps in hold.items():
        for temp, found in temps.items():
            ax.plot(np.asarray(found["times"]) * 1e3, found["v"], STYLE.get(kind, "-"),
                    label=f"{kind} {temp} ({found['droop_mv_per_ms']:.3g} mV/ms)")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("weight node (V)")
    ax.set_title("Weight memory hold")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _sweep(path: Path, learning: dict[str, Any]) -> None:
    rows = [(run, kind, v) for run, kinds in learning.items() for kind, v in kinds.items()]
    if len(rows) < 2:
        return
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    labels = [f"{run}\n{kind}" for run, kind, _ in rows]
    axes[0].bar(labels, [v["mse_percent"] for _, _, v in rows])
    axes[0].set_ylabel("MSE (%)")
    axes[1].bar(labels, [v["precision_bits"] for _, _, v in rows])
    axes[1].set_ylabel("precision (bits)")
    for ax in axes:
        ax.tick_params(axis="x", labelsize=7, rotation=60)
    fig.suptitle("Hyperparameter and bias sweeps")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_all(folder: Path, details: dict[str, Any], task: Task) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _weights(folder / "weights_vs_time.png", details["learning"], task)
    _translinear(folder / "translinear_error.png", details["translinear"])
    _hold(folder / "memory_droop.png", details["hold"])
    _sweep(folder / "sweeps.png", details["learning"])
