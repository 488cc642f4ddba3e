"""Stage entry point: klayout-pex 2.5D on every LVS database, in parallel processes; the array
extracted hierarchically (`extraction.hierarchical`, `pex_hier`) or flat; net and
sensitive-node reports. Extraction times go to the manifest, so the files are the same bytes
for the same layout, however many workers ran them."""

from __future__ import annotations

import json
import time
from typing import Any

from extraction.pex import PexResult, kpex_halo_um
from extraction.pex_hier import KpexJob, Piece, Plan, assemble, plan
from extraction.pex_nets import Nets
from extraction.pex_pool import machine_cores, run_jobs
from sgdr_flow.stage import StageContext, StageResult, disabled

HIER = "hier"  # the array's pieces: wiring and seam windows (databases and netlists)


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


def _plan(ctx: StageContext, top: str, names: list[str],
          jobs: dict[str, KpexJob]) -> tuple[Plan | None, str]:
    """The array's hierarchical plan, or None and why it is extracted flat."""
    config = ctx.config.extraction
    if not config.hierarchical:
        return None, "extraction.hierarchical is false"
    if config.resistance:
        return None, "resistance extraction (RC) is flat only"
    cells_dir = ctx.stage_dir("cells")
    found = plan(ctx.stage_dir("layout") / ctx.summary("layout")["gds"], top,
                 ctx.stage_dir("lvs") / f"{top}.lvsdb",
                 {name: (cells_dir / f"{name}.gds", jobs[name]) for name in names if name != top},
                 ctx.config.pdk.variant, kpex_halo_um(), ctx.out / HIER)
    return found, "" if found else "the array places none of the design cells"


def run(ctx: StageContext) -> StageResult:
    config = ctx.config.extraction
    if not config.enabled:
        return disabled("extraction.enabled")
    lvs_dir = ctx.stage_dir("lvs")
    lvs = ctx.summary("lvs")
    if lvs.get("status") == "disabled":
        return StageResult({"status": "blocked", "note": "extraction needs the LVS databases"},
                           passed=False, status="blocked")
    top = ctx.summary("layout")["top"]
    names = list(lvs["cells"])
    jobs = {name: KpexJob(lvs_dir / f"{name}.lvsdb", name, ctx.out) for name in names}
    ctx.progress.step("planning the array's extraction")
    hier, flat_because = _plan(ctx, top, names, jobs)
    todo = [jobs[name] for name in names if not (hier and name == top)]
    if hier:
        todo += [job for job in hier.jobs() if job not in todo]
    workers = min(config.workers or machine_cores(), len(todo))
    ctx.progress.step(f"klayout-pex: {len(todo)} extractions in {workers} processes")
    results = dict(zip((job.cell for job in todo), run_jobs(
        todo, config.resistance, workers,
        lambda now, done: ctx.progress.step(
            f"klayout-pex {', '.join(job.cell for job in now) or 'done'}", done, len(todo))),
        strict=True))
    timings = {name: result.seconds for name, result in results.items()}
    reports, extra = {}, {}
    if hier:
        started = time.monotonic()
        ctx.progress.step(f"assembling {top} from {len(hier.placements)} placements")
        pieces = {job.cell: Piece.of(job, results[job.cell]) for job in hier.jobs()}
        assembled = assemble(hier, pieces, Nets(hier.array_lvsdb, top),
                             ctx.out / f"{top}.pex.spice", config.min_coupling_ff,
                             set(_sensitive(ctx, top)), 0.0)
        results[top] = assembled.result
        extra[top] = {"hierarchy": assembled.report}
        timings["assembly"] = time.monotonic() - started
    for name in names:
        report = {**_report(results[name], _sensitive(ctx, name), config.top_nets,
                            config.min_coupling_ff), **extra.get(name, {})}
        (ctx.out / f"{name}.pex.json").write_text(json.dumps(
            {**report, "couplings_ff": [[a, b, c] for (a, b), c in
                                        results[name].couplings.items()]}, indent=1))
        reports[name] = report
    return StageResult({"status": "ok", "engine": config.engine,
                        "mode": "RC" if config.resistance else "CC",
                        "array": {"cell": top, "extraction": "hierarchical" if hier else "flat",
                                  **({"why_flat": flat_because} if not hier else {})},
                        "cells": reports}, passed=None, timings=timings)
