"""flow.yaml validation: every bad file stops with exit 2 naming file, line and key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sgdr_flow.cli import main
from sgdr_flow.config import FlowConfig, load_flow
from tests.conftest import REPO

CELLS = ("design:\n  cells:\n    synapse: {{cell: sgdr_synapse}}\n    {}\n"
         "    bias: {{cell: bias_network}}\n    tl: {{cell: translinear_loop}}\n")
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
    "empty value": ("report:\n  title:\n", 2, "report.title", "valid string"),
    "list as a key": ("report:\n  [a, b]: 1\n", 2, "report", "a key must be a plain"),
    "mapping as a key": ("report:\n  {a: 1}: 1\n", 2, "report", "a key must be a plain"),
    "unknown rule to skip": ("checks:\n  drc:\n    skip_rules: [M1.2a, M1.l]\n", 3,
                             "checks.drc.skip_rules[1]", "no rule 'M1.l'"),
    "cell name that is a path": (CELLS.format("../../x: {cell: translinear_loop}"), 4,
                                 "design.cells.../../x", "should match pattern"),
    "top name that is a path": ("design:\n  top: ../top\n", 2, "design.top",
                                "should match pattern"),
    "merge key": ("design:\n  cells:\n    synapse: &s {cell: sgdr_synapse}\n"
                  "    bias: {<<: *s, cell: bias_network}\n", 4, "design.cells.bias",
                  "merge keys"),
    "unknown tag": ("report:\n  title: !!python/name:os.system x\n", 2, "report.title",
                    "cannot read"),
    "infinite learning rate": ("simulation:\n  testbenches:\n    learning:\n"
                               "      eta_per_s: .inf\n", 4,
                               "simulation.testbenches.learning.eta_per_s", "finite"),
    "nan temperature": ("pdk:\n  temperature_c: .nan\n", 2, "pdk.temperature_c", "finite"),
    "nan in a list": ("simulation:\n  testbenches:\n    memory_hold:\n"
                      "      temperatures_c: [27, .nan]\n", 4,
                      "simulation.testbenches.memory_hold.temperatures_c[1]", "finite"),
    "infinite limit": ("targets:\n  power_w: {max: .inf}\n", 2, "targets.power_w.max",
                       "finite"),
    "negative capacitance": (CELLS.format("s2: {cell: sgdr_synapse, capacitance_ff: -6000}"),
                             4, "design.cells.s2.capacitance_ff", "greater than 0"),
    "negative width": (CELLS.format("t2: {cell: translinear_loop, w: -2}"), 4,
                       "design.cells.t2.w", "greater than or equal to 0.36"),
    "length below the gate minimum": (CELLS.format("t2: {cell: translinear_loop, l: 0.01}"), 4,
                                      "design.cells.t2.l", "greater than or equal to 0.28"),
    "nan width": (CELLS.format("t2: {cell: translinear_loop, w: .nan}"), 4, "design.cells.t2.w",
                  "finite"),
    "too many devices": (CELLS.format("g: {cell: matched_group, devices: 99}"), 4,
                         "design.cells.g.devices", "less than or equal to 4"),
    "ratio not a:b": (CELLS.format("m: {cell: current_mirror, ratio: 'a:b'}"), 4,
                      "design.cells.m.ratio", "whole numbers"),
    "odd common centroid": (CELLS.format("g: {cell: matched_group, units: 3}"), 4,
                            "design.cells.g", "even number of units"),
    "finger narrower than the rule": (CELLS.format("d: {cell: mos_device, w: 0.4, nf: 4}"), 4,
                                      "design.cells.d", "finger width"),
    "capacitor beyond the MIM area rule": (
        CELLS.format("c: {cell: mim_capacitor, capacitance_ff: 1.0e6}"), 4, "design.cells.c",
        "MIM rules allow"),
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


@pytest.mark.parametrize(("data", "line", "words"), [
    (b"report:\n  title: caf\xe9\n", 2, "not UTF-8"),                # Latin-1 text
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, "not UTF-8"),       # a binary file
    (b"\x7fELF\x02\x01\x01\x00", 1, "special characters"),             # ... valid UTF-8
    (b"report:\n  title: a\x00b\n", 2, "special characters"),         # NUL: valid UTF-8
], ids=["latin-1", "png", "elf", "nul"])
def test_unreadable_bytes_name_file_and_line(data, line, words, tmp_path, capsys):
    path = tmp_path / "flow.yaml"
    path.write_bytes(data)
    assert main(["stages", str(path), "--out", str(tmp_path / "build")]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}:" in err and words in err
    assert "Traceback" not in err


def _alias_bomb(levels: int = 12) -> str:
    lines = ["lol0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "report:\n  title: t\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(("text", "words"), [
    (_alias_bomb(), "YAML nodes"),                      # 9^12 strings once expanded
    ("a: &a [*a]\n", "nested deeper"),                  # an alias that contains itself
    ("report:\n  title: " + "x" * (1 << 21) + "\n", "larger than"),
], ids=["alias bomb", "recursive alias", "huge file"])
def test_yaml_parsing_is_bounded(text, words, tmp_path):
    """Parsed in a child with a deadline: on an unbounded parser these hang or eat the memory."""
    path = tmp_path / "flow.yaml"
    path.write_text(text)
    done = subprocess.run([sys.executable, "-c", "import sys; from sgdr_flow.yaml_lines import "
                           "load_located; from sgdr_flow.errors import ConfigError\n"
                           "try: load_located(__import__('pathlib').Path(sys.argv[1]))\n"
                           "except ConfigError as e: print(e); sys.exit(2)", str(path)],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"{path}:" in done.stdout and words in done.stdout


def test_anchors_and_aliases_within_bounds_work(flow_file):
    flow = load_flow(flow_file("design:\n  cells:\n    synapse: &syn {cell: sgdr_synapse}\n"
                               "    bias: {cell: bias_network}\n    tl: {cell: translinear_loop}\n"
                               "    other: *syn\n"))
    assert flow.config.design.cells["other"].cell == "sgdr_synapse"


def test_every_problem_is_listed(flow_file, capsys):
    path = flow_file("pdk:\n  corner: tt\ndesign:\n  n_synapses: -1\n")
    assert main(["version", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: pdk.corner" in err
    assert f"{path}:4: design.n_synapses" in err


def test_missing_file(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err
