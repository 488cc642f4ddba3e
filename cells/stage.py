"""Stage entry point: layout, LVS reference and simulation netlist of every design cell."""

from __future__ import annotations

from cells.build import build_cell
from cells.preview import preview
from cells.registry import source_hashes
from sgdr_flow.config import FlowConfig
from sgdr_flow.stage import StageContext, StageResult


def user_code(config: FlowConfig) -> dict[str, str]:
    """Source hashes of the user's modules that define the design's cells (Stage.user_code)."""
    return source_hashes(spec.cell for spec in config.design.cells.values())


def run(ctx: StageContext) -> StageResult:
    design = ctx.config.design
    cells = design.cells
    summary: dict[str, dict] = {}
    for index, (name, spec) in enumerate(cells.items(), 1):
        ctx.progress.step(f"cell {name} ({spec.cell})", index, len(cells))
        built = build_cell(name, spec.cell, spec.params, ctx.config.pdk.variant, ctx.out,
                           design.guard_rings, design.dummies)
        summary[name] = built.summary()
        if ctx.config.report.plots:
            preview(built.gds, ctx.out / "plots" / f"{name}.png", width=1000)
    total = sum(c["area_um2"] for c in summary.values())
    return StageResult({"status": "ok", "cells": summary, "total_area_um2": round(total, 2)},
                       passed=None)
