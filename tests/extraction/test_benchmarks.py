"""The benchmark scripts run (small sizes, no foundry deck) and report what they measured."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_drc_lvs_benchmark_small_array(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert load("drc_lvs").main(["--nx", "2", "--ny", "3", "--repeat", "1", "--out",
                                 str(tmp_path), "--json", str(out)]) == 0
    rows = json.loads(out.read_text())
    checks = {(r["layout"], r["check"]) for r in rows}
    assert ("array 2x3", "LVS") in checks and ("unit", "DRC deep") in checks
    assert all(r["result"] in ("0 viol.", "match") for r in rows)
    array = next(r for r in rows if r["layout"] == "array 2x3")
    assert array["devices"] == 18 and array["flat_shapes"] > array["shapes"]
    assert "slowest rules" in capsys.readouterr().out


def test_pattern_cross_check_without_foundry_deck(tmp_path):
    out = tmp_path / "x.json"
    assert load("pattern_xcheck").main(["--out", str(tmp_path), "--json", str(out)]) == 0
    assert json.loads(out.read_text())["own_miss"] == []
