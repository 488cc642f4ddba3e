"""The MOS drawing: geometry from the rule table, and the optional dummy fingers (floating field
Poly2 stripes beside the COMP) that are DRC clean, form no transistor and leave LVS alone."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import klayout.db as kdb
import pytest

from cells.circuit import Circuit, Mos, lvs_card, sim_card
from cells.mos import mos_geometry
from cells.tech import tech
from pdk.gf180mcu.layers import LAYERS
from pdk.gf180mcu.rules import value
from pdk.gf180mcu.stack import MetalStack
from tests.cells.checks import (
    assert_clean,
    assert_devices_as_drawn,
    build_circuit,
    check_built,
    run_checks,
)


def _regions(gds: Path) -> tuple[kdb.Region, kdb.Region, float]:
    layout = kdb.Layout()
    layout.read(str(gds))
    top = layout.top_cell()

    def region(name: str) -> kdb.Region:
        return kdb.Region(top.begin_shapes_rec(layout.layer(*LAYERS[name]))).merged()

    return region("poly2"), region("comp"), layout.dbu


DUMMY_GRID = [{"kind": k, "nf": nf, "w": round(1.2 * nf, 3), "l": x}
              for k, nf, x in itertools.product(("nmos", "pmos"), (1, 3), (0.28, 2.0))]


@pytest.mark.parametrize("params", DUMMY_GRID,
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_dummies_are_clean_and_add_two_field_poly_stripes(params: dict, tmp_path: Path) -> None:
    plain = run_checks("mos_device", params, tmp_path, name="plain")
    dummy = run_checks("mos_device", {**params, "dummies": True}, tmp_path, name="dummy")
    for checked in (plain, dummy):
        assert_clean(checked)
        assert_devices_as_drawn(checked)
    assert dummy.lvs.devices_layout == plain.lvs.devices_layout == 1  # fingers combined

    t = tech()
    dbu = 0.001
    poly0, comp0, _ = _regions(plain.built.gds)
    poly1, comp1, dbu = _regions(dummy.built.gds)
    assert poly0.not_interacting(comp0).is_empty()
    stripes = poly1.not_interacting(comp1)
    assert stripes.count() == 2
    gates = poly1 & comp1
    assert gates.area() == (poly0 & comp0).area()  # same transistor, no new channel
    device_comp = comp1.interacting(gates)
    cb = device_comp.bbox()
    length, finger = params["l"], params["w"] / params["nf"]
    xs = []
    for stripe in stripes.each():
        b = stripe.bbox()
        assert stripe.is_box()
        assert b.width() * dbu == pytest.approx(length)
        assert b.height() * dbu == pytest.approx(finger + 2 * t.endcap)
        assert b.bottom == cb.bottom - round(t.endcap / dbu)  # the gates' end caps
        xs.append(b)
    left, right = sorted(xs, key=lambda b: b.left)
    gap = value("PL.5b")
    assert left.right < cb.left and right.left > cb.right  # one stripe on each side
    assert (cb.left - left.right) * dbu >= max(gap, value("PL.5a")) - 1e-9
    assert (right.left - cb.right) * dbu == pytest.approx((cb.left - left.right) * dbu)
    # Poly2 space to the outer gates
    assert stripes.separation_check(gates, round(value("PL.3a") / dbu)).is_empty()
    # on field oxide: not over any COMP
    assert (stripes & comp1).is_empty()


def test_dummies_are_not_in_the_netlists() -> None:
    plain = Mos("M1", "nmos", "d", "g", "s", "b", 2.0, 1.0, 2)
    dummy = dataclasses.replace(plain, dummies=1)
    assert lvs_card(plain, MetalStack()) == lvs_card(dummy, MetalStack())
    assert sim_card(plain) == sim_card(dummy)
    assert "dumm" not in lvs_card(dummy, MetalStack()).lower()


def test_negative_dummies_are_a_value_error() -> None:
    with pytest.raises(ValueError, match="dummies"):
        Mos("M1", "nmos", "d", "g", "s", "b", 2.0, 1.0, dummies=-1)


@pytest.mark.parametrize(("w", "l", "nf"), [(2.0, 1.0, 1), (6.0, 0.28, 3), (3.0, 4.0, 2)])
def test_geometry_without_dummies_is_unchanged(w: float, l: float, nf: int) -> None:  # noqa: E741
    """Backwards compatible: dummies=0 draws exactly what the cells drew before."""
    g = mos_geometry(Mos("M", "nmos", "d", "g", "s", "b", w, l, nf))
    t = tech()
    assert g.dummy_x == ()
    assert g.comp[0] == t.pitch
    assert g.width == pytest.approx(g.columns * t.pitch)
    assert g.columns == 2 * -(-(g.comp[2] + 2 * t.pitch) // (2 * t.pitch))


@pytest.mark.parametrize("dummies", [1, 2, 3])
def test_dummy_stripes_stay_inside_the_device(dummies: int) -> None:
    """Stripes keep half a Poly2 space and their implant half an implant space from the edge,
    so abutted devices stay clean."""
    t = tech()
    length = 1.0
    g = mos_geometry(Mos("M", "pmos", "d", "g", "s", "b", 4.0, length, 2, dummies))
    assert len(g.dummy_x) == 2 * dummies
    assert min(g.dummy_x) - t.implant_gate >= t.implant_space / 2 - 1e-9
    assert max(g.dummy_x) + length + t.implant_gate <= g.width - t.implant_space / 2 + 1e-9
    for a, b in itertools.pairwise(sorted(g.dummy_x)[:dummies]):
        assert b - a - length == pytest.approx(t.poly_space)


def test_abutted_devices_with_dummies_in_both_rows(tmp_path: Path) -> None:
    """Rows of devices with 0, 1 and 2 dummies per side, NMOS and PMOS, side by side."""
    c = Circuit("dummy_rows", ["a", "b", "g", "vss", "vdd"])
    c.add(Mos("N1", "nmos", "a", "g", "vss", "vss", 2.0, 0.28, 1, 1))
    c.add(Mos("N2", "nmos", "b", "a", "vss", "vss", 4.0, 1.0, 2, 2))
    c.add(Mos("N3", "nmos", "g", "b", "vss", "vss", 2.0, 0.5, 1, 0))
    c.add(Mos("P1", "pmos", "a", "g", "vdd", "vdd", 2.0, 0.28, 1, 1))
    c.add(Mos("P2", "pmos", "b", "b", "vdd", "vdd", 3.0, 2.0, 3, 2))
    checked = check_built(build_circuit(c, tmp_path))
    assert_clean(checked)
    assert_devices_as_drawn(checked)
    poly, comp, _ = _regions(checked.built.gds)
    assert poly.not_interacting(comp).count() == 2 * (1 + 2 + 1 + 2)


@pytest.mark.parametrize("kind", ["nmos", "pmos"])
def test_device_with_every_terminal_on_one_net_is_drawn(kind: str, tmp_path: Path) -> None:
    """A row's dummy: drain, gate, source and body on the rail; LVS sees it on both sides."""
    rail = "vss" if kind == "nmos" else "vdd"
    c = Circuit("tied", ["a", rail])
    c.add(Mos("M1", kind, "a", "a", rail, rail, 2.0, 1.0))
    c.add(Mos("M2", kind, rail, rail, rail, rail, 2.0, 1.0))
    checked = check_built(build_circuit(c, tmp_path))
    assert_clean(checked)
    assert_devices_as_drawn(checked)


def test_geometry_comes_from_the_rule_table() -> None:
    t = tech()
    assert t.gate_min == value("PL.2")
    assert t.poly_space == value("PL.3a")
    assert t.dummy_to_comp == max(value("PL.5a"), value("PL.5b"))
    assert t.implant_space == max(value("NP.2"), value("PP.2"))
    assert t.finger_min >= value("DF.2a")
    assert t.wire >= value("M2.1") and t.wire >= value("M1.1")
    g = mos_geometry(Mos("M", "nmos", "d", "g", "s", "b", 2.0, 1.0, 2))
    # outer S/D overhang and inner S/D length (contacted) from the table
    assert g.gate_x[0] - g.comp[0] >= value("DF.6")
    assert g.gate_x[1] - g.gate_x[0] - 1.0 >= value("PL.3a")
