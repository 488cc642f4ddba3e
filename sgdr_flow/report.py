"""The report stage: one JSON document of every stage's results, judged against the targets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sgdr_flow.baseline import compare
from sgdr_flow.build_folder import write_atomic
from sgdr_flow.config import FlowConfig, Limit, LoadedFlow, TargetsConfig
from sgdr_flow.html import render_html
from sgdr_flow.signals import deferred
from sgdr_flow.stage import StageContext, StageResult
from sgdr_flow.stages import STAGE_NAMES
from sgdr_flow.versions import tool_versions
from sim.plots import plot_sweeps
from sim.sweeps import sweeps as sweeps_of
from sim.sweeps import within

GOOD_STATUSES = {"ok", "disabled"}
SECTIONS = {"cells": "cells", "layout": "layout", "drc": "drc", "lvs": "lvs", "pex": "pex"}


PER_RUN_TARGETS = ("mse_percent", "precision_bits", "power_w", "exercised_fraction")
GATING_NOTE = ("extracted, every run of the nominal chip, corners, temperatures, supplies and "
               "the eta and lambda sweeps, on every scoring seed")


def _limits(targets: TargetsConfig) -> dict[str, dict[str, float | None]]:
    return {name: getattr(targets, name).model_dump() for name in PER_RUN_TARGETS}


def judge_targets(config: FlowConfig, metrics: dict[str, Any],
                  sweeps: dict[str, Any]) -> dict[str, Any]:
    """Judge every target on the extracted (post-layout) netlist. A per-run target must hold in
    every deterministic run (the worst one is named); the yield comes from the Monte Carlo
    chips, the bias range from the bias scaling. A target nothing measured is `not measured`
    (pass None), never a silent pass or a FAIL."""
    targets = config.targets
    measured = metrics.get("extracted") or {}
    out: dict[str, Any] = {}
    for name in TargetsConfig.model_fields:
        limit: Limit = getattr(targets, name)
        entry: dict[str, Any] = {"limit": limit.model_dump(), "judged_on": "extracted"}
        if name in PER_RUN_TARGETS:
            worst = sweeps.get("worst", {}).get(name, {})
            entry.update(value=measured.get(name), worst_value=worst.get("value"),
                         worst_run=worst.get("run"), judged_on=GATING_NOTE,
                         **{"pass": worst.get("pass")})
        elif name == "yield_fraction":
            mc = sweeps.get("monte_carlo")
            value = mc["judged_value"] if mc else None
            entry.update(value=value, judged_on=f"Monte Carlo, {mc['judged_on']}" if mc else
                         "Monte Carlo", **{"pass": within(value, limit.model_dump())
                                           if mc else None})
            if mc:
                entry.update(yield_estimate=mc["yield"], ci95=mc["ci95"], samples=mc["samples"])
        elif name == "bias_range_decades":
            bias = sweeps.get("bias_scaling")
            value = bias["range_decades"] if bias else None
            entry.update(value=value, judged_on="extracted, all biases scaled together",
                         **{"pass": within(value, limit.model_dump()) if bias else None})
        else:
            value = measured.get(name)
            entry.update(value=value, **{"pass": within(value, limit.model_dump())
                                         if value is not None else None})
        entry["status"] = {True: "pass", False: "FAIL", None: "not measured"}[entry["pass"]]
        out[name] = entry
    return out


def overall_pass(stages: dict[str, dict[str, Any]], targets: dict[str, Any],
                 scored: bool = True) -> bool:
    """Every stage fine and no target failed (not measured ones are listed, not counted); a run
    on the tuning seeds is never a sign-off verdict."""
    return scored and all(s["status"] in GOOD_STATUSES for s in stages.values()) and all(
        t["pass"] is not False for t in targets.values())


def pdk_info(config: FlowConfig) -> dict[str, Any]:
    pdk = config.pdk
    return {"name": pdk.name, "variant": pdk.variant.model_dump(), "corner": pdk.corner,
            "temperature_c": pdk.temperature_c}


def assemble(ctx: StageContext) -> dict[str, Any]:
    """Collect upstream summaries into the report document (stages as their manifests say)."""
    from sgdr_flow.runner import read_manifest

    stages: dict[str, dict[str, Any]] = {}
    sections: dict[str, Any] = {}
    for name in STAGE_NAMES[:-1]:
        manifest = read_manifest(ctx.build, name) or {}
        stages[name] = {"status": manifest.get("status", "never run"),
                        "passed": manifest.get("passed")}
        sections[name] = ctx.summary(name) if manifest else {"status": "never run"}
    sim = sections.pop("sim")
    metrics = sim.get("metrics", {"status": sim.get("status", "never run")})
    mc = ctx.config.simulation.variation.monte_carlo
    sweeps = sweeps_of(sim.get("runs", {}), _limits(ctx.config.targets), mc.criteria,
                       mc.judge) if sim.get("runs") else {}
    targets = judge_targets(ctx.config, metrics, sweeps)
    scored = sim.get("seed_set", "scoring") == "scoring"
    layout = sections.get("layout", {})
    baseline = (compare(metrics.get("extracted") or metrics.get("schematic") or {},
                        layout["bbox_area_per_synapse_um2"])
                if "bbox_area_per_synapse_um2" in layout else {"status": "no layout"})
    if ctx.config.report.plots and sweeps:
        plot_sweeps(ctx.out / "plots", sweeps, _limits(ctx.config.targets))
    report = {
        "pass": overall_pass(stages, targets, scored),
        "scored_on": "scoring seeds" if scored else "TUNING seeds: not a sign-off verdict",
        "title": ctx.config.report.title,
        "tools": tool_versions(),
        "pdk": pdk_info(ctx.config),
        "stages": stages,
        **sections,
        "sim": {k: v for k, v in sim.items() if k != "metrics"},
        "metrics": metrics,
        "sweeps": sweeps,
        "targets": targets,
        "digital_baseline": baseline,
    }
    return report


def run(ctx: StageContext) -> StageResult:
    report = assemble(ctx)
    report["html"] = ctx.config.report.html
    (ctx.out / "report.json").write_text(json.dumps(report, indent=2, default=str))
    # the stage itself did its job; the verdict is the report's, not a stage failure
    return StageResult({"pass": report["pass"]}, passed=None)


def publish(build: Path, runs: list[Any], flow: LoadedFlow) -> dict[str, Any] | None:
    """Write build/report.json and the one build/report.html: the report stage's document with
    this run's stage statuses and durations (a stage the cache skipped shows what its output
    cost when it last ran) and the flow file it ran (facts of this run, kept out of the report
    stage's own output so that it stays the same for the same inputs)."""
    source = build / "report" / "report.json"
    if not source.is_file():
        return None
    from sgdr_flow.runner import read_manifest

    report = json.loads(source.read_text())
    report["flow"] = {"path": str(flow.path), "hash": flow.digest}
    for run in runs:
        stage = run.as_json()
        manifest = read_manifest(build, run.name) or {}
        if run.skipped and manifest.get("duration_s") is not None:
            stage["last_duration_s"] = manifest["duration_s"]  # what the cached output cost
        report["stages"][run.name] = stage
    report["pass"] = overall_pass(report["stages"], report["targets"],
                                  not report.get("scored_on", "").startswith("TUNING"))
    with deferred():
        write_atomic(build / "report.json", json.dumps(report, indent=2, default=str))
        if report.get("html", True):
            write_atomic(build / "report.html", render_html(report, build))
    return report
