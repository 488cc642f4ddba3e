"""The testbenches: netlists built around a cell netlist (schematic or extracted) and the
measurements taken from their results. Each builder returns a Job; `measure` turns the
simulator's vectors into numbers. A `Bench` says where a deck runs: the chip's model lines (a
corner or a Monte Carlo sample), the temperature and the supply."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pdk.gf180mcu import model_deck
from pdk.gf180mcu.models import Statistical, section
from sgdr_flow.config import CurrentNoise, HoldTestbench, LearningTestbench, TranslinearTestbench
from sim.golden import thermal_voltage
from sim.netlists import CellNetlist
from sim.task import Task

OPTIONS = ".option abstol=1e-15 gmin=1e-15 method=gear"
ELEMENTARY_CHARGE_C = 1.602176634e-19


@dataclass(frozen=True)
class Bench:
    """Where a deck runs: process (a corner, or a Monte Carlo sample at the nominal process),
    temperature and the supply as a multiple of the testbench's nominal vdd."""

    corner: str = "typical"
    sample: Statistical | None = None
    temperature_c: float = 27.0
    supply_scale: float = 1.0

    def models(self) -> list[str]:
        return model_deck(self.corner, self.sample)

    def section(self) -> str:
        """Its section in the decks' models library (sim/decks.py)."""
        return section(self.corner, self.sample)


@dataclass
class Job:
    name: str
    netlist: str
    meta: dict[str, Any] = field(default_factory=dict)
    bench: Bench | None = None  # where it runs (the standalone deck names its model section)


def _deck(title: str, cell: CellNetlist, bench: Bench, body: list[str]) -> str:
    return "\n".join([f"* {title}", *bench.models(), OPTIONS, f".temp {bench.temperature_c}",
                      cell.text, *body, ".end"]) + "\n"


# ------------------------------------------------------------------------------ translinear
def _translinear_bench(cell: CellNetlist, tb: TranslinearTestbench, bench: Bench) -> list[str]:
    """Supply, the fixed I_b and I_c, the output held at v_out, and the loop (I_a is the
    caller's)."""
    return [
        f"VDD vdd 0 {tb.vdd * bench.supply_scale}",
        f"IB vdd ib DC {tb.i_b_a:.6e}",
        f"IC vdd ic DC {tb.i_c_a:.6e}",
        f"VOUT vo 0 DC {tb.v_out}",
        cell.instance("TL", {"ia": "ia", "ib": "ib", "ic": "ic", "out": "vo", "vss": "0"}),
    ]


def translinear_dc(cell: CellNetlist, tb: TranslinearTestbench, bench: Bench,
                   label: str = "") -> Job:
    """Log sweep of I_a (a B-source driven by a swept control voltage), I_b and I_c fixed."""
    decades = math.log10(tb.i_max_a / tb.i_min_a)
    body = [
        "VCTL ctl 0 0",
        f"BA vdd ia I={{{tb.i_min_a:.6e}*exp(v(ctl)*{math.log(10):.9f})}}",
        *_translinear_bench(cell, tb, bench),
        f".dc VCTL 0 {decades:.6f} {1.0 / tb.points_per_decade:.6f}",
    ]
    return Job(f"translinear_dc/{cell.kind}{'/' + label if label else ''}",
               _deck("translinear loop DC", cell, bench, body),
               {"i_min": tb.i_min_a, "i_b": tb.i_b_a, "i_c": tb.i_c_a}, bench)


def measure_translinear(vectors: dict[str, np.ndarray], meta: dict[str, Any]) -> dict[str, Any]:
    i_a = meta["i_min"] * 10 ** vectors["v-sweep"]
    i_out = -vectors["vout#branch"]
    ideal = i_a * meta["i_b"] / meta["i_c"]
    error = 100 * (i_out - ideal) / ideal
    return {"i_a": i_a.tolist(), "i_out": i_out.tolist(), "error_percent": error.tolist(),
            "max_error_percent": float(np.max(np.abs(error))),
            "mean_error_percent": float(np.mean(error))}


def translinear_step(cell: CellNetlist, tb: TranslinearTestbench, bench: Bench,
                     i_from: float, i_to: float, t_step: float = 1e-6,
                     duration: float = 20e-6, edge: float = 10e-9) -> Job:
    """I_a steps from i_from to i_to at t_step (I_b, I_c and the output voltage as in the DC
    testbench). In weak inversion every node of the loop settles with a time constant
    C n U_T / I, so the capacitance a layout adds shows up as a slower I_out."""
    body = [
        f"IA vdd ia PWL(0 {i_from:.6e} {t_step:.6e} {i_from:.6e} {t_step + edge:.6e} "
        f"{i_to:.6e})",
        *_translinear_bench(cell, tb, bench),
        f".tran {duration / 400:.4e} {duration:.4e}",
    ]
    return Job(f"translinear_step/{cell.kind}",
               _deck("translinear loop step response", cell, bench, body),
               {"t_step": t_step, "i_from": i_from, "i_to": i_to, "i_b": tb.i_b_a,
                "i_c": tb.i_c_a}, bench)


def _crossing(times: np.ndarray, fraction: np.ndarray, level: float) -> float:
    """First time `fraction` reaches `level` (linear interpolation), NaN if it never does."""
    above = np.nonzero(fraction >= level)[0]
    if not len(above):
        return math.nan
    k = above[0]
    if k == 0:
        return float(times[0])
    t0, t1, f0, f1 = times[k - 1], times[k], fraction[k - 1], fraction[k]
    return float(t0 + (level - f0) * (t1 - t0) / (f1 - f0))


def measure_step(vectors: dict[str, np.ndarray], meta: dict[str, Any]) -> dict[str, Any]:
    """I_out before and after the step, and the 10 %, 50 % and 90 % times of its change
    (from the step), rise time t90 - t10."""
    times, i_out = vectors["time"], -vectors["vout#branch"]
    t_step = meta["t_step"]
    before = float(np.interp(t_step, times, i_out))
    after = float(i_out[-1])
    later = times >= t_step
    fraction = (i_out[later] - before) / (after - before)
    t10, t50, t90 = (_crossing(times[later], fraction, f) - t_step for f in (0.1, 0.5, 0.9))
    gain = meta["i_b"] / meta["i_c"]
    return {"i_before": before, "i_after": after,
            "ideal_before": meta["i_from"] * gain, "ideal_after": meta["i_to"] * gain,
            "t10_s": t10, "t50_s": t50, "t90_s": t90, "rise_s": t90 - t10,
            "times": times.tolist(), "i_out": i_out.tolist()}


# ----------------------------------------------------------------------------------- hold
def memory_hold(cell: CellNetlist, node: str, tb: HoldTestbench, bench: Bench) -> Job:
    """Every input and bias off (gate lines on their rails), the weight node set to v_hold."""
    rails = {"x": "vdd", "t": "vdd", "y": "vdd", "ug": "vdd", "eta": "0", "uf": "0", "lam": "0",
             "wmon": "vmon", "vdd": "vdd", "vss": "0"}
    vdd = tb.vdd * bench.supply_scale
    body = [
        f"VDD vdd 0 {vdd}",
        f"VMON vmon 0 {vdd / 2}",
        cell.instance("H", {p: rails.get(p, "0") for p in cell.ports}),
        f".ic v({node})={tb.v_hold}",
        f".tran {tb.duration_s / 200:.4e} {tb.duration_s:.4e}",
    ]
    return Job(f"memory_hold/{cell.kind}/{bench.corner}/{bench.temperature_c:g}C",
               _deck("weight memory hold", cell, bench, body),
               {"node": node, "temperature_c": bench.temperature_c, "corner": bench.corner},
               bench)


def measure_hold(vectors: dict[str, np.ndarray], meta: dict[str, Any]) -> dict[str, Any]:
    from sim.metrics import droop_mv_per_ms

    times, v = vectors["time"], vectors[meta["node"]]
    return {"droop_mv_per_ms": droop_mv_per_ms(times, v), "v_start": float(v[0]),
            "v_end": float(v[-1]), "times": times.tolist(), "v": v.tolist()}


# ------------------------------------------------------------------------------- learning
@dataclass(frozen=True)
class Biases:
    """Bias currents that set the hyperparameters (see cells/synapse.py for the derivation)."""

    i_x0: float
    i_t0: float
    i_w0: float
    i_ug: float
    i_uf: float
    i_eta: float
    i_lam: float
    i_tau: float


def biases(tb: LearningTestbench, eta: float, lam: float, c_farad: float, n: float,
           temperature_c: float, scale: float = 1.0) -> Biases:
    """Forward: I_uf = I_W0 I_X0 / I_T0; update: I_tau = eta C n U_T,
    I_eta = I_tau I_W0 I_ug / (I_X0 I_T0); leak: I_lambda = lambda I_tau."""
    x0, t0, w0, ug = (tb.i_x0_a * scale, tb.i_t0_a * scale, tb.i_w0_a * scale,
                      tb.i_ug_a * scale)
    i_tau = eta * c_farad * n * thermal_voltage(temperature_c)
    return Biases(x0, t0, w0, ug, w0 * x0 / t0, i_tau * w0 * ug / (x0 * t0), lam * i_tau, i_tau)


def _pwl(values: np.ndarray, period: float, edge: float) -> str:
    points = [f"0 {values[0]:.6e}"]
    for k, v in enumerate(values):
        points.append(f"{k * period + edge:.6e} {v:.6e}")
        points.append(f"{(k + 1) * period:.6e} {v:.6e}")
    return "PWL(" + " ".join(points) + ")"


def _noise_sources(weight_nodes: list[str], bias: Biases, noise: CurrentNoise, period: float,
                   duration: float, seed: int) -> list[str]:
    """A white-noise current source on every weight node: shot noise 2 q I of the currents that
    charge and discharge it (the update loop's I_tau from both branches, and I_lambda), sampled
    `steps_per_period` times per input period (bandwidth 1 / (2 step)) and interpolated
    linearly, as ngspice's trnoise source does. The samples are drawn here from `seed` and
    written as PWL sources, because ngspice 39's trnoise gives different noise on every run
    whatever its seed (measured), and a sweep must rerun exactly."""
    step = period / noise.steps_per_period
    density = noise.scale * 2 * ELEMENTARY_CHARGE_C * (2 * bias.i_tau + bias.i_lam)
    rms = math.sqrt(density / (2 * step))
    points = math.ceil(duration / step) + 1
    times = np.arange(points) * step
    out = []
    for i, node in enumerate(weight_nodes):
        values = np.random.default_rng([seed, i]).normal(0.0, rms, points)
        pwl = " ".join(f"{t:.6e} {v:.4e}" for t, v in zip(times, values, strict=True))
        out.append(f"INW{i} 0 {node} PWL({pwl})")
    return out


def learning(cell: CellNetlist, weight_nodes: list[str], task: Task, tb: LearningTestbench,
             bias: Biases, v_start: list[float], period: float, bench: Bench, label: str,
             noise: CurrentNoise | None = None, noise_seed: int = 1) -> Job:
    """The array learning a streamed task: inputs and target as current waveforms, every wmon
    pin held at v_readout and the array's output ymon at the sum node's voltage (their currents
    are the readout). With
    `noise` on, every weight node gets a current-noise source drawn from `noise_seed`."""
    n = task.n_inputs
    noise_cards = _noise_sources(weight_nodes, bias, noise, period, task.samples * period,
                                 noise_seed) if noise is not None and noise.enabled else []
    edge = period / 200
    nets = {"t": "t", "y": "y", "eta": "eta", "uf": "uf", "ug": "ug", "lam": "lam",
            "ymon": "ym", "vdd": "vdd", "vss": "0"}
    vdd = tb.vdd * bench.supply_scale
    # the output pin held at the sum node's own voltage (as a current-conveyor input would
    # hold it): its copy of y then sees the y diode's drain voltage at any supply
    body = [f"VDD vdd 0 {vdd}", "EYM ymh 0 y 0 1", "VYM ym ymh DC 0"]
    for i in range(n):
        nets[f"x{i}"], nets[f"wmon{i}"] = f"x{i}", f"wm{i}"
        body.append(f"IX{i} x{i} 0 {_pwl(task.X[:, i] * bias.i_x0, period, edge)}")
        body.append(f"VWM{i} wm{i} 0 DC {tb.v_readout}")
    body += [
        f"IT t 0 {_pwl(task.t * bias.i_t0, period, edge)}",
        f"IUF vdd uf DC {bias.i_uf:.6e}",
        f"IETA vdd eta DC {bias.i_eta:.6e}",
        f"ILAM vdd lam DC {bias.i_lam:.6e}",
        f"IUG ug 0 DC {bias.i_ug:.6e}",
        cell.instance("A", nets),
        *noise_cards,
        *(f".ic v({node})={v:.6f}" for node, v in zip(weight_nodes, v_start, strict=True)),
        # only the readout: a large array's every node over every step would not fit memory
        ".save time " + " ".join(f"i(vwm{i})" for i in range(n)) + " i(vym) i(vdd)",
        f".tran {period / 20:.4e} {task.samples * period:.6e}",
    ]
    return Job(f"learning/{label}", _deck("SGDr learning", cell, bench, body),
               {"n": n, "period": period, "i_w0": bias.i_w0, "i_t0": bias.i_t0, "vdd": vdd,
                "samples": task.samples}, bench)


def measure_learning(vectors: dict[str, np.ndarray], meta: dict[str, Any]) -> dict[str, Any]:
    """Weights and the output sampled at the end of every input period (and at t = 0), in units
    of their nominal currents (w = I(wmon) / I_W0, y = I(ymon) / I_T0); supply power."""
    from sim.metrics import power_w

    times = vectors["time"]
    grid = np.concatenate([[0.0], (np.arange(meta["samples"]) + 1) * meta["period"] * 0.999])
    weights = np.array([np.interp(grid, times, -vectors[f"vwm{i}#branch"]) / meta["i_w0"]
                        for i in range(meta["n"])]).T
    output = np.interp(grid, times, vectors["vym#branch"]) / meta["i_t0"]
    supply = -vectors["vdd#branch"]
    return {"grid": grid.tolist(), "weights": weights.tolist(), "output": output.tolist(),
            "power_w": power_w(times, meta["vdd"], supply)}
