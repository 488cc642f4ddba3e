"""A user's own cell, from a module beside flow.yaml, through layout, DRC, LVS and ngspice: the
README's "Your own cells" example, run as written."""

from __future__ import annotations

import json
import os
import re
import runpy

import pytest

from cells.registry import CELLS, load_cells, params_model
from sgdr_flow.cli import main
from tests.conftest import REPO


def _readme_blocks() -> list[tuple[str, str]]:
    text = (REPO / "README.md").read_text()
    section = text.split("### Your own cells", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.DOTALL)


@pytest.fixture
def user_cells():
    """Registered cells as they were before the test (user modules register globally)."""
    before = set(load_cells())
    yield
    for name in set(CELLS) - before:
        del CELLS[name]
    params_model.cache_clear()


def test_readme_example_lays_out_checks_and_simulates_a_user_cell(tmp_path, user_cells,
                                                                    capsys):
    (_, module), (_, flow), (_, simulation) = _readme_blocks()
    (tmp_path / "my_cells.py").write_text(module)
    path = tmp_path / "flow.yaml"
    path.write_text(flow + "report:\n  plots: false\n")
    assert main(["run", str(path), "--only", "cells", "layout", "drc", "lvs"]) == 0
    build = tmp_path / "build"
    drc = json.loads((build / "drc" / "summary.json").read_text())["cells"]["follower"]
    lvs = json.loads((build / "lvs" / "summary.json").read_text())["cells"]["follower"]
    # M1, M2 and the row's two dummies (all terminals on vss: parallel, so LVS counts them once)
    assert drc["clean"] and lvs["match"] and lvs["devices_layout"] == 3

    (tmp_path / "my_cells.py").write_text(module.replace("w, l))\n    return", "w, l))\n"
                                                         "    c.sensitive.append('out')\n"
                                                         "    return"))
    capsys.readouterr()
    assert main(["stages", str(path)]) == 0
    assert re.search(r"^cells\s+stale", capsys.readouterr().out, re.MULTILINE)

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        runpy.run_path(str(_write(tmp_path / "simulate.py", simulation)))
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out
    values = [float(v) for v in printed.strip().strip("[]").split()]
    assert len(values) == 5  # 1.0 .. 3.0 V in 0.5 V steps
    drops = [vin - vout for vin, vout in zip((1.0, 1.5, 2.0, 2.5, 3.0), values, strict=True)]
    assert all(0.5 < drop < 1.3 for drop in drops), printed


def _write(path, text):
    path.write_text(text)
    return path


def test_cell_module_problems_name_the_key(tmp_path, user_cells, capsys):
    (tmp_path / "broken.py").write_text("def oops(:\n")
    (tmp_path / "clash.py").write_text(
        "from cells.circuit import Circuit\nfrom cells.registry import analog_cell\n\n\n"
        "@analog_cell()\ndef current_mirror() -> Circuit:\n    \"\"\"Mine.\"\"\"\n")
    path = tmp_path / "flow.yaml"
    path.write_text("design:\n  cell_modules:\n    - broken\n    - clash\n    - not_there\n")
    assert main(["stages", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:3: design.cell_modules[0]: cannot import broken: SyntaxError" in err
    assert f"{path}:4: design.cell_modules[1]: cannot import clash: ValueError: cell " \
           "'current_mirror' of clash is already defined by cells.mirror" in err
    assert f"{path}:5: design.cell_modules[2]: cannot import not_there" in err


def test_entry_point_cells_join_every_flow(tmp_path, monkeypatch, user_cells):
    from cells import registry

    (tmp_path / "pkg_cells.py").write_text(
        "from cells.circuit import Circuit, Mos\nfrom cells.registry import analog_cell\n\n\n"
        "@analog_cell()\ndef packaged_diode(w: float = 2.0) -> Circuit:\n"
        "    \"\"\"A diode-connected NMOS.\"\"\"\n"
        "    c = Circuit('packaged_diode', ['d', 'vss'])\n"
        "    c.add(Mos('M1', 'nmos', 'd', 'd', 'vss', 'vss', w, 1.0))\n    return c\n")
    info = tmp_path / "pkg_cells-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pkg-cells\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[sgdr_flow.cells]\ndiodes = pkg_cells\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry._load_entry_points.cache_clear()
    try:
        assert "packaged_diode" in registry.load_cells()
    finally:
        registry._load_entry_points.cache_clear()
