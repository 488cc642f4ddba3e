"""External sign-off decks: a KLayout application runs a deck, its .lyrdb/.lvsdb is read into
the JSON shape of the built-in checks. Small decks written for the tests (tests/extraction/data)
stand in for the foundry's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import klayout.db as kdb
import klayout.rdb as rdb
import pytest

from extraction.external import (
    find_klayout,
    klayout_version,
    read_lyrdb,
    run_external_drc,
    run_external_lvs,
)
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.cli import main
from sgdr_flow.config import ExternalDeck
from sgdr_flow.errors import FlowError
from tests.extraction.drc.patterns import draw

DATA = Path(__file__).parent / "data"
TINY_DRC = DATA / "tiny.drc"
TINY_LVS = DATA / "tiny.lvs"
needs_klayout = pytest.mark.skipif(
    shutil.which("klayout") is None,
    reason="no KLayout application: `apt-get install klayout` (scripts/setup.sh does it)")


def run(argv) -> int:
    try:
        return main([str(a) for a in argv])
    except SystemExit as exc:
        return int(exc.code)


def spec(deck: Path = TINY_DRC, **variables: str) -> ExternalDeck:
    return ExternalDeck(klayout=Path("klayout"), deck=deck, variables=variables)


# ------------------------------------------------------------------------------------- DRC
@needs_klayout
def test_application_is_found_and_runs_headless():
    assert find_klayout("klayout")
    assert klayout_version("klayout").startswith("KLayout 0.")


@needs_klayout
def test_external_drc_json_has_the_built_in_shape(tmp_path):
    gds = draw({"comp": [(0, 0, 0.215, 2.0), (5, 0, 5.22, 2.0)],
                "metal1": [(0, 3, 1, 4), (1.2, 3, 2, 4)]}, tmp_path / "t.gds")
    result = run_external_drc(spec(), gds, None, MetalStack(metal_levels=6),
                              report=tmp_path / "r.lyrdb", timeout=120)
    data = result.as_json()
    assert data["cell"] == "TOP"
    assert data["rules_checked"] == ["DF.1a", "M1.2a"]
    assert data["by_rule"] == {"DF.1a": 1, "M1.2a": 1}
    comp = [v for v in data["violations"] if v["rule"] == "DF.1a"]
    assert comp[0]["bbox"] == [0.0, 0.0, 0.215, 2.0]
    assert "6LM 9K MIM B" in comp[0]["message"]  # the variant reached the deck
    metal = [v for v in data["violations"] if v["rule"] == "M1.2a"]
    assert metal[0]["bbox"] == [1.0, 3.0, 1.2, 4.0]
    assert data["seconds"] > 0
    assert not result.clean
    assert (tmp_path / "r.log").read_text().startswith(find_klayout("klayout"))


@needs_klayout
def test_external_drc_through_the_cli(tmp_path, capsys):
    dirty = draw({"comp": [(0, 0, 0.215, 2.0)]}, tmp_path / "d.gds")
    clean = draw({"comp": [(0, 0, 0.3, 2.0)]}, tmp_path / "c.gds")
    out = tmp_path / "o" / "r.json"
    assert run(["drc", dirty, "--external", TINY_DRC, "--json", out,
                "--lyrdb", tmp_path / "o" / "r.lyrdb"]) == 1
    text = capsys.readouterr().out
    assert "DF.1a" in text and "FAIL" in text
    data = json.loads(out.read_text())
    assert data["violations"][0]["rule"] == "DF.1a"
    assert run(["drc", clean, "--external", TINY_DRC, "--var", "metal_level=3LM"]) == 0
    assert "PASS" in capsys.readouterr().out


@needs_klayout
def test_config_variables_override_the_defaults(tmp_path):
    gds = draw({"comp": [(0, 0, 0.215, 2.0)]}, tmp_path / "t.gds")
    result = run_external_drc(spec(metal_level="4LM"), gds, report=tmp_path / "r.lyrdb")
    assert "4LM" in result.violations[0]["message"]


@needs_klayout
def test_gds_from_gdsfactory_reaches_an_older_application(tmp_path):
    """gdsfactory's GDS carries a context-info cell KLayout 0.28 cannot read: a copy without it
    is handed over, with the same shapes."""
    from tests.extraction.cells import write_mos

    cell = write_mos(tmp_path, "nmos", 2.0, 1.0, 1)
    assert b"$$$CONTEXT_INFO$$$" in cell.gds.read_bytes()
    result = run_external_drc(spec(), cell.gds, report=tmp_path / "r.lyrdb")
    assert result.cell == cell.cell
    assert result.rules_checked == ["DF.1a", "M1.2a"]
    assert result.clean


def test_missing_application_is_bad_input_with_the_install_hint(tmp_path, capsys):
    gds = draw({"comp": [(0, 0, 0.3, 2.0)]}, tmp_path / "t.gds")
    with pytest.raises(FlowError, match="apt-get install klayout"):
        run_external_drc(ExternalDeck(klayout=tmp_path / "no" / "klayout", deck=TINY_DRC),
                         gds, report=tmp_path / "r.lyrdb")
    assert run(["drc", gds, "--external", TINY_DRC, "--klayout", "no-such-klayout-app"]) == 2
    assert "apt-get install klayout" in capsys.readouterr().err


@needs_klayout
def test_failing_deck_and_missing_deck_are_bad_input(tmp_path, capsys):
    gds = draw({"comp": [(0, 0, 0.3, 2.0)]}, tmp_path / "t.gds")
    broken = tmp_path / "broken.drc"
    broken.write_text("source($input)\nreport('x', $report)\nthis_is_no_function(1)\n")
    assert run(["drc", gds, "--external", broken]) == 2
    err = capsys.readouterr().err
    assert "exited with" in err and "this_is_no_function" in err
    assert run(["drc", gds, "--external", tmp_path / "none.drc"]) == 2
    assert "no such KLayout deck" in capsys.readouterr().err
    assert run(["drc", tmp_path / "none.gds", "--external", TINY_DRC]) == 2


@needs_klayout
def test_timeout_is_bad_input(tmp_path):
    gds = draw({"comp": [(0, 0, 0.3, 2.0)]}, tmp_path / "t.gds")
    slow = tmp_path / "slow.drc"
    slow.write_text("sleep(30)\n")
    with pytest.raises(FlowError, match="did not finish"):
        run_external_drc(spec(slow), gds, report=tmp_path / "r.lyrdb", timeout=2)


def test_lyrdb_markers_in_subcells_count_per_placement(tmp_path):
    db = rdb.ReportDatabase("hier")
    top = db.create_cell("TOP")
    sub = db.create_cell("SUB")
    for dx in (0.0, 10.0):
        sub.add_reference(rdb.RdbReference(kdb.DCplxTrans(kdb.DVector(dx, 0)), top.rdb_id()))
    parent = db.create_category("V1.3a")
    parent.description = "via enclosure"
    child = db.create_category(parent, "sub")
    item = db.create_item(sub.rdb_id(), parent.rdb_id())
    item.add_value(kdb.DBox(1, 1, 2, 2))
    item = db.create_item(top.rdb_id(), child.rdb_id())
    item.add_value(kdb.DEdgePair(kdb.DEdge(0, 0, 0, 1), kdb.DEdge(0.1, 1, 0.1, 0)))
    db.save(str(tmp_path / "h.lyrdb"))
    data = read_lyrdb(tmp_path / "h.lyrdb")
    assert data["rules_checked"] == ["V1.3a", "V1.3a.sub"]
    assert data["counts"] == {"V1.3a": 2, "V1.3a.sub": 1}
    boxes = sorted(v["bbox"] for v in data["violations"] if v["rule"] == "V1.3a")
    assert boxes == [[1.0, 1.0, 2.0, 2.0], [11.0, 1.0, 12.0, 2.0]]
    assert data["descriptions"]["V1.3a"] == "via enclosure"


def test_unreadable_lyrdb_is_bad_input(tmp_path):
    bad = tmp_path / "bad.lyrdb"
    bad.write_text("not xml")
    with pytest.raises(FlowError, match="cannot read"):
        read_lyrdb(bad)


# ------------------------------------------------------------------------------------- LVS
def draw_nmos(path: Path, short: bool = False, gate: float = 1.0, label_g: bool = True) -> Path:
    """COMP crossed by a Poly2 gate (W 2 um, L `gate`), contacted S/D and gate on Metal1."""
    layout = kdb.Layout()
    top = layout.create_cell("TOP")

    def box(layer: tuple[int, int], *xy: float) -> None:
        top.shapes(layout.layer(*layer)).insert(kdb.DBox(*xy))

    extra = gate - 1.0
    box((22, 0), 0, 0, 3 + extra, 2)
    box((30, 0), 1, -0.5, 1 + gate, 3)
    for x in (0.4, 2.4 + extra):
        box((33, 0), x, 0.9, x + 0.22, 1.12)
        box((34, 0), x - 0.1, 0.8, x + 0.32, 1.22)
    box((33, 0), 1.3, 2.6, 1.52, 2.82)
    box((34, 0), 1.2, 2.5, 1.62, 2.92)
    if short:
        box((34, 0), 0.3, 0.8, 0.5, 2.92)
        box((34, 0), 0.3, 2.5, 1.62, 2.92)
    labels = [("s", 0.5, 1.0), ("d", 2.5 + extra, 1.0)] + [("g", 1.4, 2.7)] * label_g
    for name, x, y in labels:
        top.shapes(layout.layer(34, 10)).insert(kdb.DText(name, kdb.DTrans(kdb.DVector(x, y))))
    layout.write(str(path))
    return path


@pytest.fixture
def reference(tmp_path) -> Path:
    path = tmp_path / "ref.spice"
    path.write_text(".SUBCKT TOP d g s\nM1 d g s SUB NMOS L=1u W=2u\n.ENDS\n")
    return path


@needs_klayout
def test_external_lvs_match(tmp_path, reference):
    gds = draw_nmos(tmp_path / "ok.gds")
    result = run_external_lvs(spec(TINY_LVS), gds, reference, report=tmp_path / "ok.lvsdb")
    data = result.as_json()
    assert data["match"] is True and data["mismatches"] == []
    assert data["devices_layout"] == data["devices_schematic"] == 1
    assert data["nets"] == 4  # d, g, s and the bulk
    assert data["cell"] == "TOP"


@needs_klayout
@pytest.mark.parametrize("kind, expect", [
    ("short", "net"), ("gate", "L=1.2"),
])
def test_external_lvs_mismatches(kind, expect, tmp_path, reference):
    gds = draw_nmos(tmp_path / f"{kind}.gds", short=kind == "short",
                    gate=1.2 if kind == "gate" else 1.0)
    result = run_external_lvs(spec(TINY_LVS), gds, reference, report=tmp_path / "x.lvsdb")
    assert not result.match
    assert any(expect in str(line) for line in result.mismatches), result.mismatches


@needs_klayout
def test_external_lvs_through_the_cli(tmp_path, reference, capsys):
    ok, bad = draw_nmos(tmp_path / "ok.gds"), draw_nmos(tmp_path / "bad.gds", gate=1.2)
    out = tmp_path / "l.json"
    assert run(["lvs", ok, reference, "--external", TINY_LVS, "--json", out,
                "--lvsdb", tmp_path / "ok.lvsdb"]) == 0
    assert json.loads(out.read_text())["match"] is True
    lvs = kdb.LayoutVsSchematic()
    lvs.read(str(tmp_path / "ok.lvsdb"))
    assert run(["lvs", bad, reference, "--external", TINY_LVS, "--json", out]) == 1
    assert "FAIL" in capsys.readouterr().out
    assert run(["lvs", ok, tmp_path / "none.spice", "--external", TINY_LVS]) == 2


@needs_klayout
def test_cli_gives_the_deck_the_substrate_our_lvs_would_use(tmp_path):
    """Without --substrate the deck's lvs_sub is the pin the reference's NMOS bulks are on, as
    for the built-in LVS (the foundry deck's own default, gf180mcu_gnd, splits our cells'
    substrate from their vss pin and fails them)."""
    gds = draw_nmos(tmp_path / "ok.gds")
    ref = tmp_path / "ref.spice"
    ref.write_text(".SUBCKT TOP d g s vss\nM1 d g s vss nfet_03v3 L=1u W=2u\n.ENDS\n")
    out = tmp_path / "l.json"
    run(["lvs", gds, ref, "--external", TINY_LVS, "--json", out])
    assert json.loads(out.read_text())["variables"]["lvs_sub"] == "vss"
    run(["lvs", gds, ref, "--external", TINY_LVS, "--json", out, "--substrate", "s"])
    assert json.loads(out.read_text())["variables"]["lvs_sub"] == "s"
