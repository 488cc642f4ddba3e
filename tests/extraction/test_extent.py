"""The coordinate limit for GDS input: checked through the hierarchy in floating point."""

from __future__ import annotations

import subprocess
import sys

import klayout.db as kdb
import pytest

from extraction.extent import LIMIT_DBU, check_extent
from sgdr_flow.errors import FlowError
from tests.conftest import REPO

INT_MAX = 2**31 - 1


def _layout() -> tuple[kdb.Layout, kdb.Cell, int]:
    layout = kdb.Layout()
    layout.dbu = 0.001
    return layout, layout.create_cell("top"), layout.layer(34, 0)


def test_layout_up_to_the_limit_passes(tmp_path):
    layout, top, metal1 = _layout()
    top.shapes(metal1).insert(kdb.Box(-LIMIT_DBU, -LIMIT_DBU, -LIMIT_DBU + 500, 500))
    top.shapes(metal1).insert(kdb.Box(LIMIT_DBU - 500, LIMIT_DBU - 500, LIMIT_DBU, LIMIT_DBU))
    check_extent(layout, tmp_path / "x.gds")


@pytest.mark.parametrize("case", ["shape", "array", "cell's own coordinates"])
def test_beyond_the_limit_is_bad_input(case, tmp_path):
    layout, top, metal1 = _layout()
    unit = layout.create_cell("unit")
    if case == "shape":
        top.shapes(metal1).insert(kdb.Box(INT_MAX - 1000, 0, INT_MAX, 1000))
    elif case == "array":  # each placement is in range, the last one is not
        unit.shapes(metal1).insert(kdb.Box(0, 0, 1000, 1000))
        top.insert(kdb.CellInstArray(unit.cell_index(), kdb.Trans(), kdb.Vector(600_000_000, 0),
                                     kdb.Vector(0, 1000), 3, 1))
    else:  # placed in range, but the subcell's own coordinates are not
        unit.shapes(metal1).insert(kdb.Box(2 * LIMIT_DBU, 0, 2 * LIMIT_DBU + 1000, 1000))
        top.insert(kdb.CellInstArray(unit.cell_index(), kdb.Trans(kdb.Vector(-2 * LIMIT_DBU, 0))))
    with pytest.raises(FlowError, match=r"x\.gds: cell \w+ reaches .* limit for GDS input"):
        check_extent(layout, tmp_path / "x.gds")


@pytest.mark.parametrize("command", ["drc", "lvs"])
def test_shape_at_the_largest_coordinate_stops_at_once(command, tmp_path):
    """It used to make the DRC run forever: a child with a deadline instead of a hang."""
    layout, top, metal1 = _layout()
    top.shapes(metal1).insert(kdb.Box(0, 0, 1000, 1000))
    top.shapes(metal1).insert(kdb.Box(INT_MAX - 1000, INT_MAX - 1000, INT_MAX, INT_MAX))
    gds = tmp_path / "far.gds"
    layout.write(str(gds))
    netlist = tmp_path / "top.spice"
    netlist.write_text(".SUBCKT top\n.ENDS top\n")
    argv = [command, str(gds)] + ([str(netlist)] if command == "lvs" else [])
    done = subprocess.run([sys.executable, "-m", "sgdr_flow.cli", *argv], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "limit for GDS input" in done.stderr
