"""The typed schema of flow.yaml and its loader.

Every model forbids unknown keys; validation errors are reported as `file:line: key: message`
before any stage runs, so a typo never produces half a build.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.errors import ConfigError, FlowError
from sgdr_flow.yaml_lines import LocatedYaml, dotted, load_located

PositiveFloat = Annotated[float, Field(gt=0)]
Fraction = Annotated[float, Field(gt=0, lt=1)]


class Strict(BaseModel):
    """Unknown keys are errors; every number is finite (YAML's .inf and .nan are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# ----------------------------------------------------------------------------------------- pdk
Corner = Literal["typical", "ff", "ss", "fs", "sf"]
Temperature = Annotated[float, Field(ge=-55, le=175)]


class PdkConfig(Strict):
    name: Literal["gf180mcu"] = "gf180mcu"
    variant: MetalStack = MetalStack()
    corner: Corner = Field("typical", description="the nominal chip's process corner")
    temperature_c: Temperature = Field(
        27.0, description="nominal temperature: where the chip is trimmed and scored nominally")


# -------------------------------------------------------------------------------------- design
class CellSpec(BaseModel):
    """One named cell: `cell` is a registered cell function, the other keys its parameters."""

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)
    cell: str

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


def _default_cells() -> dict[str, CellSpec]:
    return {"synapse": CellSpec(cell="sgdr_synapse"), "bias": CellSpec(cell="bias_network"),
            "tl": CellSpec(cell="translinear_loop")}


# a design cell's name is also its GDS cell, its SPICE subcircuit and its files' name
CellName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
GridSide = Annotated[int, Field(ge=1, le=256)]


class DesignConfig(Strict):
    top: CellName = "sgdr_array"
    n_synapses: Annotated[int, Field(ge=1, le=256)] = 4
    synapse: CellName = Field("synapse", description="design cell used as the array's synapse")
    bias: CellName = Field("bias", description="design cell used as the array's bias network")
    cells: dict[CellName, CellSpec] = Field(default_factory=_default_cells)
    cell_modules: list[Annotated[str, Field(pattern=r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")]] = Field(
        default_factory=list, description="Python modules (beside flow.yaml, or installed) "
        "whose @analog_cell builders join the cell library")
    rows: GridSide | None = Field(
        None, description="synapse rows of the array (default: from columns, else near-square)")
    columns: GridSide | None = Field(
        None, description="synapse columns of the array (default: the array's outline nearest "
                          "to a square)")
    guard_rings: bool = Field(
        True, description="closed guard rings around every cell row and around the array")
    dummies: bool = Field(
        True, description="a dummy transistor at each end of every cell row of two or more")
    max_branch_current_a: PositiveFloat = Field(
        10e-9, description="worst-case current of one supply branch (a transistor with its "
                           "source on a rail): the power grid is sized for all at once")

    @model_validator(mode="after")
    def _grid_holds_the_synapses(self) -> DesignConfig:
        if self.rows and self.columns and self.rows * self.columns < self.n_synapses:
            raise ValueError(f"rows x columns = {self.rows * self.columns} places fewer than "
                             f"n_synapses = {self.n_synapses}")
        return self


# -------------------------------------------------------------------------------------- checks
class ExternalDeck(Strict):
    """A foundry sign-off deck run by an external KLayout application, next to the built-in one."""

    klayout: Path = Field(description="KLayout executable (>= 0.28)")
    deck: Path = Field(description="DRC (.drc/.lydrc) or LVS (.lvs/.lylvs) runset")
    variables: dict[str, str] = Field(default_factory=dict, description="-rd name=value pairs")


class DrcConfig(Strict):
    enabled: bool = True
    skip_rules: list[str] = Field(default_factory=list, description="rule IDs not to check")
    external: ExternalDeck | None = None


class LvsTolerances(Strict):
    w_rel: Annotated[float, Field(ge=0, le=0.5)] = 0.01
    l_rel: Annotated[float, Field(ge=0, le=0.5)] = 0.01
    c_rel: Annotated[float, Field(ge=0, le=0.5)] = 0.05


class LvsConfig(Strict):
    enabled: bool = True
    tolerances: LvsTolerances = LvsTolerances()
    external: ExternalDeck | None = None


class ChecksConfig(Strict):
    drc: DrcConfig = DrcConfig()
    lvs: LvsConfig = LvsConfig()


# ---------------------------------------------------------------------------------- extraction
class ExtractionConfig(Strict):
    enabled: bool = True
    engine: Literal["kpex-2.5D"] = "kpex-2.5D"
    resistance: bool = Field(
        False, description="also extract wire resistance (nA currents: IR drops are nV, off)")
    min_coupling_ff: Annotated[float, Field(ge=0)] = Field(
        0.01, description="couplings below this are left out of the sensitive-node report, "
        "and seam corrections below it out of the hierarchical netlist")
    top_nets: Annotated[int, Field(ge=1, le=1000)] = 10
    hierarchical: bool = Field(
        True, description="extract the array's cells once, its wiring once and its seams on "
        "windows, and assemble its netlist (false: the whole array flat)")
    workers: Annotated[int, Field(ge=1, le=256)] | None = Field(
        None, description="klayout-pex processes at once (default: the machine's cores)")


# ---------------------------------------------------------------------------------- simulation
class TranslinearTestbench(Strict):
    """DC sweep of I_a on the translinear loop cell: I_out against I_a I_b / I_c."""

    enabled: bool = True
    cell: str = Field("tl", description="design cell (cell: translinear_loop) to test")
    i_min_a: PositiveFloat = 10e-12
    i_max_a: PositiveFloat = 10e-9
    points_per_decade: Annotated[int, Field(ge=1, le=50)] = 8
    i_b_a: PositiveFloat = 1e-9
    i_c_a: PositiveFloat = 2e-9
    vdd: PositiveFloat = 1.0
    v_out: PositiveFloat = Field(0.45, description="voltage the output is held at")

    @model_validator(mode="after")
    def _range(self) -> TranslinearTestbench:
        if self.i_max_a <= self.i_min_a:
            raise ValueError("i_max_a must be larger than i_min_a")
        if self.i_c_a <= self.i_b_a:
            raise ValueError("the loop needs i_c_a > i_b_a (its shared source stays above ground)")
        return self


class HoldTestbench(Strict):
    """Weight-memory droop: the synapse with every input and bias off, its node set to v_hold."""

    enabled: bool = True
    cell: str = Field("synapse", description="design cell whose node `vc` holds the weight")
    temperatures_c: list[Annotated[float, Field(ge=-40, le=175)]] = [27.0, 85.0]
    duration_s: PositiveFloat = 1e-3
    v_hold: PositiveFloat = 0.42
    vdd: PositiveFloat = 1.0


class CurrentNoise(Strict):
    """Shot noise on every weight node during learning (current sources of seeded white noise,
    trnoise-like): density `scale` * 2 q I, I the node's bias currents (I_tau and I_lambda)."""

    enabled: bool = False
    scale: PositiveFloat = Field(1.0, description="multiplier of the shot-noise density")
    steps_per_period: Annotated[int, Field(ge=4, le=1000)] = Field(
        50, description="noise samples per input period (its bandwidth)")


class LearningTestbench(Strict):
    """Streamed linear regression on the array; the output and the weights against the golden
    SGDr model, on task seeds the design was not tuned on."""

    enabled: bool = True
    tuning_seeds: list[int] = Field(
        [1, 2, 3], min_length=1, description="task seeds a designer may look at while tuning")
    scoring_seeds: list[int] = Field(
        [11, 12, 13], min_length=1, description="task seeds the report scores (disjoint)")
    seed_set: Literal["scoring", "tuning"] = Field(
        "scoring", description="tuning: run on the tuning seeds (never a sign-off verdict)")
    samples: Annotated[int, Field(ge=4, le=100000)] = 300
    sample_period_s: PositiveFloat = 40e-6
    x_range: tuple[PositiveFloat, PositiveFloat] = (0.2, 1.0)
    w_range: tuple[PositiveFloat, PositiveFloat] = Field(
        (0.2, 1.8), description="true weights are spread over this range (stratified)")
    start: Literal["far", "fixed"] = Field(
        "far", description="far: each weight starts at the end of w_range away from its "
                           "answer; fixed: every weight starts at w0")
    w0: PositiveFloat = Field(0.7, description="initial weight of every synapse (start: fixed)")
    target_noise: Annotated[float, Field(ge=0, le=10)] = Field(
        0.05, description="standard deviation of the Gaussian noise added to the targets")
    eta_per_s: PositiveFloat = Field(6700.0, description="learning rate of the gradient flow")
    lam: Annotated[float, Field(ge=0, le=10)] = 0.02
    i_x0_a: PositiveFloat = Field(1e-9, description="input current of x = 1")
    i_t0_a: PositiveFloat = Field(0.5e-9, description="target (and output) current of t = 1")
    i_w0_a: PositiveFloat = Field(1e-9, description="weight-device current of w = 1")
    i_ug_a: PositiveFloat = Field(1e-9, description="unit current of the update loop")
    vdd: PositiveFloat = 1.0
    v_readout: PositiveFloat = Field(0.45, description="voltage the wmon pins are held at")
    eta_scale: list[PositiveFloat] = [0.3, 3.0]
    lambda_scale: list[Annotated[float, Field(ge=0)]] = [0.3, 3.0]
    bias_scale: list[PositiveFloat] = Field(
        [0.1, 0.3, 3.0, 10.0], description="all bias currents scaled together (speed, power)")
    sweep_netlists: list[Literal["schematic", "extracted"]] = ["extracted"]
    current_noise: CurrentNoise = CurrentNoise()

    @model_validator(mode="after")
    def _seeds(self) -> LearningTestbench:
        shared = sorted(set(self.tuning_seeds) & set(self.scoring_seeds))
        if shared:
            raise ValueError(f"tuning_seeds and scoring_seeds must be disjoint (both hold "
                             f"{', '.join(map(str, shared))}): a design tuned on the scored "
                             "stream proves nothing")
        for name in ("x_range", "w_range"):
            lo, hi = getattr(self, name)
            if lo >= hi:
                raise ValueError(f"{name} must be (low, high) with low < high")
        return self

    @property
    def seeds(self) -> list[int]:
        """The task seeds this run scores (or tunes on)."""
        return self.scoring_seeds if self.seed_set == "scoring" else self.tuning_seeds


class TestbenchesConfig(Strict):
    translinear_dc: TranslinearTestbench = TranslinearTestbench()
    memory_hold: HoldTestbench = HoldTestbench()
    learning: LearningTestbench = LearningTestbench()


class MetricDefinitions(Strict):
    """How MSE and precision are computed; printed in the report next to the numbers."""

    w_full_scale: PositiveFloat = Field(2.0, description="weight full-scale range W_FS")
    steady_state_fraction: Fraction = Field(
        0.25, description="last part of the run used for the precision's rms error")


class MonteCarloConfig(Strict):
    """Chips drawn from the PDK's statistical models: sample k is ngspice seed `seed + k`."""

    samples: Annotated[int, Field(ge=0, le=100000)] = 8
    seed: Annotated[int, Field(ge=1)] = 1000
    global_variation: bool = True
    mismatch: bool = True
    criteria: list[Literal["precision_bits", "mse_percent", "power_w"]] = \
        Field(["precision_bits", "mse_percent"], min_length=1,
              description="targets a chip must meet (on every scoring seed) to count as good")
    judge: Literal["ci95_low", "estimate"] = Field(
        "ci95_low", description="the yield target is met by the Wilson 95 % lower bound "
                                "(ci95_low) or by the point estimate")


class VariationConfig(Strict):
    """Sources varied one at a time around the nominal chip and condition (not a cross
    product); every run is scored on every task seed."""

    enabled: bool = True
    netlists: list[Literal["schematic", "extracted"]] = Field(
        ["extracted"], description="netlists the sources run on (the schematic always runs "
                                   "the nominal point, for the layout's delta)")
    corners: list[Corner] = ["typical", "ff", "ss"]
    temperatures_c: list[Temperature] = [-40.0, 27.0, 85.0]
    supply_scale: list[Annotated[float, Field(gt=0.5, lt=1.5)]] = [0.9, 1.0, 1.1]
    monte_carlo: MonteCarloConfig = MonteCarloConfig()


class TrimConfig(Strict):
    """The per-chip bias trim (sim/calibrate.py): at the nominal temperature and supply, then
    held for every temperature, supply and hyperparameter."""

    enabled: bool = True
    rounds: Annotated[int, Field(ge=1, le=10)] = 3
    tolerance: Annotated[float, Field(gt=0, lt=0.5)] = 0.005


class ExecutorConfig(Strict):
    """Where the simulations run: local simulator processes, or a dask.distributed cluster."""

    kind: Literal["local", "dask"] = "local"
    workers: Annotated[int, Field(ge=1, le=1024)] = 2
    address: str | None = Field(
        None, description="dask: a scheduler address, or `local` for an in-machine cluster")
    retries: Annotated[int, Field(ge=0, le=10)] = Field(
        2, description="reruns of a job whose simulator process died")

    @model_validator(mode="after")
    def _address(self) -> ExecutorConfig:
        if self.kind == "dask" and not self.address:
            raise ValueError("a dask executor needs an address (a scheduler, or `local`)")
        if self.kind == "local" and self.address:
            raise ValueError("address is only for kind: dask")
        return self


class SimulationConfig(Strict):
    enabled: bool = True
    netlists: list[Literal["schematic", "extracted"]] = ["schematic", "extracted"]
    executor: ExecutorConfig = ExecutorConfig()
    testbenches: TestbenchesConfig = TestbenchesConfig()
    variation: VariationConfig = VariationConfig()
    trim: TrimConfig = TrimConfig()
    metrics: MetricDefinitions = MetricDefinitions()


# ------------------------------------------------------------------------------------- targets
class Limit(Strict):
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one_side(self) -> Limit:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        return self


class TargetsConfig(Strict):
    mse_percent: Limit = Limit(max=0.87)
    precision_bits: Limit = Limit(min=8.0)
    power_w: Limit = Limit(max=1e-6)
    area_um2: Limit = Limit(max=1e6)
    tl_max_error_percent: Limit = Limit(max=5.0)
    droop_mv_per_ms: Limit = Limit(max=10.0)
    exercised_fraction: Limit = Limit(min=0.6)
    yield_fraction: Limit = Limit(min=0.9)
    bias_range_decades: Limit = Limit(min=2.0)


class ReportConfig(Strict):
    title: str = "SGDr learning array on GF180MCU"
    html: bool = True
    plots: bool = True


class FlowConfig(Strict):
    pdk: PdkConfig = PdkConfig()
    design: DesignConfig = DesignConfig()
    checks: ChecksConfig = ChecksConfig()
    extraction: ExtractionConfig = ExtractionConfig()
    simulation: SimulationConfig = SimulationConfig()
    targets: TargetsConfig = TargetsConfig()
    report: ReportConfig = ReportConfig()


class LoadedFlow(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)
    path: Path
    config: FlowConfig
    source: LocatedYaml
    digest: str


def _problems(error: ValidationError, source: LocatedYaml,
              prefix: tuple[str | int, ...] = ()) -> list[str]:
    out = []
    for item in error.errors():
        loc = (*prefix, *(p for p in item["loc"] if not str(p).startswith("function-")))
        got = "" if item["type"] == "missing" else f" (got {item.get('input')!r})"
        msg = item["msg"].removeprefix("Value error, ")
        out.append(f"{source.where(loc)}: {dotted(loc)}: {msg}{got}")
    return out


def validate_cells(config: FlowConfig, source: LocatedYaml) -> list[str]:
    """Import the user's cell modules, then check each design cell against its builder: the
    parameters' types and ranges, and what the builder itself refuses."""
    if not config.design.cells and not config.design.cell_modules:
        return []
    from cells.registry import check_params, import_cell_module  # heavy: only when needed

    out: list[str] = []
    for index, module in enumerate(config.design.cell_modules):
        loc = ("design", "cell_modules", index)
        try:
            import_cell_module(module, source.path.parent)
        except ValueError as exc:
            out.append(f"{source.where(loc)}: {dotted(loc)}: {exc}")
    for name, spec in config.design.cells.items():
        loc = ("design", "cells", name)
        try:
            check_params(spec.cell, spec.params)
        except KeyError as exc:
            out.append(f"{source.where((*loc, 'cell'))}: {dotted((*loc, 'cell'))}: {exc.args[0]}")
        except ValidationError as exc:
            out.extend(_problems(exc, source, loc))
        except (ValueError, FlowError) as exc:
            out.append(f"{source.where(loc)}: {dotted(loc)}: {exc}")
    return out


def validate_rules(config: FlowConfig, source: LocatedYaml) -> list[str]:
    """Rule IDs to skip must be rules of the DRC deck for the metal stack (a typo would skip
    nothing, silently)."""
    if not config.checks.drc.skip_rules:
        return []
    from extraction.drc.deck import deck_for  # heavy: only when rules are named

    known = {check.name for check in deck_for(config.pdk.variant, density=True)}
    out = []
    for index, rule in enumerate(config.checks.drc.skip_rules):
        loc = ("checks", "drc", "skip_rules", index)
        if rule not in known:
            out.append(f"{source.where(loc)}: {dotted(loc)}: no rule {rule!r} in the DRC deck "
                       "for this metal stack (rule IDs as in the design manual, e.g. M1.2a)")
    return out


def cross_checks(config: FlowConfig, source: LocatedYaml) -> list[str]:
    """References between sections: the array's blocks and the testbenches' cells."""
    cells = config.design.cells
    refs: list[tuple[tuple[str, ...], str, str]] = [
        (("design", "synapse"), config.design.synapse, "sgdr_synapse"),
        (("design", "bias"), config.design.bias, "bias_network")]
    tbs = config.simulation.testbenches
    for key, kind in (("translinear_dc", "translinear_loop"), ("memory_hold", "sgdr_synapse")):
        if getattr(tbs, key).enabled:
            refs.append((("simulation", "testbenches", key, "cell"), getattr(tbs, key).cell, kind))
    out = []
    for loc, name, kind in refs:
        if name not in cells or cells[name].cell != kind:
            out.append(f"{source.where(loc)}: {dotted(loc)}: must name a design.cells entry with "
                       f"cell: {kind} (got {name!r}; design.cells has {', '.join(cells)})")
    if config.design.top in cells:
        out.append(f"{source.where(('design', 'top'))}: design.top: {config.design.top!r} is "
                   "also a design.cells name")
    return out


def load_flow(path: str | Path) -> LoadedFlow:
    """Read and validate flow.yaml; raise ConfigError listing every problem found."""
    path = Path(path)
    source = load_located(path)
    if not isinstance(source.data, dict):
        raise ConfigError([f"{path}:1: <top>: expected a mapping of sections"])
    try:
        config = FlowConfig.model_validate(source.data)
    except ValidationError as exc:
        raise ConfigError(_problems(exc, source)) from exc
    problems = validate_cells(config, source) + cross_checks(config, source) + \
        validate_rules(config, source)
    if problems:
        raise ConfigError(problems)
    digest = hashlib.sha256(
        json.dumps(config.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()
    return LoadedFlow(path=path.resolve(), config=config, source=source, digest=digest)
