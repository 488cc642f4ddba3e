"""The whole flow on a small design with a small variation set, with the real tools: report
contents, variation sources, trims and yield, a Monte Carlo chip rerun alone from its seed, exit
code, cache."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sgdr_flow.cli import main
from sgdr_flow.hashing import hash_tree
from sgdr_flow.runner import read_manifest
from sgdr_flow.stages import STAGE_NAMES
from tests.conftest import REPO

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
    learning: {samples: 16, sample_period_s: 2.0e-5, eta_per_s: 20000, lam: 0.2,
               scoring_seeds: [11], eta_scale: [3], lambda_scale: [], bias_scale: [3]}
  variation:
    corners: [typical, ff]
    temperatures_c: [27, 85]
    supply_scale: [1.0]
    monte_carlo: {samples: 2, seed: 500}
  trim: {rounds: 1}
report:
  plots: false
"""
METRICS = ("mse_percent", "weight_mse_percent", "precision_bits", "exercised_fraction",
           "power_w", "energy_per_update_j", "area_um2", "tl_max_error_percent",
           "droop_mv_per_ms")


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
    assert all(t["status"] in ("pass", "FAIL", "not measured")
               for t in report["targets"].values())
    # the loop's target is its worst bench, the Monte Carlo dies included (mismatch); the
    # nominal loop itself stays within 10 %
    loop = report["sim"]["cell_testbenches"]["translinear"]["extracted"]
    assert {"mc0/27C", "mc1/27C"} <= set(loop)
    assert loop["typical/27C"]["max_error_percent"] < 10
    assert report["targets"]["tl_max_error_percent"]["value"] == pytest.approx(
        max(bench["max_error_percent"] for bench in loop.values()))
    assert 0 < report["metrics"]["extracted"]["power_w"] < 1e-6
    assert "<html" in (folder / "build" / "report.html").read_text()
    assert not (folder / "build" / "report" / "report.html").exists()  # one report.html


def test_every_variation_source_ran_and_each_run_names_its_trim(first_run):
    folder, _, _ = first_run
    report = json.loads((folder / "build" / "report.json").read_text())
    sweeps = report["sweeps"]
    assert set(sweeps["corners"]) == {"ff"} and set(sweeps["temperatures"]) == {"85C"}
    assert set(sweeps["eta"]) == {"eta x3"} and set(sweeps["bias_scaling"]["points"]) == \
        {"bias x3"}
    mc = sweeps["monte_carlo"]
    assert mc["samples"] == 2 and len(mc["ci95"]) == 2 and 0 <= mc["ci95"][0] <= 1
    assert {c["ngspice_seed"] for c in mc["chips"].values()} == {500, 501}
    runs = report["sim"]["runs"]
    assert {r["task_seed"] for r in runs.values()} == {11}  # scoring seeds only
    trims = report["sim"]["trims"]
    assert set(trims) == {"schematic/typical", "extracted/typical", "extracted/ff",
                          "extracted/mc0", "extracted/mc1"}
    for rid, run in runs.items():
        chip = rid.split("/")[0] + "/" + (run["point"] if run["source"] in (
            "corner", "monte_carlo") else "typical")
        assert run["trim"].startswith(chip), (rid, run["trim"])
        assert "held from 27 C" in run["trim"]
    hot = runs["extracted/temperature=85C/seed11"]
    nominal = runs["extracted/nominal=nominal/seed11"]
    assert hot["biases_a"] == nominal["biases_a"]  # the 27 C trim is held, not redone
    assert ".temp 85" in (folder / "build" / hot["deck"]).read_text()
    mc0 = runs["extracted/monte_carlo=mc0/seed11"]
    assert ".option seed=500" in (folder / "build" / mc0["deck"]).read_text()
    assert "mim_2p0fF" in (folder / "build" / mc0["deck"]).read_text()  # MIM as a model


def test_a_monte_carlo_sample_reruns_alone_from_its_seed(first_run, tmp_path, capsys):
    _, path, _ = first_run
    capsys.readouterr()
    assert main(["sample", str(path), "--seed", "501", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "extracted/monte_carlo=mc1/seed11" in out and "same as the report" in out
    assert main(["sample", str(path), "--seed", "77"]) == 2  # not a sample of this flow


def test_extracted_netlist_carries_parasitics(first_run):
    folder, _, _ = first_run
    pex = json.loads((folder / "build" / "report.json").read_text())["pex"]["cells"]
    nodes = pex["sgdr_array"]["sensitive_nodes"]
    # the MIM itself stays a model device: the weight node's extracted load is its wiring
    assert "s0.vc" in nodes and 5 < nodes["s0.vc"]["total_ff"] < 500


def test_second_run_skips_every_stage(first_run, capsys):
    folder, path, code = first_run
    capsys.readouterr()
    assert main(["run", str(path)]) == code
    err = capsys.readouterr().err
    assert len(re.findall(r"skipped \(fresh", err)) == len(STAGE_NAMES)
    for stage in STAGE_NAMES:
        manifest = json.loads((folder / "build" / stage / "manifest.json").read_text())
        assert manifest["last_run"]["skipped"] is True


def _ran(err: str) -> set[str]:
    return set(re.findall(r"\] (\w+)\s+(?:ok|failed) in", err))


def test_forced_rerun_writes_the_same_bytes(first_run):
    """No run time, date or absolute path inside an output: a rerun is no change downstream."""
    folder, path, _ = first_run
    build = folder / "build"
    stages = ("cells", "layout", "drc", "lvs")
    before = {s: read_manifest(build, s)["output_hash"] for s in stages}
    main(["run", str(path), "--force", "--only", *stages])
    assert {s: read_manifest(build, s)["output_hash"] for s in stages} == before
    assert read_manifest(build, "drc")["timings"]["sgdr_array"] > 0
    assert str(folder) not in (build / "drc" / "sgdr_array.lyrdb").read_text()
    assert "Date:" not in (build / "pex" / "sgdr_array.pex.spice").read_text()


def test_rule_skip_reruns_only_drc_and_report(first_run, capsys):
    _, path, _ = first_run
    path.write_text(SMALL + "checks:\n  drc:\n    skip_rules: [M1.1]\n")
    capsys.readouterr()
    try:
        main(["run", str(path)])
        assert _ran(capsys.readouterr().err) == {"drc", "report"}
    finally:
        path.write_text(SMALL)
        main(["run", str(path)])


def _stage_states(err_out: str) -> dict[str, str]:
    return dict(re.findall(r"^(\w+)\s+(fresh|stale|never run)\b", err_out, re.MULTILINE))


def test_deleted_output_is_not_fresh(first_run, capsys):
    folder, path, _ = first_run
    build = folder / "build"
    netlist = build / "pex" / "sgdr_array.pex.spice"
    saved, report = netlist.read_bytes(), (build / "report.json").read_bytes()
    netlist.unlink()
    try:
        capsys.readouterr()
        assert main(["stages", str(path)]) == 0
        states = _stage_states(capsys.readouterr().out)
        assert states == {"cells": "fresh", "layout": "fresh", "drc": "fresh", "lvs": "fresh",
                          "pex": "stale", "sim": "stale", "report": "stale"}
        assert main(["run", str(path), "--only", "sim", "--force"]) == 2
        assert "sgdr_array.pex.spice missing" in capsys.readouterr().err
        assert (build / "report.json").read_bytes() == report
    finally:
        netlist.write_bytes(saved)
    assert main(["stages", str(path)]) == 0
    assert set(_stage_states(capsys.readouterr().out).values()) == {"fresh"}


def _snapshot(build: Path) -> dict[str, object]:
    """Every output file's hash, report.json, and each stage's recorded hashes."""
    files = hash_tree(build, frozenset({"manifest.json"}))
    manifests = {s: (m["input_hash"], m["output_hash"]) for s in STAGE_NAMES
                 if (m := read_manifest(build, s))}
    return {"files": files, "manifests": manifests}


def _session_processes(sid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # after ")": state, ppid, pgrp, session
            found.append(int(stat.parent.name))
    return found


def _interrupt_during(path: Path, signum: int, marker: str = "klayout-pex",
                      delay: float = 1.0) -> tuple[int, str]:
    """Run the flow in a child, send `signum` `delay` seconds after a stderr line holds
    `marker`, return code and stderr; no process of its session may survive it."""
    child = subprocess.Popen([sys.executable, "-m", "sgdr_flow.cli", "run", str(path)],
                             cwd=REPO, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             text=True, start_new_session=True)
    lines = []
    try:
        for line in child.stderr:
            lines.append(line)
            if marker in line:
                time.sleep(delay)
                os.kill(child.pid, signum)
                break
        lines += child.stderr.readlines()
        code = child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert not _session_processes(child.pid), "a child process outlived the run"
    return code, "".join(lines)


def test_interrupts_leave_outputs_and_report_as_they_were(first_run, capsys):
    """Ctrl-C and SIGTERM while klayout-pex runs (in-process, inside KLayout's C++ callbacks):
    exit 130 / 143, nothing written, no process left; the next run reruns only pex."""
    folder, path, code = first_run
    build = folder / "build"
    (build / "pex" / "sgdr_array.pex.spice").unlink()  # pex is stale now: the run redoes it
    before = _snapshot(build)
    for signum in (signal.SIGINT, signal.SIGTERM):
        returned, err = _interrupt_during(path, signum)
        assert returned == 128 + signum, err
        assert f"interrupted ({signal.Signals(signum).name})" in err
        assert "crashed" not in err and "Traceback" not in err
        assert _snapshot(build) == before
        assert not list(build.glob(".tmp-*")) and not list(build.glob(".old-*"))
        assert not (build / "pex.error.log").exists()
    capsys.readouterr()
    assert main(["run", str(path)]) == code
    assert _ran(capsys.readouterr().err) == {"pex"}  # same netlists: sim and report stay fresh


def test_sigterm_during_the_simulations_stops_every_simulator(first_run, capsys):
    """SIGTERM while the executor's ngspice processes run: exit 143, no simulator left (the
    session is checked), outputs as they were; the next run reruns only the simulation (whose
    outputs come out the same bytes, so the report stays fresh)."""
    folder, path, code = first_run
    build = folder / "build"
    (build / "sim" / "traces.json").unlink()  # sim is stale now
    before = _snapshot(build)
    returned, err = _interrupt_during(path, signal.SIGTERM, marker="simulations", delay=0.5)
    assert returned == 143, err
    assert "Traceback" not in err and _snapshot(build) == before
    capsys.readouterr()
    assert main(["run", str(path)]) == code
    assert _ran(capsys.readouterr().err) == {"sim"}


def test_simulation_change_reruns_only_sim_and_report(first_run, capsys):
    """Simulation keys and the simulation temperature rerun the simulation and the report;
    cells, layout, checks and extraction do not read them."""
    _, path, _ = first_run
    path.write_text(SMALL.replace("lam: 0.2", "lam: 0.25") + "pdk:\n  temperature_c: 30\n")
    capsys.readouterr()
    main(["run", str(path)])
    assert _ran(capsys.readouterr().err) == {"sim", "report"}
