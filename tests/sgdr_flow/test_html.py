"""report.html reads at a glance: the verdict and every target with value, limit and margin in
engineering units first, the pictures next, the raw data folded away at the end."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sgdr_flow.html import eng, render_html

REPORT = {
    "title": "test report", "pass": False, "scored_on": "scoring seeds",
    "pdk": {"name": "gf180mcu", "variant": {"metal_levels": 5, "mim_option": "B"},
            "corner": "typical", "temperature_c": 27},
    "targets": {
        "power_w": {"value": 1.41e-8, "limit": {"min": None, "max": 1e-6}, "pass": True,
                    "status": "pass", "worst_value": 1.84e-8,
                    "worst_run": "extracted/eta=eta x3/seed12"},
        "precision_bits": {"value": 5.66, "limit": {"min": 8.0, "max": None}, "pass": False,
                           "status": "FAIL", "worst_value": 3.18,
                           "worst_run": "extracted/lambda=lambda x3/seed13"},
        "area_um2": {"value": 25929.16, "limit": {"min": None, "max": 1e6}, "pass": True,
                     "status": "pass"},
        "tl_max_error_percent": {"value": None, "limit": {"min": None, "max": 5.0},
                                 "pass": None, "status": "not measured"},
    },
    "stages": {"sim": {"status": "ok", "skipped": True, "duration_s": 0.0,
                       "last_duration_s": 484.1}},
    "metrics": {"extracted": {"power_w": 1.41e-8}, "definitions": {}},
    "sim": {"runs": {"a": {"x": 1}}},
}


def render(tmp_path: Path) -> str:
    plots = tmp_path / "sim" / "plots"
    plots.mkdir(parents=True)
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    fig.savefig(plots / "weights_vs_time.png")
    plt.close(fig)
    return render_html(REPORT, tmp_path)


def test_summary_first_then_pictures_then_tables_with_raw_data_folded(tmp_path: Path) -> None:
    html = render(tmp_path)
    assert html.index("Targets") < html.index("<img") < html.index("<h2>Metrics")
    assert html.index("<img") < html.index("<pre")
    # every block of raw data is folded inside <details>
    for match in re.finditer("<pre>", html):
        before = html[:match.start()]
        assert before.rfind("<details>") > before.rfind("</details>")


def test_targets_in_engineering_units_with_limit_margin_and_worst_run(tmp_path: Path) -> None:
    html = render(tmp_path)
    row = re.search(r"<tr><td>Power, array \+ bias</td>(.*?)</tr>", html, re.S).group(1)
    assert "14.1 nW" in row and "≤ 1 µW" in row and "+982 nW" in row  # margin to the worst
    bits = re.search(r"<tr><td>Precision</td>(.*?)</tr>", html, re.S).group(1)
    assert "5.66 bits" in bits and "≥ 8.00 bits" in bits and "\u22124.82 bits" in bits
    assert "lambda x3" in bits and "FAIL" in bits
    assert "25,929 µm²" in html
    shown = re.sub(r"<details>.*?</details>", "", html, flags=re.S)  # the raw data is folded
    assert "1.41e-08" not in shown and "e-0" not in shown


def test_a_target_nothing_measured_says_so(tmp_path: Path) -> None:
    html = render(tmp_path)
    row = re.search(r"<tr><td>Translinear loop error</td>(.*?)</tr>", html, re.S).group(1)
    assert "not measured" in row and "FAIL" not in row


def test_a_cached_stage_shows_what_it_cost_when_it_ran(tmp_path: Path) -> None:
    html = render(tmp_path)
    row = re.search(r"<tr><td>sim</td>(.*?)</tr>", html, re.S).group(1)
    assert "cached" in row and "484 s" in row


def test_engineering_formatting() -> None:
    assert eng(2.8e-12, "J", "si") == "2.8 pJ"
    assert eng(0.003, "s", "si") == "3 ms"
    assert eng(25929.16, "µm²", "grouped") == "25,929 µm²"
    assert eng(0.8716, "%", "percent") == "87.2 %"
    assert eng(None) == "\u2013"
