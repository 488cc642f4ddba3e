"""The run plan: each source varied alone around the nominal point, every run on every task
seed of the chosen set, one chip (and one trim) per corner and Monte Carlo sample."""

from __future__ import annotations

from collections import Counter

import pytest
from pydantic import ValidationError

from sgdr_flow.config import FlowConfig
from sim.plan import chips_of, plan_runs


def config(**learning) -> FlowConfig:
    return FlowConfig.model_validate({"simulation": {
        "testbenches": {"learning": {"eta_scale": [0.3, 3], "lambda_scale": [3],
                                     "bias_scale": [0.1, 10], **learning}},
        "variation": {"corners": ["typical", "ff", "ss"], "temperatures_c": [-40, 27, 85],
                      "supply_scale": [0.9, 1.0, 1.1], "monte_carlo": {"samples": 4,
                                                                       "seed": 500}}}})


def test_sources_vary_one_at_a_time_on_every_scoring_seed() -> None:
    runs = plan_runs(config())
    extracted = [r for r in runs if r.chip.kind == "extracted"]
    per_source = Counter(r.source for r in extracted)
    seeds = 3
    assert per_source == {"nominal": seeds, "corner": 2 * seeds, "temperature": 2 * seeds,
                          "supply": 2 * seeds, "monte_carlo": 4 * seeds, "eta": 2 * seeds,
                          "lambda": seeds, "bias": 2 * seeds}
    assert {r.seed for r in extracted} == {11, 12, 13}  # the scoring seeds, never tuning ones
    for run in extracted:
        off_nominal = [run.chip.corner != "typical" or run.chip.mc_index is not None,
                       run.temperature_c != 27, run.supply_scale != 1.0, run.eta_scale != 1.0,
                       run.lambda_scale != 1.0, run.bias_scale != 1.0]
        assert sum(off_nominal) == (run.source != "nominal"), run.id
    # the schematic runs the nominal point only (for the layout's delta)
    assert {r.source for r in runs if r.chip.kind == "schematic"} == {"nominal"}
    assert len({r.id for r in runs}) == len(runs)


def test_monte_carlo_chips_carry_consecutive_seeds_and_each_chip_is_trimmed_once() -> None:
    runs = plan_runs(config())
    chips = chips_of(runs)
    mc = [c for c in chips if c.mc_index is not None]
    assert [(c.mc_index, c.mc_seed) for c in mc] == [(k, 500 + k) for k in range(4)]
    assert [c.id for c in chips if c.mc_index is None] == [
        "schematic/typical", "extracted/typical", "extracted/ff", "extracted/ss"]
    sample = mc[2].sample(config())
    assert sample is not None and sample.seed == 502 and sample.mismatch


def test_tuning_seed_set_runs_the_tuning_seeds() -> None:
    runs = plan_runs(config(seed_set="tuning"))
    assert {r.seed for r in runs} == {1, 2, 3}


def test_tuning_and_scoring_seeds_must_be_disjoint() -> None:
    with pytest.raises(ValidationError, match="disjoint"):
        config(tuning_seeds=[1, 2, 11])
