"""The report stage: one JSON document of every stage's results, judged against the targets."""

from __future__ import annotations

import json
import math
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

GOOD_STATUSES = {"ok", "disabled"}
SECTIONS = {"cells": "cells", "layout": "layout", "drc": "drc", "lvs": "lvs", "pex": "pex"}


def within(value: float | None, limit: Limit) -> bool:
    if value is None:
        return False
    return (limit.min is None or value >= limit.min) and (limit.max is None or value <= limit.max)


def _margin(value: float, limit: Limit) -> float:
    """How far inside the limit a value is (negative: outside)."""
    return min(math.inf if limit.max is None else limit.max - value,
               math.inf if limit.min is None else value - limit.min)


def judge_targets(targets: TargetsConfig, metrics: dict[str, Any],
                  sweep: dict[str, Any] | None = None) -> dict[str, Any]:
    """Judge every target on the extracted (post-layout) metrics. A metric the hyperparameter
    sweep also measures must hold in every extracted sweep run too: the targets are to hold over
    a decade of eta and of lambda, not at one point; the worst run is named."""
    measured = metrics.get("extracted") or {}
    runs = {label: kinds["extracted"] for label, kinds in (sweep or {}).items()
            if "extracted" in kinds}
    out = {}
    for name in TargetsConfig.model_fields:
        limit: Limit = getattr(targets, name)
        value = measured.get(name)
        entry = {"value": value, "limit": limit.model_dump(), "pass": within(value, limit),
                 "judged_on": "extracted"}
        swept = {label: run[name] for label, run in runs.items() if run.get(name) is not None}
        if swept:
            worst = min(swept, key=lambda label: _margin(swept[label], limit))
            entry.update(worst_run=worst, worst_value=swept[worst],
                         judged_on="extracted, every sweep run",
                         **{"pass": entry["pass"] and all(within(v, limit)
                                                          for v in swept.values())})
        out[name] = entry
    return out


def overall_pass(stages: dict[str, dict[str, Any]], targets: dict[str, Any]) -> bool:
    return all(s["status"] in GOOD_STATUSES for s in stages.values()) and all(
        t["pass"] for t in targets.values())


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
    targets = judge_targets(ctx.config.targets, metrics, sim.get("sweep"))
    layout = sections.get("layout", {})
    baseline = (compare(metrics.get("extracted") or metrics.get("schematic") or {},
                        layout["bbox_area_per_synapse_um2"])
                if "bbox_area_per_synapse_um2" in layout else {"status": "no layout"})
    report = {
        "pass": overall_pass(stages, targets),
        "title": ctx.config.report.title,
        "tools": tool_versions(),
        "pdk": pdk_info(ctx.config),
        "stages": stages,
        **sections,
        "sim": {k: v for k, v in sim.items() if k != "metrics"},
        "metrics": metrics,
        "targets": targets,
        "digital_baseline": baseline,
    }
    return report


def run(ctx: StageContext) -> StageResult:
    report = assemble(ctx)
    (ctx.out / "report.json").write_text(json.dumps(report, indent=2, default=str))
    if ctx.config.report.html:
        (ctx.out / "report.html").write_text(render_html(report, ctx.build))
    return StageResult({"pass": report["pass"]}, passed=report["pass"])


def publish(build: Path, runs: list[Any], flow: LoadedFlow) -> dict[str, Any] | None:
    """Copy the report to build/report.json|html with this run's stage statuses, skips and
    durations, and the flow file it ran (facts of this run, kept out of the report stage's own
    output so that it stays the same for the same inputs)."""
    source = build / "report" / "report.json"
    if not source.is_file():
        return None
    report = json.loads(source.read_text())
    report["flow"] = {"path": str(flow.path), "hash": flow.digest}
    for run in runs:
        report["stages"][run.name] = run.as_json()
    report["pass"] = overall_pass(report["stages"], report["targets"])
    with deferred():
        write_atomic(build / "report.json", json.dumps(report, indent=2, default=str))
        if (build / "report" / "report.html").is_file():
            write_atomic(build / "report.html", render_html(report, build))
    return report
