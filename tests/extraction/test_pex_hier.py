"""Hierarchical extraction on a small hand-made array, with the real tools: a unit cell placed
four times through a subcell and an array instance, wired by a top-level strap; the assembly
against klayout-pex on the whole array flat."""

from __future__ import annotations

from pathlib import Path

import klayout.db as kdb
import pytest

from extraction.lvs.engine import run_lvs
from extraction.pex import PexResult, kpex_halo_um, run_kpex
from extraction.pex_hier import KpexJob, Piece, assemble, check_devices, plan
from extraction.pex_netlist import SUBSTRATE, read_pex_netlist
from extraction.pex_nets import Nets, net_map
from extraction.pex_pool import run_jobs
from extraction.pex_views import Placement, placements
from pdk.gf180mcu.layers import LAYERS
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.errors import FlowError

VARIANT = MetalStack()
UNIT_PITCH_UM = 4.0   # two units stacked in a row cell: 0.7 um between their edge wires
ROW_PITCH_UM = 10.0


def _unit(layout: kdb.Layout, labelled: bool, extra: bool = False) -> kdb.Cell:
    """A unit: internal Metal1 wires along its bottom and top edges, and a Metal1 wire up to a
    Metal2 pin (label b) between them."""
    cell = layout.create_cell("u")

    def box(layer: str, *corners: float) -> None:
        cell.shapes(layout.layer(*LAYERS[layer])).insert(kdb.DBox(*corners))

    box("metal1", 0, 0.2, 10, 0.5)
    box("metal1", 0, 3.2, 10, 3.5)
    box("metal1", 0, 1.5, 10, 1.8)
    box("via1", 9.02, 1.52, 9.28, 1.78)
    box("metal2", 8.9, 1.4, 9.4, 2.9)
    if extra:
        box("metal1", 4, 0.8, 4.5, 1.1)
    if labelled:
        cell.shapes(layout.layer(*LAYERS["metal1_label"])).insert(kdb.DText("b", 1, 1.65))
    return cell


def _array(out: Path, unit_differs: bool = False) -> dict[str, Path]:
    """top: two rows (a subcell) of two units (an array instance), a Metal3 strap on every
    unit's pin (label bus); u.gds: the unit as a cells stage would write it."""
    out.mkdir(parents=True, exist_ok=True)
    layout = kdb.Layout()
    layout.dbu = 0.001
    unit = _unit(layout, labelled=False)
    row = layout.create_cell("row")
    row.insert(kdb.CellInstArray(unit.cell_index(), kdb.Trans(),
                                 kdb.Vector(0, round(UNIT_PITCH_UM * 1000)), kdb.Vector(0, 0),
                                 2, 1))
    top = layout.create_cell("top")
    for k in range(2):
        top.insert(kdb.CellInstArray(row.cell_index(),
                                     kdb.Trans(0, round(k * ROW_PITCH_UM * 1000))))
    top.shapes(layout.layer(*LAYERS["metal3"])).insert(kdb.DBox(9.0, 0, 9.4, 20))
    for y in (0, UNIT_PITCH_UM, ROW_PITCH_UM, ROW_PITCH_UM + UNIT_PITCH_UM):
        top.shapes(layout.layer(*LAYERS["via2"])).insert(kdb.DBox(9.02, y + 2.5, 9.28,
                                                                  y + 2.76))
    top.shapes(layout.layer(*LAYERS["metal3_label"])).insert(kdb.DText("bus", 9.2, 19))
    layout.write(str(out / "top.gds"))
    alone = kdb.Layout()
    alone.dbu = 0.001
    _unit(alone, labelled=True, extra=unit_differs)
    alone.write(str(out / "u.gds"))
    (out / "u.spice").write_text(".SUBCKT u b\n.ENDS u\n")
    (out / "top.spice").write_text(".SUBCKT top bus\n.ENDS top\n")
    for name in ("u", "top"):
        lvs = run_lvs(out / f"{name}.gds", out / f"{name}.spice", name, VARIANT)
        assert lvs.match, lvs.mismatches
        lvs.write_lvsdb(out / f"{name}.lvsdb")
    return {"top": out / "top.gds", "u": out / "u.gds"}


def _hierarchical(out: Path, unit_differs: bool = False, min_ff: float = 0.0):
    gds = _array(out, unit_differs)
    unit = KpexJob(out / "u.lvsdb", "u", out)
    found = plan(gds["top"], "top", out / "top.lvsdb", {"u": (gds["u"], unit)}, VARIANT,
                 kpex_halo_um(), out / "hier")
    jobs = found.jobs()
    results = run_jobs(jobs, False, 1, lambda running, done: None)
    pieces = {job.cell: Piece.of(job, result) for job, result in zip(jobs, results,
                                                                      strict=True)}
    assembled = assemble(found, pieces, Nets(out / "top.lvsdb", "top"), out / "top.pex.spice",
                         min_ff, set(), 0.0)
    return found, assembled


def _pairs(result: PexResult) -> dict[frozenset[str], float]:
    pairs: dict[frozenset[str], float] = {}
    for (a, b), cap in result.couplings.items():
        pairs[frozenset((a, b))] = pairs.get(frozenset((a, b)), 0.0) + cap
    return pairs


@pytest.fixture(scope="module")
def flat(tmp_path_factory) -> PexResult:
    out = tmp_path_factory.mktemp("flat")
    _array(out)
    return run_kpex(out / "top.lvsdb", "top", out, resistance=False)


def test_units_are_found_through_subcells_and_arrays(tmp_path: Path):
    _array(tmp_path)
    layout = kdb.Layout()
    layout.read(str(tmp_path / "top.gds"))
    found = placements(layout, layout.cell("top"), {"u"})
    ys = sorted(p.trans.disp.y for p in found)
    assert [p.cell for p in found] == ["u"] * 4
    assert ys == [0, 4000, 10000, 14000]


def test_assembly_matches_the_flat_extraction(tmp_path: Path, flat: PexResult):
    found, assembled = _hierarchical(tmp_path)
    assert found.units["u"].cell == "u"  # the unit's own extraction is reused
    # four placements of the unit: one extraction; the seams: two kinds of neighbours (0.7 um
    # and 2.7 um apart; those 6.7 um apart have a unit between them) and the strap around each
    cells = sorted(len(s.members) for s in found.seams if s.kind == "cells")
    assert cells == [1, 2]
    ours, theirs = assembled.result.net_totals(), flat.net_totals()
    assert set(ours) == set(theirs)  # the same nets, unnamed ones by the same names ($I3)
    for net, total in theirs.items():
        assert ours[net] == pytest.approx(total, rel=0.01, abs=0.005), net
    pairs, flat_pairs = _pairs(assembled.result), _pairs(flat)
    for key in set(pairs) | set(flat_pairs):
        assert abs(pairs.get(key, 0.0) - flat_pairs.get(key, 0.0)) < 0.01, key
    # the substrate is a port, as klayout-pex makes it when no pin reaches it
    assert read_pex_netlist(assembled.result.netlist).ports == ("bus", "SUB")


def test_seams_are_what_the_pieces_alone_miss(tmp_path: Path, flat: PexResult):
    """Neighbouring units' internal wires couple across the seam: only the seam windows can
    know it, and the assembly has it as the flat extraction does."""
    _, assembled = _hierarchical(tmp_path)
    internal = [n for n in flat.net_totals() if n.startswith("$")]
    across = {key: cap for key, cap in _pairs(flat).items()
              if len(key) == 2 and key <= set(internal)}
    assert across and max(across.values()) > 0.005
    pairs = _pairs(assembled.result)
    for key, cap in across.items():
        assert pairs.get(key, 0.0) == pytest.approx(cap, rel=0.05, abs=1e-4)
    seams = assembled.report["seams"]
    assert {s["kind"] for s in seams} == {"cells", "wiring"}
    assert assembled.report["largest_left_out_ff"] == 0.0  # min_coupling_ff 0: all added


def test_corrections_below_the_bound_are_left_out_and_reported(tmp_path: Path):
    _, kept = _hierarchical(tmp_path / "all")
    _, bounded = _hierarchical(tmp_path / "bounded", min_ff=0.01)
    largest = bounded.report["largest_left_out_ff"]
    assert 0 < largest < 0.01
    assert sum(s["left_out"] for s in bounded.report["seams"]) > 0
    # a pair loses less than the bound at each occurrence of each kind of seam
    occurrences = sum(s["occurrences"] for s in bounded.report["seams"])
    ours, theirs = _pairs(bounded.result), _pairs(kept.result)
    for key in set(ours) | set(theirs):
        assert abs(ours.get(key, 0.0) - theirs.get(key, 0.0)) < 0.01 * occurrences, key


def test_a_unit_drawn_differently_in_the_array_is_extracted_from_the_array(tmp_path: Path,
                                                                          flat: PexResult):
    found, assembled = _hierarchical(tmp_path, unit_differs=True)
    assert found.units["u"].cell == "top__u"
    for net, total in flat.net_totals().items():
        assert assembled.result.net_totals()[net] == pytest.approx(total, rel=0.01, abs=0.005)


def test_a_net_the_array_does_not_have_fails_the_assembly(tmp_path: Path):
    found, _ = _hierarchical(tmp_path)
    unit = Piece.of(found.units["u"], run_kpex(tmp_path / "u.lvsdb", "u", tmp_path, False))
    array = Nets(tmp_path / "top.lvsdb", "top")
    away = kdb.ICplxTrans(kdb.Trans(0, 100_000))  # no shape of the array there
    with pytest.raises(FlowError, match="not in this database"):
        unit.into(array, away)
    here = found.placements[0].trans
    assert unit.into(array, here)[SUBSTRATE] == SUBSTRATE
    # one net of the piece on two nets of the array (a via missing at this placement, say)
    other = next(net for net in unit.probes if net != "b" and unit.probes[net])
    joined = {**unit.probes, "b": unit.probes["b"] + unit.probes[other]}
    with pytest.raises(FlowError, match="connected differently"):
        net_map("u", joined, unit.names(), here, array)


def test_devices_must_be_the_lvs_devices(tmp_path: Path):
    """The check compares against the LVS netlist: an extra (or missing) device fails."""
    _hierarchical(tmp_path)
    array = Nets(tmp_path / "top.lvsdb", "top")
    check_devices([], array)  # wires only: no device on either side
    one = tmp_path / "one.pex.spice"
    one.write_text(".SUBCKT one bus\nX$1 bus bus SUB SUB nfet_03v3 l=1e-06 w=1e-06\n"
                   ".ENDS one\n")
    with pytest.raises(FlowError, match="not the array's LVS devices"):
        check_devices(list(read_pex_netlist(one).devices), array)


def test_neighbours_on_a_grid():
    from extraction.pex_hier import _neighbours

    size, gap = 10_000, 2_000
    grid = [Placement("u", kdb.ICplxTrans(), kdb.Box(0, 0, size, size).moved(
        x * (size + gap), y * (size + gap))) for x in range(3) for y in range(3)]
    pairs = list(_neighbours(grid, halo=3_000))
    assert len(pairs) == 20  # 12 side by side, 8 diagonal (corners 2.8 um apart)
    assert list(_neighbours(grid, halo=1_000)) == []
