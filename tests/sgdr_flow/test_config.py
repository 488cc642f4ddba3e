"""flow.yaml validation: every bad file stops with exit 2 naming file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from sgdr_flow.cli import main
from sgdr_flow.config import FlowConfig, load_flow

BAD_FILES = {
    # name: (yaml text, line, key, words expected in the message)
    "unknown top-level key": ("pdk:\n  name: gf180mcu\nreprot:\n  html: true\n", 3, "reprot",
                              "Extra inputs"),
    "unknown nested key": ("pdk:\n  variant:\n    metal_level: 5\n", 3,
                           "pdk.variant.metal_level", "Extra inputs"),
    "wrong type": ("design:\n  top: arr\n  n_synapses: four\n", 3, "design.n_synapses",
                   "valid integer"),
    "out of range": ("pdk:\n  temperature_c: 500\n", 2, "pdk.temperature_c", "less than"),
    "zero synapses": ("design:\n  n_synapses: 0\n", 2, "design.n_synapses", "greater than"),
    "bad literal": ("pdk:\n  corner: tt\n", 2, "pdk.corner", "typical"),
    "bad list item": ("simulation:\n  netlists:\n    - schematic\n    - layout\n", 4,
                      "simulation.netlists[1]", "extracted"),
    "limit without bounds": ("targets:\n  mse_percent: {}\n", 2, "targets.mse_percent",
                             "min, max"),
    "duplicate key": ("pdk:\n  corner: ff\n  corner: ss\n", 3, "pdk.corner", "duplicate"),
    "syntax error": ("pdk:\n  corner: [ff\n", 3, "YAML syntax", ""),
    "unknown cell": ("design:\n  cells:\n    m1:\n      cell: no_such_cell\n"
                     "    synapse: {cell: sgdr_synapse}\n    bias: {cell: bias_network}\n", 4,
                     "design.cells.m1.cell", "unknown cell"),
    "bad cell parameter": ("design:\n  cells:\n    synapse:\n      cell: sgdr_synapse\n"
                           "      k: many\n    bias: {cell: bias_network}\n", 5,
                           "design.cells.synapse.k", "valid integer"),
    "unknown cell parameter": ("design:\n  cells:\n    synapse:\n      cell: sgdr_synapse\n"
                               "      wdith: 2\n    bias: {cell: bias_network}\n", 5,
                               "design.cells.synapse.wdith", "Extra inputs"),
    "array block missing": ("design:\n  synapse: syn\n", 2, "design.synapse",
                            "must name a design.cells entry"),
    "testbench cell missing": ("simulation:\n  testbenches:\n    translinear_dc:\n"
                               "      cell: loop\n", 4,
                               "simulation.testbenches.translinear_dc.cell", "translinear_loop"),
}


def test_default_flow_is_valid():
    flow = load_flow(Path(__file__).resolve().parents[2] / "flow.yaml")
    assert flow.config.pdk.variant.metal_levels == 5
    assert flow.config.targets.mse_percent.max == 0.87
    assert flow.config.targets.precision_bits.min == 8


def test_empty_flow_gets_defaults(flow_file):
    flow = load_flow(flow_file("{}\n"))
    assert flow.config == FlowConfig()


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_flow_names_file_line_key(case, flow_file, tmp_path, capsys):
    text, line, key, words = BAD_FILES[case]
    path = flow_file(text)
    code = main(["run", str(path), "--out", str(tmp_path / "build")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{path}:{line}:" in err
    assert key in err
    assert words in err
    assert not (tmp_path / "build").exists(), "nothing may be written for a bad config"


def test_every_problem_is_listed(flow_file, capsys):
    path = flow_file("pdk:\n  corner: tt\ndesign:\n  n_synapses: -1\n")
    assert main(["version", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: pdk.corner" in err
    assert f"{path}:4: design.n_synapses" in err


def test_missing_file(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err
