"""The flow's own 4-synapse array (flow.yaml) extracted hierarchically against the same array
extracted flat, with the real tools: the same devices, every net's capacitance, the seams
between the synapses, and a learning run on either netlist."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from extraction.pex_hier import check_devices
from extraction.pex_netlist import read_pex_netlist
from extraction.pex_nets import Nets
from sgdr_flow.cli import main
from sgdr_flow.errors import FlowError
from sgdr_flow.runner import read_manifest
from tests.conftest import REPO

# one short learning run on the extracted netlist: what the two netlists are compared on
LEARNING = {"scoring_seeds": [11], "samples": 60, "eta_scale": [], "lambda_scale": [],
            "bias_scale": []}
TOP = "sgdr_array"


def _flow(folder: Path, hierarchical: bool) -> Path:
    flow = yaml.safe_load((REPO / "flow.yaml").read_text())
    flow["extraction"]["hierarchical"] = hierarchical
    sim = flow["simulation"]
    sim["netlists"] = ["extracted"]
    sim["testbenches"] = {"translinear_dc": {"enabled": False},
                          "memory_hold": {"enabled": False},
                          "learning": {**sim["testbenches"]["learning"], **LEARNING}}
    sim["variation"] = {"enabled": False}
    sim["trim"] = {"enabled": False}
    flow["report"]["plots"] = False
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "flow.yaml"
    path.write_text(yaml.safe_dump(flow, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Path]:
    """Both extractions of one layout: the flat build reuses the hierarchical build's cells,
    layout and LVS (fresh there: their flow.yaml keys are the same)."""
    root = tmp_path_factory.mktemp("array")
    hier, flat = _flow(root / "hier", True), _flow(root / "flat", False)
    assert main(["run", str(hier), "--only", "cells", "layout", "lvs", "pex", "sim"]) in (0, 1)
    for stage in ("cells", "layout", "lvs"):
        shutil.copytree(root / "hier" / "build" / stage, root / "flat" / "build" / stage)
    assert main(["run", str(flat), "--only", "pex", "sim"]) in (0, 1)
    return {"hier": root / "hier" / "build", "flat": root / "flat" / "build"}


def _pex(build: Path) -> dict[str, Any]:
    return json.loads((build / "pex" / f"{TOP}.pex.json").read_text())


def _totals(build: Path) -> dict[str, float]:
    total: Counter[str] = Counter()
    for a, b, cap in _pex(build)["couplings_ff"]:
        total[a] += cap
        total[b] += cap
    return dict(total)


def _pairs(build: Path) -> dict[frozenset[str], float]:
    pairs: Counter[frozenset[str]] = Counter()
    for a, b, cap in _pex(build)["couplings_ff"]:
        pairs[frozenset((a, b))] += cap
    return dict(pairs)


def test_stage_says_how_the_array_was_extracted(builds):
    hier = json.loads((builds["hier"] / "pex" / "summary.json").read_text())
    flat = json.loads((builds["flat"] / "pex" / "summary.json").read_text())
    assert hier["array"] == {"cell": TOP, "extraction": "hierarchical"}
    assert flat["array"]["extraction"] == "flat"
    assert flat["array"]["why_flat"] == "extraction.hierarchical is false"
    report = hier["cells"][TOP]["hierarchy"]
    assert report["units"] == {"bias": {"extraction": "bias", "placements": 1},
                               "synapse": {"extraction": "synapse", "placements": 4}}
    # the synapse and bias extractions are the cells stage's: no second run of either
    timings = read_manifest(builds["hier"], "pex")["timings"]
    assert {"synapse", "bias", f"{TOP}__wiring", "assembly"} <= set(timings)
    assert not {f"{TOP}__synapse", f"{TOP}__bias", TOP} & set(timings)


def test_same_devices_as_the_flat_extraction(builds):
    def devices(build: Path) -> Counter:
        netlist = read_pex_netlist(build / "pex" / f"{TOP}.pex.spice")
        return Counter((d.model, d.nets, d.params) for d in netlist.devices)

    ours, theirs = devices(builds["hier"]), devices(builds["flat"])
    assert sum(ours.values()) == 115
    assert ours == theirs
    array = Nets(builds["hier"] / "lvs" / f"{TOP}.lvsdb", TOP)
    dropped = list(read_pex_netlist(builds["hier"] / "pex" / f"{TOP}.pex.spice").devices)[1:]
    with pytest.raises(FlowError, match="not the array's LVS devices"):
        check_devices(dropped, array)


def test_every_net_has_the_flat_capacitance(builds):
    """Measured (N = 4): every net within 0.4 %, the weight nodes within 0.12 %; the
    tolerances here: 1 % (or 0.05 fF) for every net, 0.3 % for the weight nodes."""
    ours, theirs = _totals(builds["hier"]), _totals(builds["flat"])
    assert set(ours) == set(theirs)
    for net, total in theirs.items():
        assert ours[net] == pytest.approx(total, rel=0.01, abs=0.05), net
    weights = [f"s{i}.vc" for i in range(4)]
    for net in weights:
        assert ours[net] == pytest.approx(theirs[net], rel=0.003), net
    # every coupling of every pair of nets within 0.1 fF (measured: 0.072 fF, vdd to vss)
    pairs, flat_pairs = _pairs(builds["hier"]), _pairs(builds["flat"])
    worst = max(abs(pairs.get(k, 0.0) - flat_pairs.get(k, 0.0)) for k in set(pairs) | set(
        flat_pairs))
    assert worst < 0.1


def test_seams_hold_the_coupling_between_neighbouring_weights(builds):
    """Neighbouring synapses' weight capacitors couple across the 2 um gap (4.3 fF): no cell
    extraction has it; the seam window measures it and the assembly adds it."""
    flat = _pairs(builds["flat"])
    ours = _pairs(builds["hier"])
    for i in range(3):
        key = frozenset((f"s{i}.vc", f"s{i + 1}.vc"))
        assert flat[key] > 1.0
        assert ours[key] == pytest.approx(flat[key], rel=0.01)
    report = json.loads((builds["hier"] / "pex" / "summary.json").read_text())["cells"][TOP]
    seams = {s["between"]: s for s in report["hierarchy"]["seams"] if s["kind"] == "cells"}
    assert seams["synapse|synapse"]["occurrences"] == 3
    largest = {frozenset((a, b)): value for a, b, value in seams["synapse|synapse"][
        "largest_ff"]}
    assert largest[frozenset(("s0.vc", "s1.vc"))] > 1.0
    assert report["hierarchy"]["missed_by_net_class_ff"]["sensitive~sensitive"] > 1.0
    assert 0 < report["hierarchy"]["largest_left_out_ff"] < 0.01  # min_coupling_ff


def test_learning_run_agrees_with_the_flat_netlist(builds):
    def run(build: Path) -> dict[str, Any]:
        runs = json.loads((build / "sim" / "summary.json").read_text())["runs"]
        (only,) = runs.values()
        return only

    ours, theirs = run(builds["hier"]), run(builds["flat"])
    assert ours["final_weights"] == pytest.approx(theirs["final_weights"], abs=1e-4)
    for metric in ("mse_percent", "precision_bits", "power_w"):
        assert ours["metrics"][metric] == pytest.approx(theirs["metrics"][metric], rel=0.01)
