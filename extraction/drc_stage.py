"""Stage entry point: built-in DRC of every design cell and the top level."""

from __future__ import annotations

from extraction.drc.engine import run_drc
from extraction.targets import targets
from sgdr_flow.stage import StageContext, StageResult, disabled


def run(ctx: StageContext) -> StageResult:
    config = ctx.config.checks.drc
    if not config.enabled:
        return disabled("checks.drc.enabled")
    results = {}
    checked: set[str] = set()
    for target in targets(ctx):
        ctx.progress.step(f"DRC {target.name}")
        result = run_drc(target.gds, target.name, ctx.config.pdk.variant, skip=config.skip_rules,
                         progress=lambda rule, i, n, name=target.name: ctx.progress.step(
                             f"DRC {name}: {rule}", i, n))
        result.write_json(ctx.out / f"{target.name}.json")
        result.write_lyrdb(ctx.out / f"{target.name}.lyrdb")
        checked.update(r.check.name for r in result.results)
        results[target.name] = {"clean": result.clean, "violations": result.violations,
                                "by_rule": result.by_rule(), "seconds": round(result.seconds, 3),
                                "lyrdb": f"{target.name}.lyrdb"}
    clean = all(r["clean"] for r in results.values())
    return StageResult({"status": "ok" if clean else "failed", "clean": clean,
                        "rules_checked": len(checked), "cells": results}, passed=clean)
