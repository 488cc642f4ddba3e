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
