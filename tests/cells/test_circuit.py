"""The circuit model: validation, hierarchical flattening (names and nets), and the two SPICE
writers (foundry device names for LVS, ngspice model names for simulation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cells.circuit import Circuit, Mim, Mos, lvs_card, lvs_netlist, sim_card, sim_netlist
from extraction.lvs.schematic import read_schematic
from pdk.gf180mcu.stack import MetalStack


def inner() -> Circuit:
    c = Circuit("inner", ["a", "z", "vss"], sensitive=["mid"])
    c.add(Mos("M1", "nmos", "mid", "a", "vss", "vss", 2.0, 1.0))
    c.add(Mos("M2", "nmos", "z", "mid", "vss", "vss", 4.0, 0.5, 2))
    return c


def outer() -> Circuit:
    c = Circuit("outer", ["in", "out", "vdd", "vss"], sensitive=["n1"])
    c.add(Mos("P1", "pmos", "n1", "in", "vdd", "vdd", 3.0, 1.0))
    c.instantiate("u1", inner(), a="n1", z="n2", vss="vss")
    c.instantiate("u2", inner(), a="n2", z="out", vss="vss")
    c.add(Mim("C1", "out", "vss", 10.0, 12.5))
    return c


def test_flat_names_and_nets() -> None:
    flat = {d.name: d for d in outer().flat()}
    assert set(flat) == {"P1", "C1", "u1_M1", "u1_M2", "u2_M1", "u2_M2"}
    # pins take the parent's nets, internal nets get the instance path
    assert flat["u1_M1"].nets == {"d": "u1_mid", "g": "n1", "s": "vss", "b": "vss"}
    assert flat["u1_M2"].nets == {"d": "n2", "g": "u1_mid", "s": "vss", "b": "vss"}
    assert flat["u2_M1"].nets == {"d": "u2_mid", "g": "n2", "s": "vss", "b": "vss"}
    assert flat["u2_M2"].nets == {"d": "out", "g": "u2_mid", "s": "vss", "b": "vss"}
    assert flat["C1"].nets == {"top": "out", "bottom": "vss"}
    # sizes are carried unchanged
    assert (flat["u2_M2"].w, flat["u2_M2"].l, flat["u2_M2"].nf) == (4.0, 0.5, 2)


def test_nested_instances_prefix_every_level() -> None:
    top = Circuit("top", ["p", "vss"])
    top.instantiate("x", outer(), **{"in": "p", "out": "q", "vdd": "p", "vss": "vss"})
    names = {d.name for d in top.flat()}
    assert "x_u1_M1" in names and "x_u2_M2" in names and "x_P1" in names
    nets = top.nets()
    assert {"x_u1_mid", "x_n1", "x_n2", "q", "p", "vss"} <= nets
    assert top.sensitive_nets() == ["x_n1", "x_u1_mid", "x_u2_mid"]


def test_flattened_keeps_pins() -> None:
    flat = outer().flattened()
    assert flat.pins == ["in", "out", "vdd", "vss"] and not flat.instances
    assert len(flat.devices) == 6


def test_duplicate_device_is_a_value_error() -> None:
    c = inner()
    with pytest.raises(ValueError, match="duplicate device M1"):
        c.add(Mos("M1", "nmos", "a", "b", "c", "d", 1.0, 1.0))


def test_instance_pins_must_match() -> None:
    c = Circuit("top", ["a"])
    with pytest.raises(ValueError, match=r"pins missing \['vss'\], unknown \['q'\]"):
        c.instantiate("u", inner(), a="a", z="b", q="c")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"nf": 0}, "nf must be >= 1"),
    ({"w": 1.0, "nf": 3}, "finger width 0.333333 um"),
    ({"l": 0.283}, "0.005 um grid"),
    ({"dummies": -2}, "dummies must be >= 0"),
])
def test_bad_mos_is_a_value_error(kwargs: dict, match: str) -> None:
    params = {"w": 2.0, "l": 1.0, **kwargs}
    with pytest.raises(ValueError, match=match):
        Mos("M9", "nmos", "d", "g", "s", "b", **params)


def test_mos_names() -> None:
    n = Mos("M", "nmos", "d", "g", "s", "b", 2.0, 1.0)
    p = Mos("M", "pmos", "d", "g", "s", "b", 2.0, 1.0)
    assert (n.lvs_name, n.model) == ("nfet_03v3", "nmos_3p3")
    assert (p.lvs_name, p.model) == ("pfet_03v3", "pmos_3p3")
    c = Mim("C", "t", "b", 10.0, 10.0)
    assert (c.lvs_name, c.model) == ("cap_mim_2f0fF", "mim_2p0fF")
    assert Mim("C", "t", "b", 10.0, 10.0, 1.5).lvs_name == "cap_mim_1f5fF"


def test_cards() -> None:
    """LVS cards are CDL elements as the foundry deck reads them; sim cards X calls."""
    m = Mos("M1", "pmos", "d", "g", "s", "b", 4.5, 0.28, 3)
    assert lvs_card(m, MetalStack()) == "MM1 d g s b pfet_03v3 W=4.5u L=0.28u nf=3 m=1"
    assert sim_card(m) == "XM1 d g s b pmos_3p3 w=4.5u l=0.28u nf=3"
    c = Mim("C1", "top", "bot", 22.18, 10.0)
    assert lvs_card(c, MetalStack()) == (
        "CC1 top bot cap_mim_2f0_m4m5_noshield W=22.18u L=10u c=443.6f m=1")
    assert sim_card(c) == "XC1 top bot mim_2p0fF c_width=2.218e-05 c_length=1e-05"
    six = MetalStack(metal_levels=6)
    assert " cap_mim_1f5_m5m6_noshield " in lvs_card(Mim("C", "t", "b", 5, 5, 1.5), six)
    option_a = MetalStack(metal_levels=3, mim_option="A")
    assert " cap_mim_2f0_m2m3_noshield " in lvs_card(c, option_a)


def test_netlists_are_flat_subcircuits() -> None:
    lvs = lvs_netlist(outer(), MetalStack())
    lines = lvs.splitlines()
    assert lines[0].startswith("*")
    assert lines[1] == ".SUBCKT outer in out vdd vss"
    assert lines[2] == "*.PININFO in:B out:B vdd:B vss:B"
    assert lines[-1] == ".ENDS outer"
    assert len(lines) == 3 + 6 + 1
    assert "Mu1_M2 n2 u1_mid vss vss nfet_03v3 W=4u L=0.5u nf=2 m=1" in lines
    sim = sim_netlist(outer())
    assert ".SUBCKT outer in out vdd vss" in sim and "nmos_3p3" in sim
    assert "nfet_03v3" not in sim and "nmos_3p3" not in lvs


def test_lvs_netlist_reads_back(tmp_path: Path) -> None:
    """The LVS reader sees what the writer meant: W total, L, MIM area, in um."""
    path = tmp_path / "outer.spice"
    path.write_text(lvs_netlist(outer(), MetalStack()))
    netlist = read_schematic(path, MetalStack())
    circuit = netlist.circuit_by_name("outer")
    assert [p.name() for p in circuit.each_pin()] == ["in", "out", "vdd", "vss"]
    devices = {d.name.lower(): d for d in circuit.each_device()}
    assert len(devices) == 6
    m2 = devices["mu1_m2"]
    assert m2.parameter("W") == pytest.approx(4.0) and m2.parameter("L") == pytest.approx(0.5)
    assert devices["cc1"].parameter("A") == pytest.approx(125.0)
    assert devices["cc1"].parameter("C") == pytest.approx(250e-15)
