"""Reference netlists into KLayout netlists: every way a schematic names and sizes a GF180MCU
device, the metal stack a MIM name implies, and unknown devices as input errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from extraction.lvs.schematic import netlist_stack, read_schematic
from pdk.gf180mcu.device_names import foundry_mim_name, lookup
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.errors import FlowError

FIVE = MetalStack()


KEEP = []  # the netlists of the circuits handed out (a circuit dies with its netlist)


def netlist(tmp_path: Path, body: str, pins: str = "a b c d", top: str = "t",
            variant: MetalStack | None = FIVE, extra: str = ""):
    path = tmp_path / "n.cdl"
    path.write_text(f"{extra}.SUBCKT {top} {pins}\n{body}\n.ENDS\n")
    KEEP.append(read_schematic(path, variant))
    return KEEP[-1].circuit_by_name(top)


def params(circuit, name: str) -> dict[str, float]:
    device = circuit.device_by_name(name)
    return {p.name: device.parameter(p.name) for p in device.device_class().parameter_definitions()}


@pytest.mark.parametrize("line", [
    "M1 a b c d nfet_03v3 W=4u L=0.5u nf=2 m=1",           # foundry CDL
    "XM1 a b c d nfet_03v3 w=2u l=0.5u nf=2 m=2",          # xschem, multiplier
    "M1 a b c d nmos_3p3 w=4e-6 l=5e-7",                    # ngspice model name
    "M1 a b c d NFET_03V3 W=4 L=0.5 $SUB=x",                # no units: metres? see scale
])
def test_mos_forms_give_total_width_in_um(tmp_path, line):
    extra = "*.SCALE 1e-6\n" if "W=4 " in line else ""
    body = line.replace(" $SUB=x", "")
    circuit = netlist(tmp_path, body, extra=extra)
    device = circuit.device_by_name(line.split()[0])
    assert device.device_class().name == "nfet_03v3"
    assert params(circuit, line.split()[0])["W"] == pytest.approx(4.0)
    assert params(circuit, line.split()[0])["L"] == pytest.approx(0.5)


@pytest.mark.parametrize("model", ["cap_mim_2f0_m4m5_noshield", "cap_mim_2f0fF", "mim_2p0fF",
                                   "cap_mim_2p0fF"])
def test_mim_aliases_are_one_class(tmp_path, model):
    circuit = netlist(tmp_path, f"C1 a b {model} w=10u l=5u c=0.1p", "a b")
    found = params(circuit, "C1")
    assert circuit.device_by_name("C1").device_class().name == "cap_mim_2f0fF"
    assert found["A"] == pytest.approx(50.0) and found["P"] == pytest.approx(30.0)
    assert found["C"] == pytest.approx(100e-15)  # the area's, not the given c


def test_mim_sizes_from_c_width_or_capacitance(tmp_path):
    circuit = netlist(tmp_path, "XC1 a b cap_mim_2f0fF c_width=20u c_length=10u m=2\n"
                                "C2 a b $[cap_mim_2f0_m4m5_noshield] c=0.4p", "a b")
    assert params(circuit, "XC1")["C"] == pytest.approx(800e-15)
    assert params(circuit, "C2")["A"] == pytest.approx(200.0)


@pytest.mark.parametrize("model, variant, message", [
    ("cap_mim_2f0_m3m4_noshield", FIVE, "Metal3-Metal4, the metal stack"),
    ("cap_mim_1f5_m4m5_noshield", FIVE, "1.5 fF/um^2 MIM"),
    ("cap_mim_2f0fF", MetalStack(mim_cap_density=1.0), "2 fF/um^2 MIM"),
])
def test_mim_off_the_stack_is_bad_input(tmp_path, model, variant, message):
    with pytest.raises(FlowError) as info:
        netlist(tmp_path, f"C1 a b {model} w=10u l=5u", "a b", variant=variant)
    assert ":2: C1" in str(info.value) and message in str(info.value)


def test_foundry_mim_names_follow_the_stack():
    assert foundry_mim_name(2.0, 4) == "cap_mim_2f0_m4m5_noshield"
    assert foundry_mim_name(1.5, 2) == "cap_mim_1f5_m2m3_noshield"
    assert lookup("cap_mim_1f0_m5m6_noshield").plates == (5, 6)
    assert lookup("cap_mim_2f0_m4m6_noshield") is None and lookup("nfet_99v9") is None


@pytest.mark.parametrize("text, stack", [
    ("C1 a b cap_mim_1f5_m3m4_noshield w=5u l=5u",
     {"mim_cap_density": 1.5, "mim_option": "B", "metal_levels": 4}),
    ("C1 a b cap_mim_1f0_m2m3_noshield w=5u l=5u", {"mim_cap_density": 1.0, "mim_option": "A"}),
    ("XC1 a b cap_mim_1f5fF c_width=5u c_length=5u", {"mim_cap_density": 1.5}),
    ("M1 a b a b nfet_03v3 w=1u l=1u", {}),
])
def test_netlist_tells_the_metal_stack(tmp_path, text, stack):
    path = tmp_path / "n.cdl"
    path.write_text(f".SUBCKT t a b\n{text}\n.ENDS\n")
    assert netlist_stack(path) == stack


@pytest.mark.parametrize("body, message", [
    ("M1 a b c d nfet_99v9 W=1u L=1u", ":2: M1 has unknown device model 'nfet_99v9'"),
    ("XM1 a b c d nfet_99v9 w=1u l=1u", ":2: XM1 calls 'nfet_99v9', which is neither"),
    ("C1 a b 1p", ":2: C1 has no device model"),
    ("M1 a b c d cap_mim_2f0fF W=1u L=1u", "is a mim, not a device an M line"),
    ("M1 a b c d nfet_03v3 L=1u", ":2: M1 has no w"),
    ("M1 a b c d nfet_03v3 W=1u L=1u m=0", "m must be positive"),
    ("XM1 a b c d nfet_03v3 W={q} L=1u", "unknown parameter 'q'"),
    ("X1 a b sub2", "calls 'sub2'"),
])
def test_bad_devices_are_input_errors(tmp_path, body, message):
    with pytest.raises(FlowError) as info:
        netlist(tmp_path, body)
    assert message in str(info.value) and "n.cdl" in str(info.value)


def test_hierarchy_parameters_and_globals(tmp_path):
    path = tmp_path / "h.spice"
    path.write_text("""\
.global vss
.subckt cell in out params: w=1u
M1 out in vss vss nfet_03v3 W={w} L=1u
M2 out in vdd! vdd! pfet_03v3 W={2*w} L=1u
.ends
.subckt top a b c
X1 a b cell w=2u
X2 b c cell
X3 c a cell w=2u
.ends
""")
    netlist_ = read_schematic(path, FIVE, top="top")
    netlist_.flatten()
    top = netlist_.circuit_by_name("top")
    assert [p.name() for p in top.each_pin()] == ["a", "b", "c", "vss", "vdd!"]
    widths = sorted(d.parameter("W") for d in top.each_device())
    assert widths == pytest.approx([1.0, 2.0, 2.0, 2.0, 4.0, 4.0])
    bulks = {d.net_for_terminal(3).name for d in top.each_device()}
    assert bulks == {"vss", "vdd!"}


def test_self_instantiation_is_an_error(tmp_path):
    path = tmp_path / "r.cdl"
    path.write_text(".SUBCKT r a\nX1 a r\n.ENDS\n")
    with pytest.raises(FlowError, match="instantiates itself"):
        read_schematic(path, FIVE)


def test_foundry_cdl_resistors_diodes_and_moscaps(tmp_path):
    """As the foundry's auCdl writes them: a global ground listed as a pin too, resistors with
    the parallel count as both m and par, series count s, diodes with AREA/PJ in SI units."""
    path = tmp_path / "f.cdl"
    path.write_text("""*.SCALE METER
*.GLOBAL gnd!
*.PIN gnd!
.SUBCKT f P1 M1 P2 M2 A K gnd!
*.PININFO P1:I M1:I gnd!:I
RI1 P1 M1 gnd!
+ ppolyf_u m=8.0 l=100u w=50u r=4.0124K par=8.0 s=1
RI2 P2 M2 gnd! ppolyf_u m=1.0 l=7.6u w=1u r=16.3781K par=1.0 s=3
D3 A K diode_pd2nw_06v0 m=2.0 AREA=1e-12 PJ=4e-6
C4 A gnd! cap_nmos_06v0 m=4.0 l=3e-6 w=3e-6
.ENDS
""")
    netlist_ = read_schematic(path, FIVE)
    top = netlist_.circuit_by_name("f")
    assert [p.name() for p in top.each_pin()] == ["P1", "M1", "P2", "M2", "A", "K", "gnd!"]

    def got(name):
        device = top.device_by_name(name)
        return {p.name: device.parameter(p.name)
                for p in device.device_class().parameter_definitions()}

    assert got("RI1")["W"] == pytest.approx(400.0) and got("RI1")["L"] == pytest.approx(100.0)
    assert got("RI1")["R"] == pytest.approx(4012.4 / 8)
    assert got("RI2")["L"] == pytest.approx(22.8) and got("RI2")["R"] == pytest.approx(3 * 16378.1)
    assert got("D3")["A"] == pytest.approx(2.0) and got("D3")["P"] == pytest.approx(8.0)
    assert got("C4")["A"] == pytest.approx(36.0)
