"""The array assembly: DRC clean, LVS against its composed schematic, pins labelled."""

from __future__ import annotations

from pathlib import Path

import pytest

from cells.build import build_cell
from cells.tech import tech
from extraction.drc.engine import run_drc
from extraction.lvs.engine import run_lvs
from layout.array import SHARED, array_netlist, array_pins, assemble, read_pins
from pdk.gf180mcu.stack import MetalStack


@pytest.fixture(scope="module")
def blocks(tmp_path_factory) -> tuple[Path, object, object]:
    out = tmp_path_factory.mktemp("cells")
    synapse = build_cell("syn", "sgdr_synapse", {"capacitance_ff": 300}, MetalStack(), out)
    bias = build_cell("bias", "bias_network", {}, MetalStack(), out)
    return out, synapse, bias


@pytest.mark.parametrize("n", [1, 3])
def test_array_is_clean_and_matches(blocks, tmp_path, n):
    _, synapse, bias = blocks
    t = tech()
    array = assemble("arr", synapse.gds, bias.gds, n, t.wire, t.pitch, 2.0)
    gds = tmp_path / "arr.gds"
    array.layout.write(str(gds))
    netlist = tmp_path / "arr.spice"
    netlist.write_text(array_netlist("arr", n, "syn", synapse.circuit.pins, "bias",
                                     bias.circuit.pins, [synapse.lvs.read_text(),
                                                         bias.lvs.read_text()]))
    assert run_drc(gds).clean
    lvs = run_lvs(gds, netlist)
    assert lvs.match, lvs.mismatches
    assert lvs.devices_layout == n * len(synapse.circuit.flat()) + len(bias.circuit.flat())
    assert sorted(array.pins) == sorted(array_pins(n))


def test_labels_name_every_pin_once(blocks, tmp_path):
    _, synapse, bias = blocks
    t = tech()
    array = assemble("arr", synapse.gds, bias.gds, 2, t.wire, t.pitch, 2.0)
    per_synapse = read_pins(array.top, array.layout)
    assert {"x0", "x1", "wmon0", "wmon1"} <= set(per_synapse)
    metal4_labels = array.layout.find_layer(46, 10)
    shared = {s.text_string for s in array.top.shapes(metal4_labels).each() if s.is_text()}
    assert shared == set(SHARED)
    # instances carry no labels of their own: only the array's labels name nets
    syn_cell = array.layout.cell("syn")
    assert not any(s.is_text() for s in syn_cell.shapes(array.layout.find_layer(42, 10)).each())


def test_area_grows_with_synapses(blocks):
    _, synapse, bias = blocks
    t = tech()
    arrays = [assemble("arr", synapse.gds, bias.gds, n, t.wire, t.pitch, 2.0) for n in (1, 2, 4)]
    heights = [a.top.dbbox().height() for a in arrays]
    assert heights[0] < heights[1] < heights[2]
