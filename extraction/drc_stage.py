"""Stage entry point: built-in DRC of every design cell and the top level, plus the sign-off
deck named in flow.yaml (run by an external KLayout application) when there is one.
`junit.xml` has one test case per cell and rule.

Its files are the same bytes for the same inputs: run times go to the manifest (`timings`) and
paths are relative to the stage folder.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from extraction.drc.engine import run_drc
from extraction.external import run_external_drc
from extraction.junit import Case, drc_cases, write_junit
from extraction.targets import Target, targets
from sgdr_flow.stage import StageContext, StageResult, disabled


def _external(ctx: StageContext, target: Target, cases: list[Case],
              timings: dict[str, float]) -> dict[str, Any]:
    spec = ctx.config.checks.drc.external
    ctx.progress.step(f"sign-off DRC {target.name} ({spec.deck.name})")
    result = run_external_drc(spec, target.gds, target.name, ctx.config.pdk.variant,
                              ctx.out / f"{target.name}.external.lyrdb")
    data = {**result.as_json(), "gds": ctx.relative(target.gds),
            "report": ctx.relative(result.report)}
    cases += [replace(c, suite=f"{c.suite}.external")
              for c in drc_cases(data, result.descriptions)]
    timings[f"{target.name} sign-off"] = data.pop("seconds")
    (ctx.out / f"{target.name}.external.json").write_text(json.dumps(data, indent=1))
    return {"clean": result.clean, "violations": result.violation_count,
            "by_rule": result.by_rule(), "lyrdb": f"{target.name}.external.lyrdb"}


def run(ctx: StageContext) -> StageResult:
    config = ctx.config.checks.drc
    if not config.enabled:
        return disabled("checks.drc.enabled")
    results, external, timings = {}, {}, {}
    checked: set[str] = set()
    cases: list[Case] = []
    for target in targets(ctx):
        ctx.progress.step(f"DRC {target.name}")
        result = run_drc(target.gds, target.name, ctx.config.pdk.variant, skip=config.skip_rules,
                         deep=None, progress=lambda rule, i, n, name=target.name:
                         ctx.progress.step(f"DRC {name}: {rule}", i, n))
        result.gds = ctx.relative(target.gds)  # the marker database's "original file" too
        data = result.as_json()
        timings[target.name] = data.pop("seconds")
        (ctx.out / f"{target.name}.json").write_text(json.dumps(data, indent=1))
        result.write_lyrdb(ctx.out / f"{target.name}.lyrdb")
        checked.update(r.check.name for r in result.results)
        cases += drc_cases(result.as_json(), {r.check.name: r.check.description
                                              for r in result.results if r.count})
        results[target.name] = {"clean": result.clean, "violations": result.violations,
                                "by_rule": result.by_rule(), "lyrdb": f"{target.name}.lyrdb"}
        if config.external:
            external[target.name] = _external(ctx, target, cases, timings)
    write_junit(ctx.out / "junit.xml", "sgdr-flow drc", cases)
    clean = all(r["clean"] for r in results.values())
    signed_off = all(r["clean"] for r in external.values())
    summary: dict[str, Any] = {"status": "ok" if clean and signed_off else "failed",
                               "clean": clean, "rules_checked": len(checked), "cells": results,
                               "junit": "junit.xml"}
    if config.external:
        summary["external"] = {"deck": str(config.external.deck), "clean": signed_off,
                               "cells": external}
    return StageResult(summary, passed=clean and signed_off, timings=timings)
