"""The SPICE/CDL reader: what foundry CDL and schematic tools write, and errors that point at
the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from extraction.lvs.spice import evaluate, read_deck, spice_number
from sgdr_flow.errors import FlowError

FOUNDRY_CDL = """\
************************************************************************
* auCdl Netlist:
*.BIPOLAR
*.RESI = 2000
*.SCALE METER
*.MEGA
.PARAM

.SUBCKT cap_mim_2f0_m4m5_noshield I1_BOT I1_TOP
+ I2_BOT I2_TOP
*.PININFO I1_BOT:I I1_TOP:I
*.PININFO I2_BOT:I I2_TOP:I
CI1 I1_TOP I1_BOT $[cap_mim_2f0_m4m5_noshield] M=1 l=100.000u
+ w=12.340u c=2.50920124p
CI2 I2_TOP I2_BOT $[cap_mim_2f0_m4m5_noshield] M=1 l=5u w=5u $X=1.5 $Y=2
+ c=0.054516p
.ENDS
"""


def write(tmp_path: Path, text: str, name: str = "n.cdl") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, value", [
    ("4.5u", 4.5e-6), ("10MEG", 10e6), ("10m", 10e-3), ("2fF", 2e-15), ("1e-6", 1e-6),
    ("0.28U", 0.28e-6), ("3k", 3e3), (".5p", 0.5e-12), ("25mil", 25 * 25.4e-6),
    ("-2n", -2e-9)])
def test_si_suffixes(text, value):
    assert spice_number(text) == pytest.approx(value)


def test_not_numbers():
    assert spice_number("nfet_03v3") is None and spice_number("vdd") is None


def test_expressions_use_parameters_and_functions():
    scope = {"w": 4e-6, "nf": 2.0}
    assert evaluate("'int((nf+1)/2) * W/nf * 0.18u'", scope) == pytest.approx(0.36e-12)
    assert evaluate("{2*w}", scope) == pytest.approx(8e-6)
    assert evaluate("w", scope) == pytest.approx(4e-6)
    with pytest.raises(ValueError, match="unknown parameter"):
        evaluate("'2*q'", scope)
    with pytest.raises(ValueError):
        evaluate("'__import__(1)'", scope)


def test_foundry_cdl(tmp_path):
    deck = read_deck(write(tmp_path, FOUNDRY_CDL))
    sub = deck.subckts["cap_mim_2f0_m4m5_noshield"]
    assert sub.pins == ["I1_BOT", "I1_TOP", "I2_BOT", "I2_TOP"]
    first, second = sub.elements
    assert (first.kind, first.name, first.nets, first.model) == (
        "C", "CI1", ["I1_TOP", "I1_BOT"], "cap_mim_2f0_m4m5_noshield")
    assert first.params == {"m": "1", "l": "100.000u", "w": "12.340u", "c": "2.50920124p"}
    assert second.params["c"] == "0.054516p"  # $X/$Y are comments, the continuation is not
    assert first.where.line == 13 and deck.scale == 1.0


def test_spice_forms(tmp_path):
    text = """* xschem and ngspice style
.param wn = 2u
.global vdd! gnd
.subckt inv a y  params: l=1u
XM1 y a gnd gnd nfet_03v3 L={l} W = {wn*2} nf=2 ad='int((nf+1)/2) * W/nf * 0.18u' m=1
M2 y a vdd! vdd! pfet_03v3 l=1u w=4u ; ngspice comment
XI1 a y / buf
R1 a y sub ppolyf_u r=1k w=1u l=10u
C1 a y 2p
.ends
.control
run
.endc
.end
M9 this is after .end
"""
    deck = read_deck(write(tmp_path, text, "x.spice"))
    sub = deck.subckts["inv"]
    assert sub.params == {"l": "1u"} and deck.params == {"wn": "2u"}
    m1, m2, xi1, r1, c1 = sub.elements
    assert m1.nets == ["y", "a", "gnd", "gnd"] and m1.params["w"] == "{wn*2}"
    assert m2.model == "pfet_03v3" and m2.nets[3] == "vdd!"
    assert (xi1.nets, xi1.model) == (["a", "y"], "buf")
    assert (r1.nets, r1.model, r1.params["r"]) == (["a", "y", "sub"], "ppolyf_u", "1k")
    assert (c1.nets, c1.model, c1.value) == (["a", "y"], "", "2p")
    assert deck.is_global("vdd!") and deck.is_global("GND") and not deck.is_global("a")


def test_klayout_dollar_names_are_not_comments(tmp_path):
    deck = read_deck(write(tmp_path, ".SUBCKT T $1 $2\nM$1 $1 $2 $1 $2 nfet_03v3 L=1U W=2U\n"
                                     ".ENDS T\n"))
    (m,) = deck.subckts["t"].elements
    assert m.name == "M$1" and m.nets == ["$1", "$2", "$1", "$2"]


def test_include_and_scale(tmp_path):
    write(tmp_path, ".SUBCKT leaf a b\nM1 a b a b nfet_03v3 w=2 l=1\n.ENDS\n", "leaf.cdl")
    top = write(tmp_path, ".option scale=1e-6\n.include leaf.cdl\n"
                          ".SUBCKT top a b\nX1 a b leaf\n.ENDS\n", "top.cdl")
    deck = read_deck(top)
    assert set(deck.subckts) == {"leaf", "top"} and deck.scale == 1e-6


@pytest.mark.parametrize("text, message", [
    ("+ a b\n", ":1: continuation line"),
    (".SUBCKT a x\nM1 x x x nfet_03v3 w=1u l=1u\n.ENDS\n", ":2: M1 needs drain, gate"),
    (".SUBCKT a x\n", ":1: .SUBCKT a has no .ENDS"),
    (".ENDS\n", ":1: .ENDS without .SUBCKT"),
    (".SUBCKT a x\n.ENDS\n.SUBCKT A y\n.ENDS\n", ":3: subcircuit A is defined twice"),
    (".SUBCKT a x\nV1 x 0 1\n.ENDS\n", ":2: V1: V elements have no layout"),
    (".include missing.cdl\n", ":1: included file"),
    ("*.SCALE furlong\n", ":1: cannot read the scale"),
])
def test_errors_name_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(FlowError) as info:
        read_deck(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(FlowError, match="no such netlist"):
        read_deck(tmp_path / "none.cdl")
