"""The synapse-array DRC benchmark builds the array with the flow, flattens it, finds the
flattened array's repetition, and keeps every verdict (clean stays clean, the added error fails)."""

from __future__ import annotations

import json

from tests.extraction.test_benchmarks import load


def test_flattened_array_is_checked_on_its_recovered_cell(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert load("drc_synapse_array").main(["--synapses", "6", "--repeat", "1", "--out",
                                           str(tmp_path), "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    layouts = {x["name"]: x for x in data["layouts"]}
    assert layouts["flattened"]["shapes"] == layouts["hierarchical"]["flat_shapes"]
    runs = {(r["layout"], r["mode"].split(",")[0]): r for r in data["runs"]}
    recovered = runs[("flattened", "deep")]
    assert recovered["mode"] == "deep, 6x recovered" and recovered["violations"] == 0
    assert runs[("flattened", "flat")]["violations"] == 0
    error = runs[("flattened + 1 error", "deep")]
    assert set(error["by_rule"]) == {"M2.1", "M2.3"}  # the square is on the grid
    assert all(r["peak_mb"] > 0 and r["cpu_seconds"] > 0 for r in data["runs"])
    assert "verdict" in capsys.readouterr().out


def test_other_versions_come_from_git(tmp_path):
    root = load("drc_synapse_array").checkout("HEAD", tmp_path)
    assert (root / "extraction" / "drc" / "engine.py").is_file()
