"""Stage entry point: testbenches on schematic and extracted netlists, golden model, metrics."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sgdr_flow.stage import StageContext, StageResult, disabled
from sim import metrics as m
from sim.calibrate import calibrate
from sim.characterize import weak_inversion
from sim.golden import sgdr_ode
from sim.netlists import CellNetlist, extracted_netlist, schematic_netlist
from sim.ngspice import SimResult, simulate_many
from sim.plots import plot_all
from sim.task import Task, make_task
from sim.testbenches import (
    Job,
    biases,
    learning,
    measure_hold,
    measure_learning,
    measure_translinear,
    memory_hold,
    translinear_dc,
)


@dataclass
class Netlists:
    kind: str
    tl: CellNetlist | None
    hold: CellNetlist | None
    array: CellNetlist


def _netlists(ctx: StageContext) -> list[Netlists]:
    tbs = ctx.config.simulation.testbenches
    cells, top = ctx.stage_dir("cells"), ctx.stage_dir("layout")
    found = []
    for kind in ctx.config.simulation.netlists:
        if kind == "schematic":
            def load(folder: Path, name: str) -> CellNetlist:
                return schematic_netlist(folder, name)
            tl_dir = hold_dir = cells
            array_dir = top
        else:
            pex = ctx.summary("pex")
            if pex.get("status") != "ok":
                continue
            def load(folder: Path, name: str) -> CellNetlist:
                return extracted_netlist(folder, name)
            tl_dir = hold_dir = array_dir = ctx.stage_dir("pex")
        found.append(Netlists(
            kind, load(tl_dir, tbs.translinear_dc.cell) if tbs.translinear_dc.enabled else None,
            load(hold_dir, tbs.memory_hold.cell) if tbs.memory_hold.enabled else None,
            load(array_dir, ctx.config.design.top)))
    return found


def _weight_node(kind: str, instance: str, synapse: int) -> str:
    path = f"xs{synapse}" if kind == "schematic" else f"s{synapse}"
    return f"x{instance}.{path}.vc".lower()


def _sweep(tb) -> list[tuple[str, float, float, float]]:
    """(label, eta scale, lambda scale, bias scale): nominal plus one-at-a-time sweeps."""
    runs = [("nominal", 1.0, 1.0, 1.0)]
    runs += [(f"eta x{s:g}", s, 1.0, 1.0) for s in tb.eta_scale if s != 1.0]
    runs += [(f"lambda x{s:g}", 1.0, s, 1.0) for s in tb.lambda_scale if s != 1.0]
    runs += [(f"bias x{s:g}", 1.0, 1.0, s) for s in tb.bias_scale if s != 1.0]
    return runs


def learning_task(ctx: StageContext, eta_scale: float = 1.0) -> Task:
    """The seeded task; a slower learning rate gets a proportionally longer stream (the same
    samples first), so that every run reaches its steady state."""
    lt = ctx.config.simulation.testbenches.learning
    samples = math.ceil(lt.samples / min(1.0, eta_scale))
    return make_task(ctx.config.design.n_synapses, samples, lt.seed, x_range=lt.x_range,
                     w_range=lt.w_range)


def _learning_jobs(ctx: StageContext, netlists: list[Netlists],
                   c_farad: float) -> tuple[list[Job], dict[str, Any]]:
    """One learning job per sweep run and netlist. Every run's bias currents are first trimmed
    by the calibration (sim/calibrate.py) on the schematic array, with a test pattern of its own;
    the plan records the measured gains and the nominal and corrected currents."""
    tb = ctx.config.simulation.testbenches.learning
    pdk = ctx.config.pdk
    synapse = ctx.summary("cells")["cells"][ctx.config.design.synapse]["params"]
    unit = weak_inversion(synapse["w"], synapse["l"], tb.v_readout, pdk.corner,
                          pdk.temperature_c)
    schematic = schematic_netlist(ctx.stage_dir("layout"), ctx.config.design.top)
    n = ctx.config.design.n_synapses
    jobs: list[Job] = []
    plan: dict[str, Any] = {"n_slope": unit.n, "i_s_a": unit.i_s, "runs": {}}
    for label, eta_s, lam_s, bias_s in _sweep(tb):
        eta, lam = tb.eta_per_s * eta_s * bias_s, tb.lam * lam_s
        nominal = biases(tb, eta, lam, c_farad, unit.n, pdk.temperature_c, bias_s)
        period = tb.sample_period_s / bias_s
        v0 = unit.gate_for(tb.w0 * nominal.i_w0)
        ctx.progress.step(f"calibrating the bias currents for {label}")
        try:
            bias, record = calibrate(schematic, [_weight_node("schematic", "A", i)
                                                 for i in range(n)],
                                     tb, nominal, eta, lam, v0, period, pdk.corner,
                                     pdk.temperature_c, label, ctx.out)
            calibration = record.as_json()
        except RuntimeError as exc:  # the runs go ahead untrimmed, and the report says so
            bias, calibration = nominal, {"error": str(exc)}
        task = learning_task(ctx, eta_s)
        plan["runs"][label] = {"eta_per_s": eta, "lam": lam, "bias_scale": bias_s,
                               "eta_scale": eta_s, "period_s": period,
                               "samples": task.samples, "biases_a": vars(bias),
                               "calibration": calibration}
        for nl in netlists:
            if label != "nominal" and nl.kind not in tb.sweep_netlists:
                continue
            nodes = [_weight_node(nl.kind, "A", i) for i in range(task.n_inputs)]
            job = learning(nl.array, nodes, task, tb, bias, v0, period, pdk.corner,
                           pdk.temperature_c, f"{label}/{nl.kind}")
            job.meta.update(run=label, kind=nl.kind)
            jobs.append(job)
    return jobs, plan


def _score(measured: dict[str, Any], task: Task, run: dict[str, Any],
           defs) -> dict[str, Any]:
    w = np.asarray(measured["weights"])
    grid = np.asarray(measured["grid"])
    ideal = sgdr_ode(task, run["period_s"], run["eta_per_s"], run["lam"], w[0], grid)
    n = task.n_inputs
    return {
        "mse_percent": m.mse_percent(w, ideal, defs.w_full_scale),
        "mse_percent_normalized": m.mse_percent_normalized(w, ideal),
        "precision_bits": m.precision_bits(w, ideal, defs.w_full_scale,
                                           defs.steady_state_fraction),
        "power_w": measured["power_w"],
        "power_per_synapse_w": m.per_synapse(measured["power_w"], n),
        "energy_per_update_j": m.energy_per_update_j(measured["power_w"], run["period_s"], n),
        "time_constant_s": 1.0 / run["eta_per_s"],
        "final_weights": w[-1].tolist(), "ideal_final_weights": ideal[-1].tolist(),
        "ideal": ideal.tolist(),
    }


def _definitions(defs) -> dict[str, str]:
    """The definition of every reported metric, with the configured settings."""
    settings = {"mse_percent": {"W_FS": defs.w_full_scale},
                "precision_bits": {"W_FS": defs.w_full_scale,
                                   "steady_fraction": defs.steady_state_fraction}}
    names = {"tl_max_error_percent": "translinear_error_percent"}
    out = {}
    for metric in ("mse_percent", "mse_percent_normalized", "precision_bits", "power_w",
                   "energy_per_update_j", "area_um2", "tl_max_error_percent", "droop_mv_per_ms"):
        out[metric] = m.describe_metric(names.get(metric, metric), **settings.get(metric, {}))
    out["weights"] = ("w_circuit = I(wmon) / I_W0, read at the end of every input period with "
                      "the wmon pins held at v_readout; the targets are judged on the extracted "
                      "netlist, |droop| on the worst temperature")
    return out


def run(ctx: StageContext) -> StageResult:
    sim = ctx.config.simulation
    if not sim.enabled:
        return disabled("simulation.enabled")
    tbs = sim.testbenches
    pdk = ctx.config.pdk
    netlists = _netlists(ctx)
    cells = ctx.summary("cells")["cells"]
    c_farad = cells[ctx.config.design.synapse]["params"]["capacitance_ff"] * 1e-15
    lt = tbs.learning
    task = learning_task(ctx)
    jobs: list[Job] = []
    for nl in netlists:
        if nl.tl:
            jobs.append(translinear_dc(nl.tl, tbs.translinear_dc, pdk.corner, pdk.temperature_c))
        if nl.hold:
            for temp in tbs.memory_hold.temperatures_c:
                jobs.append(memory_hold(nl.hold, "xh.vc", tbs.memory_hold, pdk.corner, temp))
    plan: dict[str, Any] = {}
    if lt.enabled:
        learn_jobs, plan = _learning_jobs(ctx, netlists, c_farad)
        jobs += learn_jobs
    paths = []
    for job in jobs:  # on disk first: what ngspice runs is what a failure report points at
        path = ctx.out / netlist_file(job.name)
        path.write_text(job.netlist)
        paths.append(path)
    ctx.progress.step(f"{len(jobs)} simulations in {sim.parallel} processes")
    results = simulate_many(paths, sim.parallel)
    return _collect(ctx, jobs, results, task, plan, netlists)


def netlist_file(job: str) -> str:
    """File name of a job's deck in build/sim/."""
    return f"{job.replace('/', '_').replace(' ', '')}.cir"


def _final(ctx: StageContext, path: str) -> str:
    """Where a file the stage wrote ends up (the stage writes into a scratch folder that
    replaces build/sim/ when it is done)."""
    try:
        return str(ctx.build / ctx.stage.name / Path(path).relative_to(ctx.out))
    except ValueError:
        return path


def run_entries(jobs: list[Job], results: list[SimResult], where: Callable[[str], str] = str,
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The report's `failures` (job, netlist, ngspice's message, attempts) and `retries`
    (every job that needed relaxed options, with each attempt), paths mapped by `where`."""
    failures, retries = [], []
    for job, result in zip(jobs, results, strict=True):
        attempts = [{**a.as_json(), "netlist": where(a.netlist)} for a in result.attempts]
        if not result.ok:
            failures.append({"job": job.name, "netlist": where(result.netlist),
                             "error": result.error, "attempts": attempts})
        if result.retried:
            retries.append({"job": job.name, "netlist": where(result.netlist),
                            "ok": result.ok, "attempts": attempts})
    return failures, retries


def _collect(ctx: StageContext, jobs: list[Job], results: list[SimResult], task: Task,
             plan: dict[str, Any], netlists: list[Netlists]) -> StageResult:
    defs = ctx.config.simulation.metrics
    layout = ctx.summary("layout")
    per_kind: dict[str, dict[str, Any]] = {nl.kind: {} for nl in netlists}
    details: dict[str, Any] = {"translinear": {}, "hold": {}, "learning": {}}
    failures, retries = run_entries(jobs, results, lambda path: _final(ctx, path))
    for job, result in zip(jobs, results, strict=True):
        kind = job.name.split("/")[1] if not job.name.startswith("learning") else \
            job.meta["kind"]
        if not result.ok:
            continue
        if job.name.startswith("translinear"):
            found = measure_translinear(result.vectors, job.meta)
            details["translinear"][kind] = found
            per_kind[kind]["tl_max_error_percent"] = found["max_error_percent"]
        elif job.name.startswith("memory_hold"):
            found = measure_hold(result.vectors, job.meta)
            details["hold"].setdefault(kind, {})[f"{job.meta['temperature_c']:g}C"] = found
            per_kind[kind]["droop_mv_per_ms"] = max(
                abs(found["droop_mv_per_ms"]), per_kind[kind].get("droop_mv_per_ms", 0.0))
        else:
            found = measure_learning(result.vectors, job.meta)
            run = plan["runs"][job.meta["run"]]
            scored = _score(found, learning_task(ctx, run["eta_scale"]), run, defs)
            details["learning"].setdefault(job.meta["run"], {})[kind] = {**found, **scored}
            if job.meta["run"] == "nominal":
                per_kind[kind].update({k: scored[k] for k in (
                    "mse_percent", "mse_percent_normalized", "precision_bits", "power_w",
                    "power_per_synapse_w", "energy_per_update_j")})
    for values in per_kind.values():
        values["area_um2"] = layout["bbox_area_um2"]
        values["area_per_synapse_um2"] = layout["bbox_area_per_synapse_um2"]
    metrics = {**per_kind, "definitions": _definitions(defs)}
    if "schematic" in per_kind and "extracted" in per_kind:
        metrics["layout_change"] = {k: per_kind["extracted"][k] - per_kind["schematic"][k]
                                    for k in per_kind["extracted"]
                                    if k in per_kind["schematic"]}
    sweep = {run: {kind: {k: v[k] for k in ("mse_percent", "precision_bits", "power_w",
                                           "time_constant_s")}
                   for kind, v in kinds.items()} for run, kinds in details["learning"].items()}
    if ctx.config.report.plots:
        plot_all(ctx.out / "plots", details, task)
    summary = {"status": "failed" if failures else "ok", "metrics": metrics, "sweep": sweep,
               "hyperparameters": {k: v for k, v in plan.items() if k != "runs"},
               "runs": plan.get("runs", {}), "failures": failures, "retries": retries,
               "task": {"n_inputs": task.n_inputs, "samples": task.samples,
                        "w_star": task.w_star.tolist()}}
    return StageResult(summary, passed=not failures,
                       status="failed" if failures else "ok")
