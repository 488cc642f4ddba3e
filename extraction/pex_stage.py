"""Stage entry point: klayout-pex 2.5D on every LVS database; net and sensitive-node reports.
Extraction times go to the manifest, so the files are the same bytes for the same layout."""

from __future__ import annotations

import json
from typing import Any

from extraction.pex import PexResult, run_kpex
from sgdr_flow.stage import StageContext, StageResult, disabled


def _sensitive(ctx: StageContext, cell: str) -> list[str]:
    cells = ctx.summary("cells")["cells"]
    if cell in cells:
        return cells[cell]["sensitive"]
    synapse = cells[ctx.config.design.synapse]["sensitive"]
    return [f"s{i}.{net}" for i in range(ctx.config.design.n_synapses) for net in synapse]


def _report(result: PexResult, sensitive: list[str], top_nets: int,
            min_coupling_ff: float) -> dict[str, Any]:
    totals = result.net_totals()
    loaded = sorted(totals.items(), key=lambda kv: -kv[1])[:top_nets]
    nodes = {}
    for net in sensitive:
        if net in totals:
            couplings = {k: round(v, 4) for k, v in result.couplings_of(net).items()
                         if v >= min_coupling_ff}
            nodes[net] = {"total_ff": round(totals[net], 4), "couplings_ff": couplings}
    return {"netlist": result.netlist.name,
            "nets": len(totals), "capacitors": len(result.couplings),
            "resistors": result.resistors,
            "most_loaded_ff": {net: round(cap, 3) for net, cap in loaded},
            "sensitive_nodes": nodes, "kpex_warnings": result.warnings}


def run(ctx: StageContext) -> StageResult:
    config = ctx.config.extraction
    if not config.enabled:
        return disabled("extraction.enabled")
    lvs_dir = ctx.stage_dir("lvs")
    lvs = ctx.summary("lvs")
    if lvs.get("status") == "disabled":
        return StageResult({"status": "blocked", "note": "extraction needs the LVS databases"},
                           passed=False, status="blocked")
    reports, timings = {}, {}
    names = list(lvs["cells"])
    for index, name in enumerate(names, 1):
        ctx.progress.step(f"klayout-pex {name}", index, len(names))
        result = run_kpex(lvs_dir / f"{name}.lvsdb", name, ctx.out, config.resistance)
        report = _report(result, _sensitive(ctx, name), config.top_nets, config.min_coupling_ff)
        (ctx.out / f"{name}.pex.json").write_text(json.dumps(
            {**report, "couplings_ff": [[a, b, c] for (a, b), c in result.couplings.items()]},
            indent=1))
        reports[name] = report
        timings[name] = result.seconds
    return StageResult({"status": "ok", "engine": config.engine,
                        "mode": "RC" if config.resistance else "CC", "cells": reports},
                       passed=None, timings=timings)
