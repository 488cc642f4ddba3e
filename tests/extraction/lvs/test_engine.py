"""The LVS engine on small drawn layouts: the substrate named by the pins or by --substrate,
floating nets and stray labels reported (not purged), a GDS without GF180MCU data refused,
JUnit for CI, and the .lvsdb klayout-pex reads (its MIM as a device with --blackbox)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import klayout.db as kdb
import pytest

from extraction.lvs.engine import run_lvs
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.cli import main
from tests.extraction import cells as C
from tests.extraction.drc.patterns import draw

NMOS = ".SUBCKT TOP d g s sub\nM1 d g s sub nfet_03v3 W=2u L=1u\n.ENDS\n"


def nmos(path: Path, tap_label: str | None = "sub", extra: dict | None = None) -> Path:
    """COMP crossed by Poly2 (W 2, L 1), contacted and labelled S/D/G on Metal1, and a
    substrate tap (labelled `tap_label`) on its own Metal1."""
    shapes = {
        "comp": [(0, 0, 3, 2), (6, 0, 7, 2)], "nplus": [(-0.5, -0.5, 3.5, 2.5)],
        "pplus": [(5.5, -0.5, 7.5, 2.5)], "poly2": [(1, -0.5, 2, 3)],
        "contact": [(0.4, 0.9, 0.62, 1.12), (2.4, 0.9, 2.62, 1.12), (1.3, 2.6, 1.52, 2.82),
                    (6.4, 0.9, 6.62, 1.12)],
        "metal1": [(0.3, 0.8, 0.72, 1.22), (2.3, 0.8, 2.72, 1.22), (1.2, 2.5, 1.62, 2.92),
                   (6.3, 0.8, 6.72, 1.22)],
        **(extra or {})}
    draw(shapes, path)
    layout = kdb.Layout()
    layout.read(str(path))
    top = layout.top_cell()
    labels = [("s", 0.5, 1.0), ("d", 2.5, 1.0), ("g", 1.4, 2.7)]
    labels += [(tap_label, 6.5, 1.0)] if tap_label else []
    for name, x, y in labels:
        top.shapes(layout.layer(34, 10)).insert(kdb.DText(name, kdb.DTrans(x, y)))
    layout.write(str(path))
    return path


def reference(tmp_path: Path, text: str = NMOS) -> Path:
    path = tmp_path / "ref.cdl"
    path.write_text(text)
    return path


def test_the_substrate_is_the_pin_the_nmos_bulk_is_on(tmp_path):
    result = run_lvs(nmos(tmp_path / "a.gds"), reference(tmp_path))
    assert result.match and result.substrate == "sub"
    untapped = run_lvs(nmos(tmp_path / "b.gds", tap_label=None), reference(tmp_path))
    assert untapped.match, untapped.mismatches  # the substrate needs no label


def test_substrate_option_names_another_net(tmp_path, capsys):
    """The bulk on an internal net of the schematic: no pin tells the substrate, the option
    does, and the layout's substrate net is named after it (in the .lvsdb, for PEX)."""
    netlist = reference(tmp_path, ".SUBCKT TOP d g s\nM1 d g s bulk nfet_03v3 W=2u L=1u\n"
                                  ".ENDS\n")
    gds = nmos(tmp_path / "a.gds", tap_label=None)
    assert run_lvs(gds, netlist).substrate is None
    result = run_lvs(gds, netlist, substrate="bulk")
    assert result.match and result.substrate == "bulk"
    names = {n.name for n in result.lvs.netlist().circuit_by_name("TOP").each_net()}
    assert "bulk" in names
    assert main(["lvs", str(gds), str(netlist), "--substrate", "nope"]) == 2
    assert "substrate net 'nope'" in capsys.readouterr().err


def test_a_tap_label_not_on_the_substrate_is_an_open(tmp_path):
    """The tap's label on Metal1 that does not reach the tap: the substrate (the bulk) and
    the labelled metal are two nets."""
    gds = nmos(tmp_path / "a.gds")
    layout = kdb.Layout()
    layout.read(str(gds))
    contacts = layout.top_cell().shapes(layout.layer(33, 0))
    (tap,) = [s for s in contacts.each() if s.bbox().left > 6000]
    contacts.erase(tap)
    layout.write(str(gds))
    result = run_lvs(gds, reference(tmp_path))
    assert not result.match
    (found,) = result.mismatches
    assert found.problem == "open" and "sub" in found.message, result.mismatches


def test_floating_metal_and_stray_labels_are_reported_not_purged(tmp_path):
    gds = nmos(tmp_path / "a.gds", extra={"metal2": [(10, 0, 12, 1), (10, 3, 12, 4)]})
    layout = kdb.Layout()
    layout.read(str(gds))
    layout.top_cell().shapes(layout.layer(36, 10)).insert(kdb.DText("stray", kdb.DTrans(11, 3.5)))
    layout.write(str(gds))
    result = run_lvs(gds, reference(tmp_path, NMOS.replace("\n.ENDS", "\n* no device\n.ENDS")))
    assert result.match  # nothing connects to them: not a mismatch, but listed
    problems = sorted(w.problem for w in result.warnings)
    assert problems == ["floating", "floating", "unknown label"], result.warnings
    assert all(w.location_um for w in result.warnings)
    assert result.nets == 6  # d, g, s, sub and both pieces of metal


def test_gds_without_gf180_layers_is_bad_input(tmp_path, capsys):
    layout = kdb.Layout()
    top = layout.create_cell("TOP")
    top.shapes(layout.layer(1, 0)).insert(kdb.DBox(0, 0, 5, 5))  # another PDK's layer 1/0
    gds = tmp_path / "foreign.gds"
    layout.write(str(gds))
    netlist = reference(tmp_path)
    assert main(["lvs", str(gds), str(netlist)]) == 2
    assert "no shapes on any GF180MCU layer" in capsys.readouterr().err
    assert main(["drc", str(gds)]) == 2
    err = capsys.readouterr().err
    assert "no shapes on any GF180MCU layer" in err and "1/0" in err
    empty = kdb.Layout()
    empty.create_cell("TOP")
    blank = tmp_path / "empty.gds"
    empty.write(str(blank))
    assert main(["drc", str(blank)]) == 2 and "nothing at all" in capsys.readouterr().err


def test_junit_for_lvs_and_drc(tmp_path):
    good, bad = nmos(tmp_path / "good.gds"), reference(tmp_path, NMOS.replace("W=2u", "W=3u"))
    out = tmp_path / "lvs.xml"
    assert main(["lvs", str(good), str(bad), "--junit", str(out)]) == 1
    suite = ET.parse(out).getroot()
    assert suite.get("tests") == "1" and suite.get("failures") == "1"
    (case,) = suite.iter("testcase")
    failure = case.find("failure")
    assert case.get("name") == "TOP" and "W 2 vs 3 um" in failure.text
    drc_out = tmp_path / "drc.xml"
    narrow = draw({"comp": [(0, 0, 0.215, 2.0)], "nplus": [(-1, -1, 2, 3)]}, tmp_path / "n.gds")
    assert main(["drc", str(narrow), "--junit", str(drc_out), "--rules", "DF.1a",
                 "DF.9"]) == 1
    cases = {c.get("name"): c for c in ET.parse(drc_out).getroot().iter("testcase")}
    assert set(cases) == {"DF.1a", "DF.9"}
    assert cases["DF.1a"].find("failure") is not None and cases["DF.9"].find("failure") is None
    assert "marker at" in cases["DF.1a"].find("failure").text


def test_lvsdb_feeds_klayout_pex_with_the_mim_kept_as_a_device(tmp_path):
    """klayout-pex with --blackbox true keeps each MIM as the foundry's device line."""
    from klayout_pex.kpex_cli import KpexCLI

    cell = C.write_mim(tmp_path, 500.0)
    result = run_lvs(cell.gds, cell.netlist, variant=MetalStack())
    assert result.match
    lvsdb = tmp_path / "mim.lvsdb"
    result.write_lvsdb(lvsdb)
    netlist = tmp_path / "mim.pex.spice"
    argv = ["kpex", "extract", "--pdk", "gf180mcuD", "--lvsdb", str(lvsdb), "--cell", cell.cell,
            "--2.5D", "--mode", "CC", "--blackbox", "true", "--out-dir", str(tmp_path / "kpex"),
            "--out-netlist", str(netlist), "--log-level", "warning"]
    try:
        KpexCLI().main(argv)
    except SystemExit as exc:
        assert not exc.code
    text = netlist.read_text().replace("\n+", " ")
    lines = [line for line in text.splitlines() if "cap_mim_2f0_m4m5_noshield" in line]
    assert len(lines) == 1 and "c_width=" in lines[0] and "c_length=" in lines[0], lines


@pytest.mark.parametrize("name", ["TOP", "other"])
def test_the_netlists_only_top_circuit_is_compared(tmp_path, name):
    result = run_lvs(nmos(tmp_path / "a.gds"), reference(tmp_path, NMOS.replace("TOP", name)))
    assert result.match
    renamed = [w for w in result.warnings if w.problem == "other name"]
    assert bool(renamed) == (name != "TOP")


def test_json_lists_findings_with_their_fields(tmp_path):
    out = tmp_path / "l.json"
    netlist = reference(tmp_path, NMOS.replace("L=1u", "L=1.2u"))
    assert main(["lvs", str(nmos(tmp_path / "a.gds")), str(netlist), "--json", str(out)]) == 1
    data = json.loads(out.read_text())
    (found,) = data["mismatches"]
    assert set(found) == {"kind", "problem", "layout", "schematic", "parameters", "nets",
                          "location_um", "message"}
    assert found["parameters"] == [{"name": "L", "layout": 1.0, "schematic": 1.2, "unit": "um"}]
    assert data["substrate"] == "sub" and data["nets_schematic"] == 4


def resistors(path: Path, series: bool) -> Path:
    """Poly2 resistors (ppolyf_u, 1 um x 10 um bodies) with contacted heads: one between a and
    b, or two in series through a Metal1 strap; a substrate tap labelled sub."""
    rows = [0.0, 3.0] if series else [0.0]
    shapes: dict[str, list] = {key: [] for key in ("poly2", "res_mk", "pplus", "sab",
                                                   "contact", "metal1", "comp")}
    for y in rows:
        shapes["poly2"].append((0, y, 12, y + 1))
        shapes["res_mk"].append((1, y - 0.5, 11, y + 1.5))
        shapes["pplus"].append((-0.5, y - 0.5, 12.5, y + 1.5))
        shapes["sab"].append((0.8, y - 0.3, 11.2, y + 1.3))
        for x in (0.5, 11.5):
            shapes["contact"].append((x - 0.11, y + 0.39, x + 0.11, y + 0.61))
            shapes["metal1"].append((x - 0.2, y + 0.3, x + 0.2, y + 0.7))
    if series:
        shapes["metal1"].append((11.3, 0.3, 11.7, 3.7))
    shapes["comp"].append((14, 0, 15, 1))
    shapes["pplus"].append((13.5, -0.5, 15.5, 1.5))
    shapes["contact"].append((14.39, 0.39, 14.61, 0.61))
    shapes["metal1"].append((14.3, 0.3, 14.7, 0.7))
    draw(shapes, path)
    layout = kdb.Layout()
    layout.read(str(path))
    top = layout.top_cell()
    ends = [("a", 0.5, 0.5), ("b", 0.5, 3.5 if series else 0.5), ("sub", 14.5, 0.5)]
    if not series:
        ends[1] = ("b", 11.5, 0.5)
    for name, x, y in ends:
        top.shapes(layout.layer(34, 10)).insert(kdb.DText(name, kdb.DTrans(x, y)))
    layout.write(str(path))
    return path


@pytest.mark.parametrize("series, body", [
    (False, "R1 a b sub ppolyf_u w=1u l=10u r=3.5k"),
    (False, "R1 a b $[ppolyf_u] $SUB=sub w=1u l=10u"),
    (True, "R1 a b sub ppolyf_u w=1u l=20u"),
    (True, "R1 a b sub ppolyf_u w=1u l=10u s=2"),
    (True, "R1 a m sub ppolyf_u w=1u l=10u\nR2 m b sub ppolyf_u w=1u l=10u"),
])
def test_poly_resistors_and_series_ones_combine(tmp_path, series, body):
    gds = resistors(tmp_path / "r.gds", series)
    result = run_lvs(gds, reference(tmp_path, f".SUBCKT TOP a b sub\n{body}\n.ENDS\n"))
    assert result.match, result.mismatches
    assert result.devices_layout == result.devices_schematic == 1


def test_wrong_resistor_length_is_named(tmp_path):
    gds = resistors(tmp_path / "r.gds", False)
    netlist = reference(tmp_path, ".SUBCKT TOP a b sub\nR1 a b sub ppolyf_u w=1u l=12u\n.ENDS\n")
    (found,) = run_lvs(gds, netlist).mismatches
    assert [p.text() for p in found.parameters] == ["L 10 vs 12 um"]
