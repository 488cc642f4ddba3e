"""LVS of one cell against a reference netlist: compare, explain mismatches, write .lvsdb/JSON."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import klayout.db as kdb

from extraction.drc.engine import load_layout, pick_cell
from extraction.lvs.extract import extract
from extraction.lvs.schematic import read_schematic
from sgdr_flow.config import LvsTolerances, MetalStack
from sgdr_flow.errors import FlowError

X = kdb.NetlistCrossReference
BAD = {X.NoMatch: "no match", X.Mismatch: "mismatch", X.Skipped: "skipped"}


@dataclass
class LvsResult:
    cell: str
    match: bool
    devices_layout: int
    devices_schematic: int
    nets: int
    mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lvs: Any = None

    def as_json(self) -> dict[str, Any]:
        return {"cell": self.cell, "match": self.match, "devices_layout": self.devices_layout,
                "devices_schematic": self.devices_schematic, "nets": self.nets,
                "mismatches": self.mismatches, "seconds": round(self.seconds, 3)}

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=1))

    def write_lvsdb(self, path: Path) -> None:
        """KLayout's netlist browser opens this; klayout-pex reads its layout side."""
        self.lvs.write(str(path))


def _tolerances(netlist: kdb.Netlist, tol: LvsTolerances) -> None:
    for device_class in netlist.each_device_class():
        if isinstance(device_class, kdb.DeviceClassMOS4Transistor):
            w = device_class.parameter_id("W")
            length = device_class.parameter_id("L")
            device_class.equal_parameters = (
                kdb.EqualDeviceParameters(w, 0.0, tol.w_rel)
                + kdb.EqualDeviceParameters(length, 0.0, tol.l_rel))
        elif isinstance(device_class, kdb.DeviceClassCapacitor):
            device_class.equal_parameters = kdb.EqualDeviceParameters(
                device_class.parameter_id("C"), 0.0, tol.c_rel)


def _prepare(netlist: kdb.Netlist) -> None:
    """Flat, with parallel devices combined: the unit of comparison is the device."""
    netlist.flatten()
    netlist.combine_devices()


def _top(netlist: kdb.Netlist, name: str, what: str) -> kdb.Circuit:
    circuit = netlist.circuit_by_name(name)
    if circuit is None:
        names = ", ".join(c.name for c in netlist.each_circuit_top_down()) or "none"
        raise FlowError(f"{what} has no circuit {name!r} (circuits: {names})")
    return circuit


def _pin_problems(layout: kdb.Circuit, schematic: kdb.Circuit) -> list[str]:
    """Schematic pins whose net has no label of the same name in the layout."""
    labelled = {net.name.lower() for net in layout.each_net() if net.name}
    return [f"pin {pin.name()!r} of the schematic has no label in the layout"
            for pin in schematic.each_pin() if pin.name().lower() not in labelled]


def _params(device: kdb.Device) -> str:
    defs = device.device_class().parameter_definitions()
    return ", ".join(f"{p.name}={device.parameter(p.name):.4g}" for p in defs if p.is_primary)


def _describe(xref: kdb.NetlistCrossReference) -> list[str]:
    """One line per unmatched or mismatched device, net and pin."""
    out = []
    for pair in xref.each_circuit_pair():
        for dp in xref.each_device_pair(pair):
            if dp.status() not in BAD:
                continue
            a, b = dp.first(), dp.second()
            if a and b:
                out.append(f"device {a.expanded_name()} ({_params(a)}) in the layout differs "
                           f"from {b.expanded_name()} ({_params(b)}) in the schematic")
            else:
                dev, side = (a, "layout") if a else (b, "schematic")
                out.append(f"device {dev.expanded_name()} ({dev.device_class().name} "
                           f"{_params(dev)}) in the {side} has no match")
        for np in xref.each_net_pair(pair):
            if np.status() in BAD:
                a, b = np.first(), np.second()
                names = " / ".join(f"{n.expanded_name()} ({side})" for n, side in
                                   ((a, "layout"), (b, "schematic")) if n)
                out.append(f"net {names}: {BAD[np.status()]}")
        for pp in xref.each_pin_pair(pair):
            if pp.status() in BAD:
                pin = pp.first() or pp.second()
                out.append(f"pin {pin.name()}: {BAD[pp.status()]}")
    return out


def run_lvs(gds: Path, schematic: Path, cell: str | None = None,
            variant: MetalStack | None = None,
            tolerances: LvsTolerances | None = None) -> LvsResult:
    started = time.monotonic()
    variant = variant or MetalStack()
    layout = load_layout(gds)
    top = pick_cell(layout, cell, gds)
    reference = read_schematic(schematic)
    lvs = extract(layout, top, variant)
    extracted = lvs.netlist()
    extracted.make_top_level_pins()
    _prepare(extracted)
    _prepare(reference)
    tol = tolerances or LvsTolerances()
    _tolerances(extracted, tol)
    _tolerances(reference, tol)
    layout_top = _top(extracted, top.name, f"layout {gds}")
    schematic_top = _top(reference, top.name, f"netlist {schematic}")
    lvs.reference = reference
    match = lvs.compare(kdb.NetlistComparer())
    problems = _pin_problems(layout_top, schematic_top) + _describe(lvs.xref())
    _name_from_schematic(lvs.xref(), extracted)
    return LvsResult(
        cell=top.name, match=match and not problems,
        devices_layout=_count(layout_top.each_device()),
        devices_schematic=_count(schematic_top.each_device()),
        nets=_count(layout_top.each_net()), mismatches=problems,
        seconds=time.monotonic() - started, lvs=lvs)


def _name_from_schematic(xref: kdb.NetlistCrossReference, extracted: kdb.Netlist) -> None:
    """Give unlabelled layout nets their schematic names, so that the extracted (PEX) netlist
    speaks the schematic's language (e.g. a synapse's weight node)."""
    for pair in xref.each_circuit_pair():
        if pair.first() is None:
            continue
        circuit = extracted.circuit_by_name(pair.first().name)
        for net_pair in xref.each_net_pair(pair):
            layout_net, schematic_net = net_pair.first(), net_pair.second()
            if layout_net and schematic_net and not layout_net.name:
                net = circuit.net_by_cluster_id(layout_net.cluster_id)
                net.name = schematic_net.expanded_name().lower()


def _count(items) -> int:
    return sum(1 for _ in items)
