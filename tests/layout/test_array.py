"""The array: DRC clean and LVS against its composed schematic on several grids; pins labelled on
the top metal and written as ports into the GDS; guard rings, power rings and the boundary
around the core; a wrong label fails LVS."""

from __future__ import annotations

from pathlib import Path

import gdsfactory as gf
import klayout.db as kdb
import pytest

from cells.build import build_cell
from extraction.drc.engine import run_drc
from extraction.lvs.engine import run_lvs
from layout.array import PER_SYNAPSE, SHARED, Array, array_netlist, array_pins, assemble
from layout.floorplan import SIGNALS
from pdk.gf180mcu.layers import LAYERS
from pdk.gf180mcu.stack import MetalStack

TOP_LABELS = LAYERS["metal5_label"]


@pytest.fixture(scope="module")
def blocks(tmp_path_factory) -> tuple[object, object]:
    out = tmp_path_factory.mktemp("cells")
    synapse = build_cell("syn", "sgdr_synapse", {"capacitance_ff": 300}, MetalStack(), out)
    bias = build_cell("bias", "bias_network", {}, MetalStack(), out)
    return synapse, bias


def build(blocks, tmp_path: Path, n: int, **grid) -> tuple[Array, Path, Path]:
    synapse, bias = blocks
    array = assemble("arr", synapse.gds, bias.gds, n, **grid)
    gds = tmp_path / "arr.gds"
    array.write(gds)
    netlist = tmp_path / "arr.spice"
    netlist.write_text(array_netlist("arr", n, "syn", synapse.circuit.pins, "bias",
                                     bias.circuit.pins, [synapse.lvs.read_text(),
                                                         bias.lvs.read_text()]))
    return array, gds, netlist


def _texts(gds: Path, layer: tuple[int, int]) -> dict[str, list[kdb.DPoint]]:
    layout = kdb.Layout()
    layout.read(str(gds))
    index = layout.find_layer(*layer)
    found: dict[str, list[kdb.DPoint]] = {}
    it = layout.top_cell().begin_shapes_rec(index)
    while not it.at_end():
        if it.shape().is_text():
            text = it.shape().text.transformed(it.trans())
            found.setdefault(text.string, []).append(kdb.DPoint(text.x * layout.dbu,
                                                               text.y * layout.dbu))
        it.next()
    return found


@pytest.mark.parametrize(("n", "grid"), [(1, {}), (3, {"columns": 2}), (4, {"rows": 2}),
                                         (5, {"rows": 2, "columns": 3})])
def test_array_is_clean_and_matches(blocks, tmp_path, n, grid):
    _synapse, _bias = blocks
    array, gds, netlist = build(blocks, tmp_path, n, **grid)
    drc = run_drc(gds)
    assert drc.clean, drc.by_rule()
    lvs = run_lvs(gds, netlist)
    assert lvs.match, lvs.mismatches
    assert sorted(array.pins) == sorted(array_pins(n))
    if grid:
        rows, columns = array.grid.rows, array.grid.columns
        assert rows * columns >= n and (grid.get("rows", rows), grid.get("columns", columns)) \
            == (rows, columns)


def test_pins_are_labelled_top_metal_pads_and_ports_in_the_gds(blocks, tmp_path):
    n = 3
    array, gds, _ = build(blocks, tmp_path, n, columns=2)
    labels = _texts(gds, TOP_LABELS)
    assert sorted(labels) == sorted(array_pins(n))
    assert all(len(points) == 1 for points in labels.values())
    # instances carry no labels of their own: only the array's labels name nets
    assert not any(_texts(gds, LAYERS[name]) for name in ("metal3_label", "metal4_label"))
    # the ports are in the GDS (kfactory meta data): read back, on the pads, electrical
    gf.clear_cache()
    ports = {p.name: p for p in gf.import_gds(gds).ports}
    assert sorted(ports) == sorted(array_pins(n))
    layout = kdb.Layout()
    layout.read(str(gds))
    top_metal = kdb.Region(layout.top_cell().begin_shapes_rec(
        layout.find_layer(*LAYERS["metal5"]))).merged()
    for name, port in ports.items():
        assert port.port_type == "electrical"
        assert (port.layer_info.layer, port.layer_info.datatype) == LAYERS["metal5"]
        x, y = port.center
        probe = kdb.Region(kdb.DBox(x - 0.01, y - 0.01, x + 0.01, y + 0.01).to_itype(0.001))
        assert not (top_metal & probe).is_empty(), f"port {name} is not on the top metal"
    # where the pins are: inputs left, readouts right, shared signals along the bottom
    core = array.top.dbbox()
    for i in range(n):
        assert labels[f"x{i}"][0].x < core.left + 10 < core.right - 10 < labels[f"wmon{i}"][0].x
    for net in SIGNALS:
        assert labels[net][0].y < core.bottom + 10


def test_boundary_and_rings_enclose_the_core(blocks, tmp_path):
    array, gds, _ = build(blocks, tmp_path, 2)
    layout = kdb.Layout()
    layout.read(str(gds))
    top = layout.top_cell()

    def layer(name: str) -> kdb.Region:
        return kdb.Region(top.begin_shapes_rec(layout.find_layer(*LAYERS[name]))).merged()

    boundary = layer("pr_bndry")
    assert boundary.count() == 1
    everything = kdb.Region(top.bbox())
    assert (everything - boundary).is_empty()
    # the substrate ring: P+ taps with a hole holding every cell's transistors; the well ring:
    # N+ taps in an n-well around it, both closed, both under their power ring
    comp = layer("comp")
    devices = (comp & layer("nplus")).outside(layer("nwell")) - layer("pplus")
    taps = (comp & layer("pplus")).merged()
    outer = max((p for p in taps.each() if p.holes()), key=lambda p: p.area())
    inside = kdb.Region()
    inside.insert(outer)
    assert (devices - inside.holes()).is_empty()
    wells = (comp & layer("nplus") & layer("nwell")).merged()
    ring = max(wells.each(), key=lambda p: p.bbox().area())
    assert ring.holes() == 1 and ring.bbox().contains(outer.bbox().p1)
    assert set(array.rings) == {"vss", "vdd"} and all(
        "guard_ring" in r for r in array.rings.values())
    # no ring's metal encloses the cells in one outline (the power rings change metal between
    # sides, the guard rings' Metal1 is split at the corners): hierarchical DRC then checks the
    # synapse once, not once per placement
    centre = kdb.Box(top.bbox().center(), top.bbox().center())
    for name in ("metal1", "metal4", "metal5"):
        own = kdb.Region(top.shapes(layout.find_layer(*LAYERS[name]))).merged()
        assert not any(p.bbox().contains(centre.p1) for p in own.each()), name


def test_without_guard_rings_there_is_no_core_ring_but_it_still_matches(blocks, tmp_path):
    array, gds, netlist = build(blocks, tmp_path, 2, guard_rings=False)
    assert all("guard_ring" not in r for r in array.rings.values())
    assert run_lvs(gds, netlist).match
    assert run_drc(gds).clean


def test_a_swapped_input_label_fails_lvs(blocks, tmp_path):
    """The check can fail: x0 and x1 labels exchanged on their pads (synapse 0 then has input
    x1 and readout wmon0, no longer a permutation of the schematic's synapses)."""
    _, gds, netlist = build(blocks, tmp_path, 2)
    layout = kdb.Layout()
    layout.read(str(gds))
    shapes = layout.top_cell().shapes(layout.find_layer(*TOP_LABELS))
    for shape in list(shapes.each()):
        if shape.is_text() and shape.text_string in ("x0", "x1"):
            shape.text_string = {"x0": "x1", "x1": "x0"}[shape.text_string]
    swapped = tmp_path / "swapped.gds"
    layout.write(str(swapped))
    result = run_lvs(swapped, netlist)
    assert not result.match
    # the two synapses are alike: the findings name a swapped pair, the inputs or (seen from
    # the inputs' labels) the readouts
    wrong = {m.schematic for m in result.mismatches if m.problem == "wrong net"}
    assert wrong in ({"x0", "x1"}, {"wmon0", "wmon1"}), [m.message for m in result.mismatches]


def test_netlist_keeps_instance_and_pin_names(blocks):
    synapse, bias = blocks
    text = array_netlist("arr", 3, "syn", synapse.circuit.pins, "bias", bias.circuit.pins, [])
    assert ".SUBCKT arr " + " ".join(array_pins(3)) in text
    assert all(f"\nXS{i} x{i} " in text for i in range(3)) and "\nXB " in text
    assert set(array_pins(1)) == {"x0", "wmon0", "ymon", *SHARED}
    assert PER_SYNAPSE == ("x", "wmon")


def test_area_grows_with_synapses(blocks):
    synapse, bias = blocks
    areas = [assemble("arr", synapse.gds, bias.gds, n, columns=1).top.dbbox().area()
             for n in (1, 2, 4)]
    assert areas[0] < areas[1] < areas[2]


def test_power_grid_is_sized_and_drawn(blocks):
    synapse, bias = blocks
    light = assemble("arr", synapse.gds, bias.gds, 2, supply={"vss": (1e-9, 1e-9),
                                                             "vdd": (1e-9, 1e-9)})
    heavy = assemble("arr", synapse.gds, bias.gds, 2, supply={"vss": (2e-3, 0.0),
                                                             "vdd": (2e-3, 0.0)})
    for plan in light.power:
        assert plan.strap.vias_drawn >= plan.strap.vias_needed == 1
    for thin, thick in zip(light.power, heavy.power, strict=True):
        assert thick.strap.width_um > thin.strap.width_um
        assert thick.ring.width_um > thin.ring.width_um
        assert thick.strap.vias_drawn >= thick.strap.vias_needed > 1
        assert thick.strap.density_ma_per_um <= thick.strap.limit_ma_per_um
        assert thick.ring.vias_drawn >= thick.ring.vias_needed > 1   # at the ring's corners
        assert thick.ring.density_ma_per_um <= thick.ring.limit_ma_per_um
