"""The scale benchmark: its reduced flow is a valid flow.yaml, the growth exponent is the slope
of log cost over log N, and a stage run in its own process is timed and its memory sampled."""

from __future__ import annotations

import os

import pytest
import yaml

from sgdr_flow.config import load_flow
from tests.extraction.test_benchmarks import load


def test_reduced_flow_is_a_valid_flow(tmp_path):
    bench = load("flow_scale")
    path = tmp_path / "flow.yaml"
    path.write_text(yaml.safe_dump(bench.reduced_flow(64, 20, hierarchical=False)))
    config = load_flow(path).config
    assert config.design.n_synapses == 64 and not config.extraction.hierarchical
    assert not config.simulation.variation.enabled and not config.simulation.trim.enabled
    learning = config.simulation.testbenches.learning
    assert learning.samples == 20 and len(learning.scoring_seeds) == 1


def test_exponent_is_the_log_log_slope():
    bench = load("flow_scale")
    assert bench.exponent([(4, 1.0), (16, 4.0), (64, 16.0)]) == pytest.approx(1.0)
    assert bench.exponent([(4, 2.0), (16, 32.0)]) == pytest.approx(2.0)
    assert bench.exponent([(4, 3.0), (64, 3.0)]) == pytest.approx(0.0)
    assert bench.exponent([(4, 1.0)]) is None


def test_stage_in_its_own_process_is_timed_and_its_memory_sampled(tmp_path, capsys):
    bench = load("flow_scale")
    assert bench._tree_rss(os.getpid()) > 10 * 2**20
    (run,) = bench.measure(tmp_path, 1, ("cells",), 1, 8)
    assert run.stage == "cells" and run.status == "ok"
    assert run.seconds > 0 and run.peak_mb > 50  # a Python with KLayout and gdsfactory
    lines = bench.table([run, bench.Measured("cells", 4, 4 * run.seconds, 1.0, "ok")])
    assert lines[1].split() == ["stage", "N=1", "N=4", "exponent"]
    assert lines[2].split()[0] == "cells" and float(lines[2].split()[-1]) == pytest.approx(1)
    assert "N=1" in capsys.readouterr().out


def test_through_lvs_the_array_is_described_and_judged(tmp_path, capsys):
    bench = load("flow_scale")
    runs = bench.measure(tmp_path, 2, bench.THROUGH_LVS, 1, 8)
    assert [r.stage for r in runs] == list(bench.THROUGH_LVS)
    assert all(r.status == "ok" for r in runs)
    facts = capsys.readouterr().out.splitlines()[-1]
    assert "2 x 1 grid" in facts or "1 x 2 grid" in facts
    assert "DRC clean" in facts and "LVS match (" in facts
