"""Stage entry point: testbenches on schematic and extracted netlists across the variation
sources, per-chip trims, the golden model and every run's metrics.

Order of work: the unit device's weak-inversion fit (bias formulas and starting voltages), then
one trim per chip (sim/calibrate.py, all chips' rounds together), then every learning run of the
plan (sim/plan.py) together with the translinear and hold testbenches, all on one executor
(sim/executor.py). Judging against the targets is the report's (sim/sweeps.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pdk.gf180mcu.models import ModelsNotFound, model_dir
from sgdr_flow.config import FlowConfig
from sgdr_flow.errors import FlowError
from sgdr_flow.stage import StageContext, StageResult, disabled
from sim import metrics as m
from sim.calibrate import Calibration, TrimTarget, held, trim_chips
from sim.characterize import WeakInversion, characterization, fit_weak_inversion
from sim.decks import DeckWriter, slug
from sim.executor import Executor, SimJob, make_executor
from sim.netlists import CellNetlist, extracted_netlist, schematic_netlist
from sim.ngspice import SimResult
from sim.plan import Chip, Run, chips_of, monte_carlo_chips, plan_runs
from sim.plots import plot_all
from sim.scoring import PER_RUN, score
from sim.task import Task, far_start, make_task
from sim.testbenches import (
    Bench,
    Biases,
    Job,
    biases,
    learning,
    measure_hold,
    measure_learning,
    measure_translinear,
    memory_hold,
    translinear_dc,
)

# the direction in which a metric gets worse, for the nominal point's worst over task seeds
WORSE = {"precision_bits": min, "exercised_fraction": min}


@dataclass
class Netlists:
    kind: str
    tl: CellNetlist | None
    hold: CellNetlist | None
    array: CellNetlist


def _netlists(ctx: StageContext) -> dict[str, Netlists]:
    tbs = ctx.config.simulation.testbenches
    found = {}
    for kind in ctx.config.simulation.netlists:
        if kind == "schematic":
            load, cells, top = schematic_netlist, ctx.stage_dir("cells"), ctx.stage_dir("layout")
        else:
            if ctx.summary("pex").get("status") != "ok":
                continue
            load, cells = extracted_netlist, ctx.stage_dir("pex")
            top = cells
        found[kind] = Netlists(
            kind, load(cells, tbs.translinear_dc.cell) if tbs.translinear_dc.enabled else None,
            load(cells, tbs.memory_hold.cell) if tbs.memory_hold.enabled else None,
            load(top, ctx.config.design.top))
    return found


def weight_node(kind: str, synapse: int) -> str:
    """The weight capacitor's node of synapse `synapse` in the array instance XA."""
    path = f"xs{synapse}" if kind == "schematic" else f"s{synapse}"
    return f"xa.{path}.vc"


@dataclass(frozen=True)
class Design:
    """What the learning runs need to know about the array."""

    n: int
    c_farad: float
    w: float
    l: float  # noqa: E741 - the unit device's length

    @classmethod
    def of(cls, config: FlowConfig, cells: dict[str, Any]) -> Design:
        params = cells[config.design.synapse]["params"]
        return cls(config.design.n_synapses, params["capacitance_ff"] * 1e-15, params["w"],
                   params["l"])


class Learning:
    """The learning runs of one stage (or of a single chip rerun from the CLI): characterization,
    per-chip trims, the runs and their scores."""

    def __init__(self, config: FlowConfig, design: Design, arrays: dict[str, CellNetlist],
                 executor: Executor, decks: Path, step: Callable[..., None]):
        self.config, self.design, self.arrays = config, design, arrays
        self.executor, self.step = executor, step
        self.decks = DeckWriter(decks)
        self.tb = config.simulation.testbenches.learning
        self.units: dict[tuple[str, float], WeakInversion] = {}

    # ----------------------------------------------------------------- device characterization
    def characterize(self, runs: list[Run]) -> None:
        t0 = self.config.pdk.temperature_c
        points = {(self.config.pdk.corner, t0)}
        points |= {(r.chip.corner, r.temperature_c) for r in runs}
        jobs = [characterization(self.design.w, self.design.l, self.tb.v_readout,
                                 Bench(corner, None, temp)) for corner, temp in sorted(points)]
        results = self.executor.run([SimJob(j.name, j.netlist) for j in jobs])
        for (corner, temp), job, result in zip(sorted(points), jobs, results, strict=True):
            if not result.ok:
                raise FlowError(f"characterization of the unit NMOS failed ({job.name}): "
                                f"{result.error}")
            self.units[corner, temp] = fit_weak_inversion(result.vectors, temp)

    @property
    def unit(self) -> WeakInversion:
        """The nominal device: the bias formulas use its slope factor."""
        return self.units[self.config.pdk.corner, self.config.pdk.temperature_c]

    def nominal_biases(self, eta_scale: float = 1.0, lambda_scale: float = 1.0,
                       bias_scale: float = 1.0) -> Biases:
        """The formulas' currents, computed at the nominal temperature (the chip's bias DACs
        do not know the temperature it later runs at)."""
        eta = self.tb.eta_per_s * eta_scale * bias_scale
        return biases(self.tb, eta, self.tb.lam * lambda_scale, self.design.c_farad,
                      self.unit.n, self.config.pdk.temperature_c, bias_scale)

    def starts(self, weights: np.ndarray, i_w0: float, chip: Chip,
               temperature_c: float) -> list[float]:
        """Gate voltages of the starting weights, from the (nominal device of the) chip's
        corner at the run's temperature."""
        unit = self.units[chip.corner, temperature_c]
        return [unit.gate_for(float(w) * i_w0) for w in weights]

    # ------------------------------------------------------------------------------- trims
    def trim(self, chips: list[Chip]) -> dict[str, tuple[Biases, Calibration]]:
        if not self.config.simulation.trim.enabled:
            return {}
        nominal = self.nominal_biases()
        lo, hi = self.tb.w_range
        targets = [TrimTarget(chip.id, self.arrays[chip.kind],
                              [weight_node(chip.kind, i) for i in range(self.design.n)],
                              chip.bench(self.config),
                              self.starts(np.full(self.design.n, (lo + hi) / 2), nominal.i_w0,
                                          chip, self.config.pdk.temperature_c))
                   for chip in chips]
        self.step(f"trimming {len(targets)} chips at {self.config.pdk.temperature_c:g} C, "
                  "nominal supply")
        return trim_chips(targets, self.tb, nominal, self.tb.eta_per_s, self.tb.lam,
                          self.tb.sample_period_s, self.config.simulation.trim, self.executor,
                          self.decks, self.step)

    # -------------------------------------------------------------------------------- runs
    def task(self, run: Run) -> Task:
        """The run's task: a slower learning rate gets a proportionally longer stream (the same
        samples first), so that every run reaches its steady state."""
        samples = math.ceil(self.tb.samples / min(1.0, run.eta_scale))
        return make_task(self.design.n, samples, run.seed, x_range=self.tb.x_range,
                         w_range=self.tb.w_range, noise=self.tb.target_noise)

    def job(self, run: Run, trims: dict[str, tuple[Biases, Calibration]]
            ) -> tuple[Job, dict[str, Any]]:
        wanted = self.nominal_biases(run.eta_scale, run.lambda_scale, run.bias_scale)
        trimmed = trims.get(run.chip.id)
        bias = held(trimmed[0], self.nominal_biases(), wanted) if trimmed else wanted
        task = self.task(run)
        start = far_start(task, self.tb.w_range) if self.tb.start == "far" else \
            np.full(task.n_inputs, self.tb.w0)
        period = self.tb.sample_period_s / run.bias_scale
        nodes = [weight_node(run.chip.kind, i) for i in range(task.n_inputs)]
        job = learning(self.arrays[run.chip.kind], nodes, task, self.tb, bias,
                       self.starts(start, bias.i_w0, run.chip, run.temperature_c), period,
                       run.bench(self.config), run.id, self.tb.current_noise, run.seed)
        plan = {"eta_per_s": self.tb.eta_per_s * run.eta_scale * run.bias_scale,
                "lam": self.tb.lam * run.lambda_scale, "period_s": period,
                "samples": task.samples, "biases_a": vars(bias),
                "trim": (f"{run.chip.id}, held from {self.config.pdk.temperature_c:g} C, "
                         "nominal supply and hyperparameters") if trimmed else "untrimmed"}
        return job, plan

    def score(self, run: Run, plan: dict[str, Any], result: SimResult,
              meta: dict[str, Any]) -> dict[str, Any]:
        measured = measure_learning(result.vectors, meta)
        return score(measured, self.task(run), plan["period_s"], plan["eta_per_s"],
                     plan["lam"], self.config.simulation.metrics)

    def records(self, runs: list[Run], planned: list[tuple[Job, dict[str, Any]]],
                results: list[SimResult], deck: Callable[[Job], str],
                ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
        """The report's record of every run (what it was, the trim and currents it used, its
        deck and metrics or its failure) and the trajectories for the plots."""
        records: dict[str, dict[str, Any]] = {}
        traces: dict[str, Any] = {}
        for run, (job, plan), result in zip(runs, planned, results, strict=True):
            record = {**run.as_json(), **plan, "deck": deck(job)}
            if result.ok:
                scored = self.score(run, plan, result, job.meta)
                traces[run.id] = scored.pop("trace")
                record["metrics"] = {k: scored[k] for k in PER_RUN}
                record["final_weights"] = scored["final_weights"]
                record["ideal_final_weights"] = scored["ideal_final_weights"]
            else:
                record["error"] = result.error
            records[run.id] = record
        return records, traces


def _cell_jobs(config: FlowConfig, netlists: dict[str, Netlists]) -> list[Job]:
    """Translinear DC at every corner at every temperature (its low end is leakage-bound in a
    fast corner when hot) and on every Monte Carlo die (its accuracy is a matching property);
    memory hold at every hold temperature and variation temperature, and every corner at the
    hottest of them."""
    tbs, var = config.simulation.testbenches, config.simulation.variation
    corner, t0 = config.pdk.corner, config.pdk.temperature_c
    corners = [corner] + [c for c in (var.corners if var.enabled else []) if c != corner]
    temps = sorted({t0, *(var.temperatures_c if var.enabled else [])})
    hold_temps = sorted({*tbs.memory_hold.temperatures_c, *(temps if var.enabled else [])})
    jobs = []
    for nl in netlists.values():
        if nl.tl:
            jobs += [translinear_dc(nl.tl, tbs.translinear_dc, Bench(c, None, t), f"{c}/{t:g}C")
                     for c in sorted(corners) for t in temps]
            jobs += [translinear_dc(nl.tl, tbs.translinear_dc, chip.bench(config),
                                    f"{chip.label}/{t0:g}C")
                     for chip in monte_carlo_chips(config, nl.kind)]
        if nl.hold:
            benches = {(corner, t) for t in hold_temps} | {(c, max(hold_temps)) for c in corners}
            jobs += [memory_hold(nl.hold, "xh.vc", tbs.memory_hold, Bench(c, None, t))
                     for c, t in sorted(benches)]
    return jobs


@dataclass
class Executed:
    """What `execute` ran: the trims, each learning run's job and plan, and every result
    (the other jobs' first, then the learning runs')."""

    trims: dict[str, tuple[Biases, Calibration]]
    planned: list[tuple[Job, dict[str, Any]]]
    results: list[SimResult]


def execute(learn: Learning, runs: list[Run], other_jobs: list[Job]) -> Executed:
    """Characterize, trim every chip the runs need, then simulate the runs and `other_jobs`."""
    learn.characterize(runs)
    trims = learn.trim(chips_of(runs))
    planned = [learn.job(r, trims) for r in runs]
    jobs = other_jobs + [job for job, _ in planned]
    learn.step(f"{len(jobs)} simulations on {learn.executor.workers} {learn.executor.kind} "
               "workers")
    # on disk first: what ngspice runs is what a failure report points at
    results = learn.executor.run([learn.decks.write(job) for job in jobs],
                                 lambda done, total: learn.step("simulations", done, total))
    return Executed(trims, planned, results)


def check_models() -> None:
    try:
        model_dir()
    except ModelsNotFound as exc:
        raise FlowError(str(exc)) from exc


def run(ctx: StageContext) -> StageResult:
    sim = ctx.config.simulation
    if not sim.enabled:
        return disabled("simulation.enabled")
    check_models()
    netlists = _netlists(ctx)
    runs = [r for r in plan_runs(ctx.config) if r.chip.kind in netlists]
    design = Design.of(ctx.config, ctx.summary("cells")["cells"])
    executor = make_executor(sim.executor)
    try:
        learn = Learning(ctx.config, design, {k: nl.array for k, nl in netlists.items()},
                         executor, ctx.out / "decks", ctx.progress.step)
        cell_jobs = _cell_jobs(ctx.config, netlists)
        done = execute(learn, runs, cell_jobs)
    finally:
        executor.close()
    return _collect(ctx, learn, runs, done.planned, done.trims, cell_jobs, done.results)


def run_entries(jobs: list[Job], results: list[SimResult], where: Callable[[str], str] = str,
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The report's `failures` (job, netlist, ngspice's message, attempts) and `retries`
    (every job that needed relaxed options or a restarted simulator), paths mapped by
    `where`."""
    failures, retries = [], []
    for job, result in zip(jobs, results, strict=True):
        attempts = [{**a.as_json(), "netlist": where(a.netlist)} for a in result.attempts]
        if not result.ok:
            failures.append({"job": job.name, "netlist": where(result.netlist),
                             "error": result.error, "attempts": attempts,
                             "restarts": result.restarts})
        if result.retried or result.restarts:
            retries.append({"job": job.name, "netlist": where(result.netlist),
                            "ok": result.ok, "attempts": attempts,
                            "restarts": result.restarts})
    return failures, retries


def _final(ctx: StageContext, path: str) -> str:
    """Where a file the stage wrote ends up (the stage writes into a scratch folder that
    replaces build/sim/ when it is done)."""
    try:
        return str(Path(ctx.stage.name) / Path(path).relative_to(ctx.out))
    except ValueError:
        return path


def _nominal_metrics(records: dict[str, dict[str, Any]], kind: str) -> dict[str, Any]:
    """The nominal point's metrics: each the worst over the task seeds."""
    nominal = [r["metrics"] for r in records.values()
               if r["source"] == "nominal" and r["chip"]["netlist"] == kind and r.get("metrics")]
    if not nominal:
        return {}
    return {k: WORSE.get(k, max)(run[k] for run in nominal) for k in PER_RUN}


def _collect(ctx: StageContext, learn: Learning, runs: list[Run],
             planned: list[tuple[Job, dict[str, Any]]],
             trims: dict[str, tuple[Biases, Calibration]], cell_jobs: list[Job],
             results: list[SimResult]) -> StageResult:
    layout = ctx.summary("layout")
    cell_results, learn_results = results[:len(cell_jobs)], results[len(cell_jobs):]
    per_kind: dict[str, dict[str, Any]] = {}
    details: dict[str, Any] = {"translinear": {}, "hold": {}}
    for job, result in zip(cell_jobs, cell_results, strict=True):
        kind = job.name.split("/")[1]
        values = per_kind.setdefault(kind, {})
        if not result.ok:
            continue
        if job.name.startswith("translinear"):
            found = measure_translinear(result.vectors, job.meta)
            details["translinear"].setdefault(kind, {})[job.name.split("/", 2)[2]] = found
            values["tl_max_error_percent"] = max(found["max_error_percent"],
                                                 values.get("tl_max_error_percent", 0.0))
        else:
            found = measure_hold(result.vectors, job.meta)
            details["hold"].setdefault(kind, {})[
                f"{job.meta['corner']} {job.meta['temperature_c']:g}C"] = found
            values["droop_mv_per_ms"] = max(abs(found["droop_mv_per_ms"]),
                                            values.get("droop_mv_per_ms", 0.0))
    records, traces = learn.records(runs, planned, learn_results,
                                    lambda job: _final(ctx, str(ctx.out / "decks" /
                                                                f"{slug(job.name)}.cir")))
    for kind in {r.chip.kind for r in runs} | set(per_kind):
        values = per_kind.setdefault(kind, {})
        values.update(_nominal_metrics(records, kind))
        values["area_um2"] = layout["bbox_area_um2"]
        values["area_per_synapse_um2"] = layout["bbox_area_per_synapse_um2"]
    metrics: dict[str, Any] = {**per_kind, "definitions": _definitions(ctx.config)}
    if "schematic" in per_kind and "extracted" in per_kind:
        metrics["layout_change"] = {k: per_kind["extracted"][k] - per_kind["schematic"][k]
                                    for k in per_kind["extracted"]
                                    if k in per_kind["schematic"]}
    jobs = cell_jobs + [job for job, _ in planned]
    failures, retries = run_entries(jobs, results, lambda path: _final(ctx, path))
    if ctx.config.report.plots:
        plot_all(ctx.out / "plots", details, records, traces)
    (ctx.out / "traces.json").write_text(json.dumps(
        {rid: t for rid, t in traces.items() if records[rid]["source"] == "nominal"}))
    tb = ctx.config.simulation.testbenches.learning
    summary = {
        "status": "failed" if failures else "ok", "metrics": metrics,
        "runs": records,
        "trims": {chip: {**cal.as_json(), "corrected_biases_a": vars(bias)}
                  for chip, (bias, cal) in trims.items()},
        "trim_enabled": ctx.config.simulation.trim.enabled,
        "hyperparameters": {"eta_per_s": tb.eta_per_s, "lam": tb.lam,
                            "n_slope": learn.unit.n, "i_s_a": learn.unit.i_s},
        "seed_set": tb.seed_set, "seeds": tb.seeds,
        "executor": {"kind": learn.executor.kind, "workers": learn.executor.workers},
        "failures": failures, "retries": retries,
        "cell_testbenches": {k: {name: {kk: vv for kk, vv in v.items() if not isinstance(vv, list)}
                                 for name, v in found.items()}
                             for k, found in details.items()}}
    return StageResult(summary, passed=not failures, status="failed" if failures else "ok")


def _definitions(config: FlowConfig) -> dict[str, str]:
    """The definition of every reported metric, with the configured settings."""
    defs = config.simulation.metrics
    settings = {"weight_mse_percent": {"W_FS": defs.w_full_scale},
                "precision_bits": {"W_FS": defs.w_full_scale,
                                   "steady_fraction": defs.steady_state_fraction},
                "exercised_fraction": {"W_FS": defs.w_full_scale}}
    names = {"tl_max_error_percent": "translinear_error_percent"}
    out = {metric: m.describe_metric(names.get(metric, metric), **settings.get(metric, {}))
           for metric in ("mse_percent", "weight_mse_percent", "precision_bits",
                          "exercised_fraction", "power_w", "energy_per_update_j", "area_um2",
                          "tl_max_error_percent", "droop_mv_per_ms", "yield_fraction",
                          "bias_range_decades")}
    out["weights"] = ("w_circuit = I(wmon) / I_W0 and y_circuit = I(ymon) / I_T0, read at the "
                      "end of every input period with the pins held at v_readout; each value "
                      "at the nominal point is the worst over the task seeds; the targets are "
                      "judged on the extracted netlist")
    return out
