"""Stage entry point: built-in LVS of every design cell and the top level (.lvsdb for PEX)."""

from __future__ import annotations

from extraction.lvs.engine import run_lvs
from extraction.targets import targets
from sgdr_flow.stage import StageContext, StageResult, disabled


def run(ctx: StageContext) -> StageResult:
    config = ctx.config.checks.lvs
    if not config.enabled:
        return disabled("checks.lvs.enabled")
    results = {}
    for target in targets(ctx):
        ctx.progress.step(f"LVS {target.name}")
        result = run_lvs(target.gds, target.netlist, target.name, ctx.config.pdk.variant,
                         config.tolerances)
        result.write_json(ctx.out / f"{target.name}.json")
        result.write_lvsdb(ctx.out / f"{target.name}.lvsdb")
        results[target.name] = {**result.as_json(), "lvsdb": f"{target.name}.lvsdb"}
    match = all(r["match"] for r in results.values())
    return StageResult({"status": "ok" if match else "failed", "match": match, "cells": results},
                       passed=match)
