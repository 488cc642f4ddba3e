"""The loop-sizing benchmark runs the flow's own loop builder and testbench: the nominal loop
meets its target, a Monte Carlo sample moves it, and a row names the size it measured."""

from __future__ import annotations

from pdk.gf180mcu.models import Statistical
from sgdr_flow.config import load_flow
from sim.netlists import schematic_netlist
from sim.testbenches import Bench
from tests.extraction.test_benchmarks import BENCH, load


def test_rows_measure_the_loop_and_its_mismatch(tmp_path):
    bench = load("tl_sizing")
    tb = load_flow(BENCH.parent / "flow.yaml").config.simulation.testbenches.translinear_dc
    row = bench.size_row(8.0, 2.0, tb, 1, 300, tmp_path)
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:2] == ["8 x 2", "16"]
    room, cold, hot = (float(c.split()[0]) for c in cells[2:5])
    median, worst = map(float, cells[5:])
    assert max(room, cold) < 5.0
    assert hot > 20 and cells[4].endswith(("(ff)", "(fs)"))  # leakage at its 10 pA end
    assert median == worst
    cell = schematic_netlist(tmp_path, "translinear_loop")
    nominal = bench.worst_error(cell, tb, Bench())
    assert abs(bench.worst_error(cell, tb, Bench(sample=Statistical(300))) - nominal) > 0.1
