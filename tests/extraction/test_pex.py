"""klayout-pex on our own LVS databases, with the real tools: cell -> LVS -> .lvsdb -> KPEX 2.5D.

The MIM stays a model device of its drawn size (KPEX's black-box mode) with only small parasitics
around it; a wire's capacitance grows with its length; the netlist KPEX writes holds what its
summary says.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import klayout.db as kdb
import pytest

from cells.build import build_cell
from cells.mim import capacitance_ff, side_for
from extraction.lvs.engine import run_lvs
from extraction.pex import PexResult, run_kpex
from pdk.gf180mcu.layers import LAYERS
from pdk.gf180mcu.stack import MetalStack

VARIANT = MetalStack()  # the flow's default: 5 metals, MIM option B, 2 fF/um^2


def extract_cell(out: Path, name: str, cell: str, params: dict[str, Any]) -> PexResult:
    """Build a design cell, check it with LVS, write its .lvsdb and extract it with KPEX."""
    built = build_cell(name, cell, params, VARIANT, out)
    lvs = run_lvs(built.gds, built.lvs, name, VARIANT)
    assert lvs.match, lvs.mismatches
    lvsdb = out / f"{name}.lvsdb"
    lvs.write_lvsdb(lvsdb)
    return run_kpex(lvsdb, name, out, resistance=False)


def spice_caps(netlist: Path) -> dict[frozenset[str], float]:
    """Capacitors of a KPEX netlist (fF), summed per (unordered) net pair."""
    scale = {"f": 1.0, "a": 1e-3, "p": 1e3}
    caps: dict[frozenset[str], float] = {}
    for line in netlist.read_text().splitlines():
        found = re.match(r"^C\S*\s+(\S+)\s+(\S+)\s+([0-9.eE+-]+)([fap])", line)
        if found:
            a, b, value, unit = found.groups()
            key = frozenset((a.lower(), b.lower()))
            caps[key] = caps.get(key, 0.0) + float(value) * scale[unit]
    return caps


# ------------------------------------------------------------------------------------ MIM
@pytest.mark.parametrize("target_ff", [200.0, 1000.0])
def test_mim_stays_a_model_device_of_its_drawn_size(tmp_path: Path, target_ff: float):
    side = side_for(target_ff)
    drawn = capacitance_ff(side)  # the model's area + perimeter formula at the drawn size
    result = extract_cell(tmp_path, "mim", "mim_capacitor", {"capacitance_ff": target_ff})
    found = re.search(r"^X\S*\s+top\s+bottom\s+cap_mim_2f0_m4m5_noshield\s+c_width=(\S+)\s+"
                      r"c_length=(\S+)", result.netlist.read_text(), re.MULTILINE)
    assert found, result.netlist.read_text()
    width, length = (float(v) * 1e6 for v in found.groups())
    assert capacitance_ff(width, length=length) == pytest.approx(drawn, rel=1e-3)
    # what KPEX adds around it (plate edges, the plates' parasitics to the substrate) is small
    assert result.couplings_of("top").get("bottom", 0.0) < 0.02 * drawn
    assert result.net_totals()["VSUBS"] < 0.05 * drawn


# ---------------------------------------------------------------------------------- wires
def two_wires(out: Path, length: float, width: float = 0.3, space: float = 0.5,
              layer: str = "metal1") -> tuple[Path, Path, str]:
    """Two parallel labelled wires `a` and `b` and a reference netlist with just the pins."""
    name = f"wires_{layer}_{length:g}"
    layout = kdb.Layout()
    layout.dbu = 0.001
    top = layout.create_cell(name)
    metal = top.shapes(layout.layer(*LAYERS[layer]))
    label = top.shapes(layout.layer(*LAYERS[f"{layer}_label"]))
    metal.insert(kdb.DBox(0, 0, length, width))
    metal.insert(kdb.DBox(0, width + space, length, 2 * width + space))
    label.insert(kdb.DText("a", width / 2, width / 2))
    label.insert(kdb.DText("b", width / 2, width + space + width / 2))
    gds = out / f"{name}.gds"
    layout.write(str(gds))
    reference = out / f"{name}.spice"
    reference.write_text(f".SUBCKT {name} a b\n.ENDS {name}\n")
    return gds, reference, name


def extract_wires(out: Path, length: float, layer: str) -> PexResult:
    gds, reference, name = two_wires(out, length, layer=layer)
    lvs = run_lvs(gds, reference, name, VARIANT)
    assert lvs.match, lvs.mismatches
    lvs.write_lvsdb(out / f"{name}.lvsdb")
    return run_kpex(out / f"{name}.lvsdb", name, out, resistance=False)


@pytest.mark.parametrize("layer", ["metal1", "metal2"])
def test_wire_capacitance_grows_with_length(tmp_path: Path, layer: str):
    lengths = [10.0, 20.0, 40.0, 80.0]
    coupling, ground = [], []
    for length in lengths:
        result = extract_wires(tmp_path, length, layer)
        caps = spice_caps(result.netlist)
        coupling.append(caps[frozenset(("a", "b"))])
        ground.append(result.couplings_of("a")["VSUBS"])
    assert all(b > a for a, b in pairwise(coupling)), coupling
    assert all(b > a for a, b in pairwise(ground)), ground
    # long parallel wires: capacitance per length tends to a constant (end effects fade)
    per_um = [c / length for c, length in zip(coupling, lengths, strict=True)]
    assert per_um[-1] == pytest.approx(per_um[-2], rel=0.05)
    if layer == "metal1":  # the design brief's measurement: 20 um, 0.5 um apart, 0.91 fF
        assert coupling[1] == pytest.approx(0.91, rel=0.1)


@pytest.mark.parametrize("layer", ["metal3", "metal4", "metal5"])
def test_every_metal_is_extracted_without_a_mim(tmp_path: Path, layer: str):
    """A layout without a MIM (a routing-only view, a cell wired on Metal4) still has its
    MIM-level metal extracted: klayout-pex knows that level only under its MIM-split name, and
    a layer it does not know it leaves out without a word."""
    result = extract_wires(tmp_path, 20.0, layer)
    assert spice_caps(result.netlist)[frozenset(("a", "b"))] > 0.2
    assert result.couplings_of("a")["VSUBS"] > 0.1
