"""DRC engine mechanics: mode choice from the hierarchy, flat markers, bounded region cache."""

from __future__ import annotations

import klayout.db as kdb

from extraction.drc.engine import hierarchy_gain, run_drc
from extraction.drc.layers import LIVE_REGIONS, Layers
from pdk.gf180mcu.stack import MetalStack


def array_layout(nx: int, ny: int, gap: float = 0.1) -> kdb.Layout:
    layout = kdb.Layout()
    unit = layout.create_cell("UNIT")
    unit.shapes(layout.layer(34, 0)).insert(kdb.DBox(0, 0, 1, 1))
    unit.shapes(layout.layer(34, 0)).insert(kdb.DBox(1 + gap, 0, 2, 1))
    top = layout.create_cell("TOP")
    top.insert(kdb.DCellInstArray(unit.cell_index(), kdb.DTrans(), kdb.DVector(5, 0),
                                  kdb.DVector(0, 5), nx, ny))
    top.shapes(layout.layer(34, 0)).insert(kdb.DBox(-10, -10, -9, -9))
    return layout


def test_hierarchy_gain_counts_placements():
    layout = array_layout(10, 10)
    assert hierarchy_gain(layout, layout.cell("TOP")) == (2 * 100 + 1) / 3
    assert hierarchy_gain(layout, layout.cell("UNIT")) == 1.0
    empty = kdb.Layout()
    assert hierarchy_gain(empty, empty.create_cell("E")) == 1.0


def test_auto_mode_and_both_modes_flag_the_same(tmp_path):
    layout = array_layout(10, 10)
    gds = tmp_path / "a.gds"
    layout.write(str(gds))
    auto = run_drc(gds, "TOP", only=["M1.2a"], deep=None)
    flat = run_drc(gds, "TOP", only=["M1.2a"], deep=False)
    assert auto.mode == "deep" and flat.mode == "flat"
    assert auto.by_rule() == flat.by_rule() == {"M1.2a": 100}
    assert run_drc(gds, "UNIT", only=["M1.2a"], deep=None).mode == "flat"


def test_markers_are_flat_copies(tmp_path):
    layout = array_layout(3, 3)
    gds = tmp_path / "a.gds"
    layout.write(str(gds))
    result = run_drc(gds, "TOP", only=["M1.2a", "M1.1"], deep=True)
    markers = [m for r in result.results for m in r.markers]
    assert markers and not any(m.is_deep() for m in markers)
    assert result.as_json()["violation_count"] == 9


def test_deep_runs_keep_few_regions_alive():
    layout = array_layout(2, 2)
    top = layout.cell("TOP")
    layers = Layers(layout, top, MetalStack(), kdb.DeepShapeStore())
    for name in ("metal1", "metal2", "comp", "poly2", "nwell", "contact", "via1", "metal3",
                 "metal4", "metal5", "nplus", "pplus"):
        assert layers.drawn(name) is not None
    assert len(layers._regions) == LIVE_REGIONS
    assert layers.metal1.count() == 2 * 4 + 1  # evicted regions come back when asked for
    flat = Layers(layout, top, MetalStack(), None)
    for name in ("metal1", "metal2", "comp", "poly2", "nwell", "contact", "via1", "metal3",
                 "metal4", "metal5", "nplus", "pplus"):
        flat.drawn(name)
    assert len(flat._regions) == 12


def test_progress_counts_the_rules_the_result_counts(tmp_path):
    """Some rule IDs have several checks (two voltage domains, two layers): the progress line
    and the summary both count rule IDs, so '(333/333)' and '333 rules' agree."""
    layout = array_layout(1, 1)
    gds = tmp_path / "a.gds"
    layout.write(str(gds))
    calls: list[tuple[int, int]] = []
    result = run_drc(gds, "TOP", deep=False, progress=lambda rule, i, n: calls.append((i, n)))
    rules = len(result.as_json()["rules_checked"])
    assert len(result.results) > rules  # the deck has rule IDs with more than one check
    assert calls[-1] == (rules, rules)
    assert [i for i, _ in calls] == list(range(1, rules + 1))
