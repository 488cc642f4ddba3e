"""Schematic and extracted cell netlists for simulation, from real cells through real LVS and
klayout-pex: same ports, schematic net names, every device mapped onto the PDK's models."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from cells.registry import load_cells
from pdk.gf180mcu.devices import DEVICES
from sgdr_flow.errors import FlowError
from sim.netlists import (
    SUBSTRATE_PORTS,
    extracted_netlist,
)
from tests.extraction.test_pex import spice_caps
from tests.sim.conftest import SYNAPSE, TL


# small cells of the flow's design (flow.yaml: design.cells tl and synapse)
def devices(text: str) -> list[tuple[str, dict[str, float]]]:
    """(model, parameters) of every X card, continuation lines joined."""
    out = []
    for line in text.replace("\n+", " ").splitlines():
        if not line.upper().startswith("X"):
            continue
        words = line.split()
        model = next(w for w in reversed(words) if "=" not in w)
        params = {k.lower(): float(v.rstrip("u")) * (1e-6 if v.endswith("u") else 1.0)
                  for k, v in (w.split("=", 1) for w in words if "=" in w)}
        out.append((model.lower(), params))
    return out


def total_width(text: str) -> dict[str, float]:
    """Total MOS gate width (um) per foundry device name."""
    model_to_lvs = {d.model.lower(): d.lvs_name.lower() for d in DEVICES.values()}
    total: dict[str, float] = defaultdict(float)
    for model, params in devices(text):
        name = model_to_lvs.get(model, model)
        if name in ("nfet_03v3", "pfet_03v3"):
            total[name] += params["w"] * 1e6
    return {k: round(v, 3) for k, v in total.items()}


@pytest.mark.parametrize("which", ["tl", "synapse"])
def test_extracted_ports_match_the_schematic(which: str, request):
    schematic, extracted = request.getfixturevalue(which)
    assert schematic.kind == "schematic" and extracted.kind == "extracted"
    assert set(extracted.ports) - set(SUBSTRATE_PORTS) == set(schematic.ports)


@pytest.mark.parametrize("which", ["tl", "synapse"])
def test_extracted_devices_are_the_schematic_devices(which: str, request):
    schematic, extracted = request.getfixturevalue(which)
    body = extracted.path.read_text()
    # foundry names in the KPEX netlist, each one defined by a model wrapper
    used = {model for model, _ in devices(body)}
    assert used - {"nfet_03v3", "pfet_03v3"} <= {"cap_mim_2f0_m4m5_noshield"}
    for name in used:
        assert f".subckt {name} " in extracted.text
    # the same transistors (total width per type) as the schematic
    assert total_width(body) == total_width(schematic.text)


def test_extracted_nets_carry_schematic_names(tl, synapse):
    """LVS names unlabelled layout nets after the schematic, so testbenches can probe the same
    internal node (the loop's shared source, the synapse's weight node) on both netlists."""
    circuits = load_cells()
    for (schematic, extracted), (_, cell, params) in ((tl, TL), (synapse, SYNAPSE)):
        circuit = circuits[cell].circuit(**params)
        internal = circuit.nets() - set(circuit.pins)
        text = extracted.path.read_text().lower()
        named = {net for net in internal if re.search(rf"\b{re.escape(net.lower())}\b", text)}
        assert named == internal, internal - named
        for net in circuit.sensitive_nets():
            assert re.search(rf"\b{re.escape(net.lower())}\b", text)
        assert extracted.node("TL", "core_s") == schematic.node("TL", "core_s") == "xtl.core_s"


def test_extracted_synapse_keeps_its_mim_as_a_model_device(synapse):
    """The weight MIM stays the PDK's model (its corner and statistics apply post-layout), of
    the drawn size; only the parasitics around it are extracted as plain capacitors."""
    schematic, extracted = synapse
    body = extracted.path.read_text()
    mims = [(m, p) for m, p in devices(body) if m.startswith("cap_mim")]
    assert len(mims) == 1
    _, params = mims[0]
    drawn = next((m, p) for m, p in devices(schematic.text) if m == "mim_2p0ff")[1]
    area = params["c_width"] * params["c_length"]
    assert area == pytest.approx(drawn["c_width"] * drawn["c_length"], rel=1e-3)
    assert "mim_2p0fF c_width={c_width}" in extracted.text  # the wrapper calls the PDK model
    plate = spice_caps(extracted.path).get(frozenset(("vc", "vss")), 0.0)
    assert plate < 0.05 * 1000.0  # parasitics only, not the MIM again


def test_instance_wires_ports_by_name_and_substrate_to_ground(tl):
    _, extracted = tl
    line = extracted.instance("A", {"ia": "n1", "ib": "n2", "ic": "n3", "out": "n4",
                                    "vss": "0"})
    words = line.split()
    assert words[0] == "XA" and words[-1] == extracted.name
    wired = dict(zip(extracted.ports, words[1:-1], strict=True))
    assert wired["ia"] == "n1" and wired["out"] == "n4"
    assert all(wired[p] == "0" for p in extracted.ports if p in SUBSTRATE_PORTS)
    with pytest.raises(FlowError, match="not connected"):
        extracted.instance("B", {"ia": "n1"})


def test_missing_subcircuit_names_the_file(tmp_path: Path):
    (tmp_path / "other.pex.spice").write_text(".SUBCKT something a b\n.ENDS\n")
    with pytest.raises(FlowError, match=r"other\.pex\.spice.*no \.SUBCKT other"):
        extracted_netlist(tmp_path, "other")


def charging_slope(cell, corner: str) -> float:
    """dV/dt (V/s) of the weight node charged by 1 nA (large against the devices' leakage,
    which the MOS corner changes too) with every input and bias off."""
    from sim.ngspice import simulate
    from sim.testbenches import Bench, HoldTestbench, memory_hold

    job = memory_hold(cell, "xh.vc", HoldTestbench(duration_s=5e-5), Bench(corner))
    deck = job.netlist.replace(".tran", "ICH 0 xh.vc DC 1n\n.tran", 1)
    result = simulate(deck)
    assert result.ok, result.error
    return float(np.polyfit(result["time"], result["xh.vc"], 1)[0])


def test_the_mim_corner_applies_to_the_extracted_netlist(synapse):
    """The MIM deck's corners scale its capacitance by 0.9 (ff) and 1.1 (ss); the extracted
    weight MIM follows them as the schematic's does (the parasitics around it do not)."""
    for cell in synapse:
        typical = charging_slope(cell, "typical")
        assert typical > 0
        assert charging_slope(cell, "ff") / typical == pytest.approx(1 / 0.9, rel=0.02)
        assert charging_slope(cell, "ss") / typical == pytest.approx(1 / 1.1, rel=0.02)
