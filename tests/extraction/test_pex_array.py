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
RAILS = frozenset(("vdd", "vss", "VSUBS"))


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
    """Every working device the same; the dummies (every terminal on one rail) the same total
    width per rail and length: the flat extraction merges those of different cells, which
    are in parallel; the assembly keeps each cell's own."""
    def devices(build: Path) -> tuple[Counter, Counter]:
        working, dummies = Counter(), Counter()
        for d in read_pex_netlist(build / "pex" / f"{TOP}.pex.spice").devices:
            if len(set(d.nets)) > 1:
                working[(d.model, d.nets, d.params)] += 1
            else:
                params = dict(p.split("=") for p in d.params.split())
                dummies[(d.model, d.nets[0], params["l"])] += float(params["w"])
        return working, dummies

    (ours, our_dummies), (theirs, their_dummies) = devices(builds["hier"]), devices(
        builds["flat"])
    assert ours == theirs and sum(ours.values()) == 115
    assert our_dummies == pytest.approx(their_dummies, rel=1e-9)
    assert set(our_dummies) == {("nfet_03v3", "vss", "1e-06"), ("pfet_03v3", "vdd", "1e-06"),
                                ("pfet_03v3", "vdd", "8e-06")}
    array = Nets(builds["hier"] / "lvs" / f"{TOP}.lvsdb", TOP)
    dropped = list(read_pex_netlist(builds["hier"] / "pex" / f"{TOP}.pex.spice").devices)[1:]
    with pytest.raises(FlowError, match="not the array's LVS devices"):
        check_devices(dropped, array)


def test_every_net_has_the_flat_capacitance(builds):
    """Measured (N = 4): every net within 0.5 %, the weight nodes within 0.01 %; the
    tolerances here: 1 % (or 0.05 fF) for every net, 0.3 % for the weight nodes."""
    ours, theirs = _totals(builds["hier"]), _totals(builds["flat"])
    assert set(ours) == set(theirs)
    for net, total in theirs.items():
        assert ours[net] == pytest.approx(total, rel=0.01, abs=0.05), net
    weights = [f"s{i}.vc" for i in range(4)]
    for net in weights:
        assert ours[net] == pytest.approx(theirs[net], rel=0.003), net
    # every coupling of a signal net within 0.1 fF (measured: 0.050 fF, eta to vdd); between
    # the rails and the substrate (hundreds of fF across the guard and power rings, and no
    # signal) within 1 % (measured: 2.4 fF of 295 fF, vss to the substrate, 0.8 %)
    pairs, flat_pairs = _pairs(builds["hier"]), _pairs(builds["flat"])
    for key in set(pairs) | set(flat_pairs):
        ours_ff, flat_ff = pairs.get(key, 0.0), flat_pairs.get(key, 0.0)
        if key <= RAILS:
            assert ours_ff == pytest.approx(flat_ff, rel=0.01), sorted(key)
        else:
            assert abs(ours_ff - flat_ff) < 0.1, sorted(key)


def test_seams_hold_what_neighbours_do_to_a_weight_node(builds):
    """A weight node couples to the next synapse's readout line running past it (0.22 fF): no
    cell extraction has it; the seam windows measure it and the assembly adds it. The guard
    rings between neighbouring synapses shield their weight capacitors from each other."""
    flat = _pairs(builds["flat"])
    ours = _pairs(builds["hier"])
    for i in range(3):
        readout = frozenset((f"s{i}.vc", f"wmon{i + 1}"))
        assert flat[readout] > 0.1
        assert ours[readout] == pytest.approx(flat[readout], rel=0.02)
        weights = frozenset((f"s{i}.vc", f"s{i + 1}.vc"))
        assert flat.get(weights, 0.0) < 0.01 and ours.get(weights, 0.0) < 0.01
    report = json.loads((builds["hier"] / "pex" / "summary.json").read_text())["cells"][TOP]
    seams = {s["between"]: s for s in report["hierarchy"]["seams"] if s["kind"] == "cells"}
    assert seams["synapse|synapse"]["occurrences"] == 3
    assert report["hierarchy"]["missed_by_net_class_ff"]["pin~sensitive"] > 0.5
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
