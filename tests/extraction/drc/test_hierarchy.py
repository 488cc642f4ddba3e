"""Recovering a flattened array's repeated cell: same geometry, same DRC verdict, deep mode."""

from __future__ import annotations

import random

import klayout.db as kdb
import pytest

from extraction.drc import engine
from extraction.drc.engine import run_drc
from extraction.drc.hierarchy import recover, runs
from pdk.gf180mcu.layers import LAYERS


def test_runs_split_sorted_values_into_constant_steps():
    assert runs([0, 10, 20, 30, 35, 40]) == [(0, 10, 4), (35, 5, 2)]
    assert runs([7]) == [(7, 0, 1)]
    # a value just before an array does not take the array's first element
    assert runs([-3, 0, 10, 20, 30]) == [(-3, 0, 1), (0, 10, 4)]
    assert runs([0, 10, 20, 30, 33]) == [(0, 10, 4), (33, 0, 1)]


def _unit(layout: kdb.Layout) -> kdb.Cell:
    """A few layers of boxes, a polygon, a path and a via row (microns)."""
    unit = layout.create_cell("UNIT")
    m1, m2, via = (layout.layer(*LAYERS[name]) for name in ("metal1", "metal2", "via1"))
    unit.shapes(m1).insert(kdb.DBox(0, 0, 4, 0.5))
    unit.shapes(m1).insert(kdb.DPolygon([kdb.DPoint(0, 1), kdb.DPoint(2, 1), kdb.DPoint(2, 2),
                                         kdb.DPoint(1, 2), kdb.DPoint(1, 3), kdb.DPoint(0, 3)]))
    unit.shapes(m2).insert(kdb.DPath([kdb.DPoint(0, 0.25), kdb.DPoint(4, 0.25)], 0.5))
    for i in range(6):
        unit.shapes(via).insert(kdb.DBox(0.13 + 0.6 * i, 0.12, 0.39 + 0.6 * i, 0.38))
    return unit


def flat_array(nx: int, ny: int, pitch: tuple[float, float] = (6.0, 5.0)) -> kdb.Layout:
    """nx x ny copies of a unit flattened into TOP, plus a rail over the whole column and a
    few stray boxes of the unit's layers (what a router adds around an array)."""
    layout = kdb.Layout()
    layout.dbu = 0.001
    unit = _unit(layout)
    top = layout.create_cell("TOP")
    top.insert(kdb.DCellInstArray(unit.cell_index(), kdb.DTrans(), kdb.DVector(pitch[0], 0),
                                  kdb.DVector(0, pitch[1]), nx, ny))
    m1 = layout.layer(*LAYERS["metal1"])
    top.shapes(m1).insert(kdb.DBox(-3, 0, -2, ny * pitch[1]))
    top.shapes(m1).insert(kdb.DBox(0, -2, 4, -1.5))  # just below the first row's box
    top.shapes(layout.layer(*LAYERS["metal1_label"])).insert(kdb.DText("VDD", -2.5, 1))
    top.flatten(-1, True)
    return layout


def assert_same_geometry(layout: kdb.Layout, a: kdb.Cell, b: kdb.Cell) -> None:
    for li in layout.layer_indexes():
        first, second = kdb.Region(a.begin_shapes_rec(li)), kdb.Region(b.begin_shapes_rec(li))
        assert (first ^ second).is_empty(), layout.get_info(li).to_s()
        assert first.count() == second.count(), layout.get_info(li).to_s()
        texts = (kdb.Texts(a.begin_shapes_rec(li)), kdb.Texts(b.begin_shapes_rec(li)))
        assert texts[0].count() == texts[1].count()


@pytest.mark.parametrize("nx, ny", [(1, 12), (12, 1), (5, 4)])
def test_recovered_cell_has_the_flat_geometry(nx, ny):
    layout = flat_array(nx, ny)
    top = layout.cell("TOP")
    assert not list(top.each_inst())
    found = recover(layout, top, min_gain=4)
    assert found is not None
    assert found.placements == nx * ny
    assert found.repeated == 9  # the unit's shapes, each once
    assert found.kept <= 3 + 2  # the rail, the stray box, the label (+ shapes they broke)
    assert_same_geometry(layout, top, found.cell)
    assert len(list(found.cell.each_inst())) == 1


def test_layout_without_repetition_is_left_alone():
    layout = kdb.Layout()
    top = layout.create_cell("TOP")
    m1 = layout.layer(*LAYERS["metal1"])
    rng = random.Random(1)
    for _ in range(300):
        x, y = rng.randrange(0, 10**6), rng.randrange(0, 10**6)
        top.shapes(m1).insert(kdb.Box(x, y, x + rng.randrange(200, 900),
                                      y + rng.randrange(200, 900)))
    assert recover(layout, top, min_gain=4) is None


def _write(layout: kdb.Layout, path) -> str:
    layout.write(str(path))
    return path


def test_flat_array_runs_deep_with_the_flat_verdict(tmp_path, monkeypatch):
    """A flattened array is checked hierarchically on its recovered cell, and finds what flat
    mode finds: one copy's extra shape (M1.2a against its neighbour) and nothing else."""
    monkeypatch.setattr(engine, "RECOVER_MIN_SHAPES", 100)
    layout = flat_array(6, 5)
    top = layout.cell("TOP")
    top.shapes(layout.layer(*LAYERS["metal1"])).insert(kdb.DBox(12, 10.6, 14, 10.8))
    gds = _write(layout, tmp_path / "flat.gds")
    rules = ["M1.1", "M1.2a", "M1.3", "M2.1", "M2.2a", "V1.1", "V1.2a"]
    auto = run_drc(gds, "TOP", only=rules, deep=None)
    flat = run_drc(gds, "TOP", only=rules, deep=False)
    assert auto.mode == "deep" and auto.recovered is not None
    assert auto.recovered.placements == 30
    assert flat.mode == "flat" and flat.recovered is None
    assert auto.by_rule() == flat.by_rule() and auto.by_rule()["M1.2a"] >= 1
    assert auto.as_json()["cell"] == "TOP" and auto.as_json()["recovered"]["placements"] == 30


def test_small_flat_cells_are_not_searched(tmp_path):
    gds = _write(flat_array(3, 3), tmp_path / "small.gds")
    result = run_drc(gds, "TOP", only=["M1.2a"], deep=None)
    assert result.mode == "flat" and result.recovered is None


def test_placements_of_the_flat_cell_are_kept():
    """A mostly flat top cell that also places a cell keeps that placement."""
    layout = flat_array(4, 4)
    top = layout.cell("TOP")
    extra = layout.create_cell("EXTRA")
    extra.shapes(layout.layer(*LAYERS["metal2"])).insert(kdb.DBox(0, 0, 1, 1))
    top.insert(kdb.DCellInstArray(extra.cell_index(), kdb.DTrans(kdb.DVector(-20, -20))))
    found = recover(layout, top, min_gain=4)
    assert found is not None
    assert_same_geometry(layout, top, found.cell)
    assert {layout.cell(i.cell_index).name for i in found.cell.each_inst()} == {
        "EXTRA", "TOP$repeated"}
