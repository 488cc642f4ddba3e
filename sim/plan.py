"""Which learning runs the sim stage makes: chips, conditions, hyperparameters and task seeds.

A *chip* is a netlist (schematic or extracted) at a process point: a corner, or a Monte Carlo
sample of the statistical models (its ngspice seed). Every chip is trimmed once, at the nominal
temperature and supply (sim/calibrate.py), and that trim is held for everything else it runs.
Each variation source is varied alone around the nominal point (the nominal chip at the nominal
temperature, supply and hyperparameters), not as a cross product, and every run is scored on
every task seed of the chosen seed set.
"""

from __future__ import annotations

from dataclasses import dataclass

from pdk.gf180mcu.models import Statistical
from sgdr_flow.config import FlowConfig
from sim.testbenches import Bench

SOURCES = ("nominal", "corner", "temperature", "supply", "monte_carlo", "eta", "lambda", "bias")


@dataclass(frozen=True)
class Chip:
    """A die: a netlist kind at a corner, or a Monte Carlo sample (index, ngspice seed)."""

    kind: str
    corner: str = "typical"
    mc_index: int | None = None
    mc_seed: int | None = None

    @property
    def label(self) -> str:
        return f"mc{self.mc_index}" if self.mc_index is not None else self.corner

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.label}"

    def sample(self, config: FlowConfig) -> Statistical | None:
        if self.mc_seed is None:
            return None
        mc = config.simulation.variation.monte_carlo
        return Statistical(self.mc_seed, mc.global_variation, mc.mismatch)

    def bench(self, config: FlowConfig, temperature_c: float | None = None,
              supply_scale: float = 1.0) -> Bench:
        temperature = config.pdk.temperature_c if temperature_c is None else temperature_c
        return Bench(self.corner, self.sample(config), temperature, supply_scale)

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"netlist": self.kind, "corner": self.corner}
        if self.mc_index is not None:
            out.update(monte_carlo_sample=self.mc_index, ngspice_seed=self.mc_seed)
        return out


@dataclass(frozen=True)
class Run:
    """One learning simulation: a chip under a condition with hyperparameters, on a task seed."""

    chip: Chip
    source: str
    point: str              # the varied value, as the report names it ("ff", "-40C", ...)
    temperature_c: float
    supply_scale: float
    seed: int
    eta_scale: float = 1.0
    lambda_scale: float = 1.0
    bias_scale: float = 1.0

    @property
    def id(self) -> str:
        return f"{self.chip.kind}/{self.source}={self.point}/seed{self.seed}"

    def bench(self, config: FlowConfig) -> Bench:
        return self.chip.bench(config, self.temperature_c, self.supply_scale)

    def as_json(self) -> dict[str, object]:
        return {"chip": self.chip.as_json(), "source": self.source, "point": self.point,
                "temperature_c": self.temperature_c, "supply_scale": self.supply_scale,
                "task_seed": self.seed, "eta_scale": self.eta_scale,
                "lambda_scale": self.lambda_scale, "bias_scale": self.bias_scale}


def _g(value: float) -> str:
    return f"{value:g}"


def monte_carlo_chips(config: FlowConfig, kind: str) -> list[Chip]:
    """The Monte Carlo dies of a netlist kind (none when it is not varied): sample k at ngspice
    seed `seed + k`, the same dies for the learning runs and the cell testbenches."""
    variation = config.simulation.variation
    if not (variation.enabled and kind in variation.netlists):
        return []
    mc = variation.monte_carlo
    return [Chip(kind, "typical", k, mc.seed + k) for k in range(mc.samples)]


def plan_runs(config: FlowConfig) -> list[Run]:
    """Every learning run of the stage, nominal first."""
    sim = config.simulation
    tb, variation = sim.testbenches.learning, sim.variation
    if not tb.enabled:
        return []
    t0, corner = config.pdk.temperature_c, config.pdk.corner
    runs: list[Run] = []
    for kind in sim.netlists:
        nominal = Chip(kind, corner)
        points: list[tuple[Chip, str, str, dict[str, float]]] = [(nominal, "nominal", "", {})]
        if variation.enabled and kind in variation.netlists:
            points += [(Chip(kind, c), "corner", c, {}) for c in variation.corners
                       if c != corner]
            points += [(nominal, "temperature", f"{_g(t)}C", {"temperature_c": t})
                       for t in variation.temperatures_c if t != t0]
            points += [(nominal, "supply", f"vdd x{_g(s)}", {"supply_scale": s})
                       for s in variation.supply_scale if s != 1.0]
            points += [(chip, "monte_carlo", chip.label, {})
                       for chip in monte_carlo_chips(config, kind)]
        if kind in tb.sweep_netlists:
            points += [(nominal, "eta", f"eta x{_g(s)}", {"eta_scale": s})
                       for s in tb.eta_scale if s != 1.0]
            points += [(nominal, "lambda", f"lambda x{_g(s)}", {"lambda_scale": s})
                       for s in tb.lambda_scale if s != 1.0]
            points += [(nominal, "bias", f"bias x{_g(s)}", {"bias_scale": s})
                       for s in tb.bias_scale if s != 1.0]
        for chip, source, point, change in points:
            condition = {"temperature_c": t0, "supply_scale": 1.0, **change}
            for seed in tb.seeds:
                runs.append(Run(chip, source, point or "nominal", seed=seed, **condition))
    return runs


def chips_of(runs: list[Run]) -> list[Chip]:
    """The chips the runs need, each once, in order of first use (each gets one trim)."""
    return list(dict.fromkeys(run.chip for run in runs))
