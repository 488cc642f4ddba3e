"""The array scaling benchmark runs the flow's stages at two sizes and reports per-stage growth."""

from __future__ import annotations

import json

import pytest

from tests.extraction.test_benchmarks import load


def test_slope_is_the_log_log_growth() -> None:
    slope = load("array_scale").slope
    assert slope([1, 2, 4], [3.0, 6.0, 12.0]) == pytest.approx(1.0)
    assert slope([4, 16], [5.0, 5.0]) == pytest.approx(0.0)
    assert slope([2, 4, 8], [1.0, 4.0, 16.0]) == pytest.approx(2.0)


def test_two_sizes_are_measured_stage_by_stage(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert load("array_scale").main(["--sizes", "1", "2", "--out", str(tmp_path), "--json",
                                     str(out)]) == 0
    data = json.loads(out.read_text())
    assert set(data) == {"1", "2"}
    for n, row in data.items():
        assert set(row) == {"cells", "layout", "drc", "lvs"}
        assert row["drc"]["clean"] and row["lvs"]["match"]
        assert all(stage["seconds"] > 0 and stage["peak_mb"] > 0 for stage in row.values())
        assert row["layout"]["grid"].endswith("x1") or n == "2"
    assert data["2"]["lvs"]["devices"] > data["1"]["lvs"]["devices"]
    assert "growth exponent" in capsys.readouterr().out
