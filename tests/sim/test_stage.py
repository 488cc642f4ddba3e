"""The cell testbenches' jobs: the translinear loop runs on the Monte Carlo chips too, the same
chips (ngspice seeds) the learning runs use, so its error target sees the PDK's mismatch."""

from __future__ import annotations

from pathlib import Path

from cells.circuit import sim_netlist
from cells.translinear import translinear_loop
from sgdr_flow.config import FlowConfig
from sim.netlists import CellNetlist, _ports
from sim.ngspice import simulate_here
from sim.plan import chips_of, plan_runs
from sim.stage import Netlists, _cell_jobs
from sim.testbenches import measure_translinear


def _config() -> FlowConfig:
    return FlowConfig.model_validate({"simulation": {"netlists": ["extracted"], "variation": {
        "corners": ["typical"], "temperatures_c": [27], "supply_scale": [1.0],
        "netlists": ["extracted"], "monte_carlo": {"samples": 2, "seed": 500}}}})


def _loop() -> CellNetlist:
    text = sim_netlist(translinear_loop(8.0, 2.0, 1))
    return CellNetlist("translinear_loop", "extracted", text,
                       _ports(text, "translinear_loop", Path("x")), Path("x"))


def test_translinear_loop_runs_on_the_learning_runs_monte_carlo_chips():
    config = _config()
    jobs = _cell_jobs(config, {"extracted": Netlists("extracted", _loop(), None, None)})
    sampled = [j for j in jobs if j.bench.sample is not None]
    learning = [c.mc_seed for c in chips_of(plan_runs(config)) if c.mc_index is not None]
    assert [j.bench.sample.seed for j in sampled] == learning == [500, 501]
    assert [j.name.split("/", 2)[2] for j in sampled] == ["mc0/27C", "mc1/27C"]
    nominal = next(j for j in jobs if j.bench.sample is None)
    error = {j.name: measure_translinear(simulate_here(j.netlist).vectors, j.meta)
             ["max_error_percent"] for j in (nominal, sampled[0])}
    # the mismatch reaches the loop: the sample's error is not the nominal one
    assert abs(error[sampled[0].name] - error[nominal.name]) > 0.5


def test_translinear_loop_runs_every_corner_at_every_temperature():
    """Leakage makes the fast corner at 85 C the loop's worst case at its 10 pA end (about 200 %
    error, schematic, against 2.5 % at typical 85 C and 2.8 % at ff 27 C): corners judged at 27 C
    and temperatures at the typical corner never see it."""
    config = FlowConfig.model_validate({"simulation": {"variation": {
        "corners": ["typical", "ff"], "temperatures_c": [27, 85], "supply_scale": [1.0],
        "monte_carlo": {"samples": 0}}}})
    jobs = _cell_jobs(config, {"schematic": Netlists("schematic", _loop(), None, None)})
    benches = {(j.bench.corner, j.bench.temperature_c) for j in jobs}
    assert benches == {("typical", 27), ("typical", 85), ("ff", 27), ("ff", 85)}
    hot_fast = next(j for j in jobs if (j.bench.corner, j.bench.temperature_c) == ("ff", 85))
    error = measure_translinear(simulate_here(hot_fast.netlist).vectors, hot_fast.meta)
    assert error["max_error_percent"] > 20
