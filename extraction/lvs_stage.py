"""Stage entry point: built-in LVS of every design cell and the top level (.lvsdb for PEX),
plus the sign-off LVS deck named in flow.yaml when there is one: it gets the substrate net our
LVS found (`lvs_sub`) and combines the reference's parallel devices (`schematic_simplify`), and
its verdict is reported beside ours. `junit.xml` has one test case per cell and deck. Run times
go to the manifest, so that the files (PEX's input) are the same bytes for the same inputs."""

from __future__ import annotations

import json
from typing import Any

from extraction.external import run_external_lvs
from extraction.junit import lvs_case, write_junit
from extraction.lvs.engine import run_lvs
from extraction.targets import Target, targets
from sgdr_flow.stage import StageContext, StageResult, disabled


def _external(ctx: StageContext, target: Target, substrate: str | None,
              timings: dict[str, float]) -> dict[str, Any]:
    spec = ctx.config.checks.lvs.external
    ctx.progress.step(f"sign-off LVS {target.name} ({spec.deck.name})")
    result = run_external_lvs(spec, target.gds, target.netlist, target.name,
                              ctx.config.pdk.variant, ctx.out / f"{target.name}.external.lvsdb",
                              substrate=substrate)
    data = {**result.as_json(), "report": ctx.relative(result.report)}
    timings[f"{target.name} sign-off"] = data.pop("seconds")
    (ctx.out / f"{target.name}.external.json").write_text(json.dumps(data, indent=1))
    return {**data, "lvsdb": f"{target.name}.external.lvsdb"}


def run(ctx: StageContext) -> StageResult:
    config = ctx.config.checks.lvs
    if not config.enabled:
        return disabled("checks.lvs.enabled")
    results, external, timings = {}, {}, {}
    for target in targets(ctx):
        ctx.progress.step(f"LVS {target.name}")
        result = run_lvs(target.gds, target.netlist, target.name, ctx.config.pdk.variant,
                         config.tolerances)
        data = result.as_json()
        timings[target.name] = data.pop("seconds")
        (ctx.out / f"{target.name}.json").write_text(json.dumps(data, indent=1))
        result.write_lvsdb(ctx.out / f"{target.name}.lvsdb")
        results[target.name] = {**data, "lvsdb": f"{target.name}.lvsdb"}
        if config.external:
            external[target.name] = _external(ctx, target, result.substrate, timings)
    write_junit(ctx.out / "junit.xml", "sgdr-flow lvs",
                [lvs_case(r) for r in results.values()]
                + [lvs_case(r, "lvs.external") for r in external.values()])
    match = all(r["match"] for r in results.values())
    signed_off = all(r["match"] for r in external.values())
    summary: dict[str, Any] = {"status": "ok" if match and signed_off else "failed",
                               "match": match, "cells": results, "junit": "junit.xml"}
    if config.external:
        summary["external"] = {"deck": str(config.external.deck), "match": signed_off,
                               "cells": external}
    return StageResult(summary, passed=match and signed_off, timings=timings)
