"""Rerun one chip alone from what the report recorded: a Monte Carlo sample from its ngspice
seed (or a corner), trimmed and scored exactly as in the flow, on the build's netlists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sgdr_flow.config import FlowConfig
from sgdr_flow.errors import FlowError
from sim.decks import slug
from sim.executor import make_executor
from sim.netlists import CellNetlist, extracted_netlist, schematic_netlist
from sim.plan import Chip, plan_runs
from sim.stage import Design, Learning, check_models, execute


def chip_for(config: FlowConfig, kind: str, seed: int | None, corner: str | None) -> Chip:
    """The chip a seed (a Monte Carlo sample) or a corner names, as the flow's plan has it."""
    if seed is None:
        return Chip(kind, corner or config.pdk.corner)
    mc = config.simulation.variation.monte_carlo
    index = seed - mc.seed
    if not 0 <= index < mc.samples:
        raise FlowError(f"seed {seed} is not one of the flow's Monte Carlo samples "
                        f"({mc.seed} to {mc.seed + mc.samples - 1}); check "
                        "simulation.variation.monte_carlo in flow.yaml")
    return Chip(kind, "typical", index, seed)


def _array(build: Path, kind: str, top: str) -> CellNetlist:
    try:
        if kind == "schematic":
            return schematic_netlist(build / "layout", top)
        return extracted_netlist(build / "pex", top)
    except OSError as exc:
        raise FlowError(f"no {kind} netlist of {top} in {build}: run the flow first "
                        f"({exc})") from exc


def rerun_chip(config: FlowConfig, build: Path, chip: Chip, out: Path,
               step=lambda *a, **k: None) -> dict[str, dict[str, Any]]:
    """Trim and run `chip` alone; the records of its runs, keyed like the report's."""
    check_models()
    runs = [r for r in plan_runs(config) if r.chip == chip]
    if not runs:
        raise FlowError(f"the flow's plan has no run of chip {chip.id}")
    cells = json.loads((build / "cells" / "summary.json").read_text())["cells"]
    learn_arrays = {chip.kind: _array(build, chip.kind, config.design.top)}
    executor = make_executor(config.simulation.executor)
    try:
        learn = Learning(config, Design.of(config, cells), learn_arrays, executor,
                         out / "decks", step)
        done = execute(learn, runs, [])
    finally:
        executor.close()
    records, _ = learn.records(runs, done.planned, done.results,
                               lambda job: str(out / "decks" / f"{slug(job.name)}.cir"))
    return records
