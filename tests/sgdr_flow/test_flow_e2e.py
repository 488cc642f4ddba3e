"""The whole flow on a small design, with the real tools: report contents, exit code, cache."""

from __future__ import annotations

import json
import re

import pytest

from sgdr_flow.cli import main
from sgdr_flow.stages import STAGE_NAMES

SMALL = """
design:
  n_synapses: 2
  cells:
    synapse: {cell: sgdr_synapse, capacitance_ff: 500}
    bias: {cell: bias_network}
    tl: {cell: translinear_loop}
simulation:
  testbenches:
    translinear_dc: {cell: tl, points_per_decade: 2}
    memory_hold: {cell: synapse, duration_s: 2.0e-4, temperatures_c: [27]}
    learning: {samples: 16, sample_period_s: 2.0e-5, eta_per_s: 20000, lam: 0.2}
report:
  plots: false
"""
METRICS = ("mse_percent", "precision_bits", "power_w", "energy_per_update_j", "area_um2",
           "tl_max_error_percent", "droop_mv_per_ms")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flow")
    path = folder / "flow.yaml"
    path.write_text(SMALL)
    code = main(["run", str(path)])
    return folder, path, code


def test_report_holds_every_section(first_run):
    folder, _, code = first_run
    report = json.loads((folder / "build" / "report.json").read_text())
    assert code == (0 if report["pass"] else 1)
    assert set(STAGE_NAMES) <= set(report["stages"])
    assert all(report["stages"][s]["status"] in ("ok", "failed") for s in STAGE_NAMES)
    for key in ("flow", "tools", "drc", "lvs", "pex", "metrics", "targets", "digital_baseline"):
        assert key in report
    assert report["drc"]["clean"] and report["lvs"]["match"]
    for kind in ("schematic", "extracted"):
        assert set(METRICS) <= set(report["metrics"][kind]), kind
    assert all(t["judged_on"].startswith("extracted") for t in report["targets"].values())
    assert report["targets"]["tl_max_error_percent"]["value"] < 5
    assert 0 < report["metrics"]["extracted"]["power_w"] < 1e-6
    assert "<html>" in (folder / "build" / "report.html").read_text()


def test_extracted_netlist_carries_parasitics(first_run):
    folder, _, _ = first_run
    pex = json.loads((folder / "build" / "report.json").read_text())["pex"]["cells"]
    nodes = pex["sgdr_array"]["sensitive_nodes"]
    assert "s0.vc" in nodes and nodes["s0.vc"]["total_ff"] > 500  # the MIM plus parasitics


def test_second_run_skips_every_stage(first_run, capsys):
    folder, path, code = first_run
    capsys.readouterr()
    assert main(["run", str(path)]) == code
    err = capsys.readouterr().err
    assert len(re.findall(r"skipped \(fresh", err)) == len(STAGE_NAMES)
    for stage in STAGE_NAMES:
        manifest = json.loads((folder / "build" / stage / "manifest.json").read_text())
        assert manifest["last_run"]["skipped"] is True


def test_simulation_change_reruns_only_sim_and_report(first_run, capsys):
    _, path, _ = first_run
    path.write_text(SMALL.replace("lam: 0.2", "lam: 0.25"))
    capsys.readouterr()
    main(["run", str(path)])
    err = capsys.readouterr().err
    ran = set(re.findall(r"\] (\w+)\s+(?:ok|failed) in", err))
    assert ran == {"sim", "report"}
