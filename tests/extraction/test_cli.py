"""`sgdr-flow drc` / `sgdr-flow lvs` through the main CLI: exit codes, summaries, JSON and
KLayout databases, on drawn layouts and on the project's cells (clean and corrupted)."""

from __future__ import annotations

import json

import klayout.db as kdb
import klayout.rdb as rdb
import pytest

from sgdr_flow.cli import main
from tests.extraction import cells as C
from tests.extraction.drc.patterns import draw


def run(argv: list[str]) -> int:
    try:
        return main([str(a) for a in argv])
    except SystemExit as exc:  # argparse usage errors
        return int(exc.code)


@pytest.fixture(scope="module")
def lib(tmp_path_factory) -> dict[str, C.CellFiles]:
    out = tmp_path_factory.mktemp("cells")
    return {
        "nmos": C.write_mos(out, "nmos", 2.0, 1.0, 2),
        "pmos": C.write_mos(out, "pmos", 4.0, 1.0, 2),
        "nmos3": C.write_mos(out, "nmos", 1.5, 2.0, 3),
        "nmos1": C.write_mos(out, "nmos", 2.0, 1.0, 1),
        "mim": C.write_mim(out, 500.0),
    }


# ------------------------------------------------------------------------------------- DRC
def test_drc_flags_narrow_comp_with_rule_json_and_lyrdb(tmp_path, capsys):
    gds = draw({"comp": [(0, 0, 0.215, 2.0)], "nplus": [(-1, -1, 2, 3)]}, tmp_path / "n.gds")
    out_json, out_db = tmp_path / "out" / "r.json", tmp_path / "out" / "r.lyrdb"
    assert run(["drc", gds, "--json", out_json, "--lyrdb", out_db]) == 1
    text = capsys.readouterr().out
    assert "DF.1a" in text and "FAIL" in text and " s" in text
    data = json.loads(out_json.read_text())
    assert data["cell"] == "TOP"
    assert "DF.1a" in data["rules_checked"] and "M1.1" in data["rules_checked"]
    found = [v for v in data["violations"] if v["rule"] == "DF.1a"]
    assert found and found[0]["message"]
    x1, y1, x2, y2 = found[0]["bbox"]
    assert 0 <= x1 < x2 <= 0.215 and 0 <= y1 < y2 <= 2.0
    assert data["seconds"] >= 0
    db = rdb.ReportDatabase("")
    db.load(str(out_db))
    names = {c.name() for c in db.each_category()}
    assert "DF.1a" in names
    assert db.num_items() >= 1


def test_drc_rule_selection_and_flat_mode_agree(tmp_path, capsys):
    gds = draw({"comp": [(0, 0, 0.215, 2.0)], "nplus": [(-1, -1, 2, 3)]}, tmp_path / "n.gds")
    for extra, mode in (([], "flat"), (["--flat"], "flat"), (["--deep"], "deep")):
        out = tmp_path / f"r{mode}{len(extra)}.json"
        assert run(["drc", gds, "--rules", "DF.1a", "DF.9", "--json", out, *extra]) == 1
        data = json.loads(out.read_text())
        assert data["rules_checked"] == ["DF.1a", "DF.9"]
        assert set(data["by_rule"]) == {"DF.1a"}
        assert data["mode"] == mode  # a single cell gains nothing from hierarchy: auto is flat
    assert run(["drc", gds, "--flat", "--deep"]) == 2
    assert run(["drc", gds, "--rules", "DF.9"]) == 0
    assert "PASS" in capsys.readouterr().out


def test_auto_mode_runs_arrays_hierarchically(tmp_path, capsys):
    layout = kdb.Layout()
    unit = layout.create_cell("UNIT")
    unit.shapes(layout.layer(34, 0)).insert(kdb.DBox(0, 0, 1, 1))
    unit.shapes(layout.layer(34, 0)).insert(kdb.DBox(1.1, 0, 2, 1))  # M1.2a: 0.1 < 0.23
    top = layout.create_cell("TOP")
    top.insert(kdb.DCellInstArray(unit.cell_index(), kdb.DTrans(), kdb.DVector(5, 0),
                                  kdb.DVector(0, 5), 10, 10))
    gds = tmp_path / "array.gds"
    layout.write(str(gds))
    out = tmp_path / "r.json"
    assert run(["drc", gds, "--json", out]) == 1
    data = json.loads(out.read_text())
    assert data["mode"] == "deep" and data["by_rule"] == {"M1.2a": 100}
    assert "auto: deep" in capsys.readouterr().out
    assert run(["drc", gds, "--flat", "--json", out]) == 1
    assert json.loads(out.read_text())["by_rule"] == {"M1.2a": 100}


def test_drc_variant_options_change_the_deck(tmp_path):
    gds = draw({"metal1": [(0, 0, 1, 1)]}, tmp_path / "m.gds")
    out = tmp_path / "r.json"
    assert run(["drc", gds, "--metal-levels", "3", "--top-metal", "30K", "--mim-option", "A",
                "--json", out]) == 0
    data = json.loads(out.read_text())
    assert data["variant"]["metal_levels"] == 3
    assert "MIM.1" in data["rules_checked"] and "MIMTM.1" not in data["rules_checked"]
    assert not any(r.startswith("V4.") for r in data["rules_checked"])


def test_drc_density_rules_only_on_request(tmp_path):
    gds = draw({"metal1": [(0, 0, 1, 1)]}, tmp_path / "m.gds")
    out = tmp_path / "r.json"
    assert run(["drc", gds, "--json", out]) == 0
    assert "M1.4" not in json.loads(out.read_text())["rules_checked"]
    run(["drc", gds, "--density", "--json", out])
    assert "M1.4" in json.loads(out.read_text())["rules_checked"]


@pytest.mark.parametrize("argv, message", [
    (["drc", "{missing}"], "no such GDS"),
    (["drc", "{gds}", "--cell", "NOPE"], "no cell named"),
    (["drc", "{bad}"], "cannot read"),
    (["drc", "{gds}", "--rules", "XX.9"], "no rule XX.9"),
    (["drc", "{gds}", "--metal-levels", "3", "--mim-option", "B"], "MIM option B"),
    (["drc", "{gds}", "--threads", "-1"], "threads"),
    (["drc", "{two}"], "--cell"),
])
def test_drc_bad_input_is_exit_2(argv, message, tmp_path, capsys):
    gds = draw({"metal1": [(0, 0, 1, 1)]}, tmp_path / "m.gds")
    bad = tmp_path / "bad.gds"
    bad.write_bytes(b"this is not a GDS file")
    layout = kdb.Layout()
    layout.create_cell("A")
    layout.create_cell("B")
    two = tmp_path / "two.gds"
    layout.write(str(two))
    paths = {"gds": gds, "bad": bad, "two": two, "missing": tmp_path / "none.gds"}
    assert run([a.format(**paths) for a in argv]) == 2
    assert message in capsys.readouterr().err


def test_drc_bad_option_is_exit_2(tmp_path):
    gds = draw({"metal1": [(0, 0, 1, 1)]}, tmp_path / "m.gds")
    assert run(["drc", gds, "--top-metal", "7K"]) == 2
    assert run(["drc", gds, "--metal-levels", "9"]) == 2


@pytest.mark.parametrize("key", ["nmos", "pmos", "nmos3", "mim"])
def test_project_cells_are_drc_clean_and_match(key, lib, tmp_path, capsys):
    cell = lib[key]
    assert run(["drc", cell.gds, "--json", tmp_path / "d.json"]) == 0
    assert json.loads((tmp_path / "d.json").read_text())["violations"] == []
    lvsdb = tmp_path / "l.lvsdb"
    assert run(["lvs", cell.gds, cell.netlist, "--json", tmp_path / "l.json",
                "--lvsdb", lvsdb]) == 0
    data = json.loads((tmp_path / "l.json").read_text())
    assert data["match"] and data["mismatches"] == []
    assert data["devices_layout"] == data["devices_schematic"] == 1
    assert data["cell"] == cell.cell
    assert "PASS" in capsys.readouterr().out
    lvs = kdb.LayoutVsSchematic()
    lvs.read(str(lvsdb))
    assert lvs.xref() is not None


def test_moved_via_is_caught_by_the_via_enclosure_rules(lib, tmp_path, capsys):
    bad = C.move_via(lib["nmos"], tmp_path / "via.gds")
    out = tmp_path / "d.json"
    assert run(["drc", bad.gds, "--json", out]) == 1
    flagged = set(json.loads(out.read_text())["by_rule"])
    assert {"V1.3a", "V1.4a"} <= flagged  # Metal1 / Metal2 no longer cover the cut
    assert "V1.3a" in capsys.readouterr().out


def test_shorted_nets_are_an_lvs_mismatch(lib, tmp_path, capsys):
    bad = C.short_pins(lib["nmos"], tmp_path / "short.gds", "s", "d")
    out = tmp_path / "l.json"
    assert run(["lvs", bad.gds, bad.netlist, "--json", out]) == 1
    data = json.loads(out.read_text())
    assert not data["match"]
    (short,) = [m for m in data["mismatches"] if m["problem"] == "short"]
    assert short["kind"] == "net" and sorted(short["nets"]) == ["d", "s"]
    assert "short" in short["message"] and short["location_um"]
    assert "FAIL" in capsys.readouterr().out


def test_changed_gate_length_is_a_device_mismatch(lib, tmp_path):
    bad = C.longer_gate(lib["nmos"], tmp_path / "gate.gds", 0.1)
    out = tmp_path / "l.json"
    assert run(["lvs", bad.gds, bad.netlist, "--json", out]) == 1
    found = json.loads(out.read_text())["mismatches"]
    # two fingers of different L are no longer one device: the longer finger is named with
    # its L, the other finger has no match; each with its place
    (longer,) = [m for m in found if m["problem"] == "parameter"]
    assert {"name": "L", "layout": 1.1, "schematic": 1.0, "unit": "um"} in longer["parameters"]
    assert "L 1.1 vs 1 um" in longer["message"] and longer["location_um"]
    assert [m["problem"] for m in found if m is not longer] == ["unmatched"], found


def test_gate_length_within_tolerance_matches(lib, tmp_path):
    bad = C.longer_gate(lib["nmos1"], tmp_path / "gate.gds", 0.01)
    assert run(["lvs", bad.gds, bad.netlist, "--l-tol", "0.02"]) == 0
    assert run(["lvs", bad.gds, bad.netlist, "--l-tol", "0.001"]) == 1


def test_missing_pin_label_is_a_mismatch(lib, tmp_path):
    bad = C.drop_label(lib["nmos"], tmp_path / "label.gds", "g")
    out = tmp_path / "l.json"
    assert run(["lvs", bad.gds, bad.netlist, "--json", out]) == 1
    assert any(m["kind"] == "pin" and m["schematic"] == "g"
               for m in json.loads(out.read_text())["mismatches"])


def test_wrong_device_count_is_a_mismatch(lib, tmp_path):
    netlist = tmp_path / "two.spice"
    text = lib["nmos"].netlist.read_text()
    card = next(line for line in text.splitlines() if line.startswith("MM1"))
    netlist.write_text(text.replace(card, card + "\n" + card.replace("MM1", "MM2")
                                    .replace(" d g s ", " g d s ")))
    out = tmp_path / "l.json"
    assert run(["lvs", lib["nmos"].gds, netlist, "--json", out]) == 1
    data = json.loads(out.read_text())
    assert data["devices_schematic"] == 2 and data["devices_layout"] == 1


@pytest.mark.parametrize("argv, message", [
    (["lvs", "{missing}", "{netlist}"], "no such GDS"),
    (["lvs", "{gds}", "{missing_netlist}"], "no such netlist"),
    (["lvs", "{gds}", "{netlist}", "--cell", "NOPE"], "no cell named"),
    (["lvs", "{gds}", "{other}"], "has no circuit"),
    (["lvs", "{gds}", "{netlist}", "--w-tol", "0.9"], "tolerances"),
])
def test_lvs_bad_input_is_exit_2(argv, message, lib, tmp_path, capsys):
    other = tmp_path / "other.spice"
    other.write_text(".SUBCKT something a b\n.ENDS\n.SUBCKT else a b\n.ENDS\n")
    paths = {"gds": lib["nmos"].gds, "netlist": lib["nmos"].netlist, "other": other,
             "missing": tmp_path / "none.gds", "missing_netlist": tmp_path / "none.spice"}
    assert run([a.format(**paths) for a in argv]) == 2
    assert message in capsys.readouterr().err


def test_drc_progress_line_for_long_runs(tmp_path, capsys, monkeypatch):
    import extraction.cli as cli

    monkeypatch.setattr(cli._Ticker, "__init__", _eager_ticker_init)
    gds = draw({"metal1": [(0, 0, 1, 1)]}, tmp_path / "m.gds")
    assert run(["drc", gds]) == 0
    assert "rule " in capsys.readouterr().err


def _eager_ticker_init(self, label: str, after_s: float = 2.0) -> None:
    import time

    self.label, self.after_s, self.started = label, 0.0, time.monotonic() - 10
    self.tty, self.last, self.shown = False, -100.0, False


def test_commands_are_listed_in_help(capsys):
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    assert "drc" in out and "lvs" in out
