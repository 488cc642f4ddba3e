"""The example flows: each is the default flow.yaml with only its variation set changed, so the
larger runs check the very design the default flow checks."""

from __future__ import annotations

from pathlib import Path

import yaml

from sgdr_flow.config import load_flow
from tests.conftest import REPO


def test_signoff_flow_is_the_default_design_with_a_larger_variation_set() -> None:
    default = yaml.safe_load((REPO / "flow.yaml").read_text())
    signoff = yaml.safe_load((REPO / "flows" / "signoff.yaml").read_text())
    variation = signoff["simulation"].pop("variation")
    default["simulation"].pop("variation")
    assert signoff == default
    config = load_flow(Path(REPO / "flows" / "signoff.yaml")).config.simulation.variation
    assert config.monte_carlo.samples >= 100
    assert set(config.corners) == {"typical", "ff", "ss", "fs", "sf"}
    assert variation["temperatures_c"] == [-40, 27, 85]


def test_the_default_flow_runs_a_small_set_of_every_variation_source() -> None:
    config = load_flow(Path(REPO / "flow.yaml")).config
    variation = config.simulation.variation
    learning = config.simulation.testbenches.learning
    assert len(variation.corners) >= 3 and len(variation.temperatures_c) >= 3
    assert len(variation.supply_scale) >= 2 and variation.monte_carlo.samples >= 8
    assert len(learning.scoring_seeds) >= 3 and learning.seed_set == "scoring"
    assert max(learning.bias_scale) / min(learning.bias_scale) >= 100  # two decades
    assert config.simulation.trim.enabled and "extracted" in variation.netlists
