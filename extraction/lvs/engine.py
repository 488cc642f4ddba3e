"""LVS of one cell against a reference netlist: compare, name what differs, write .lvsdb/JSON."""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import klayout.db as kdb

from extraction.drc.engine import pick_cell
from extraction.extent import read_layout
from extraction.gds_input import require_gf180_shapes
from extraction.lvs.compare import (
    Compare,
    Labels,
    Locator,
    key,
    names_of,
    read_labels,
)
from extraction.lvs.extract import extract
from extraction.lvs.findings import Finding, at
from extraction.lvs.schematic import Builder
from extraction.lvs.spice import Deck, read_deck
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.config import LvsTolerances
from sgdr_flow.errors import FlowError


@dataclass
class LvsResult:
    cell: str
    match: bool
    devices_layout: int
    devices_schematic: int
    nets: int                        # layout nets
    nets_schematic: int = 0
    mismatches: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    substrate: str | None = None
    seconds: float = 0.0
    lvs: Any = None

    def as_json(self) -> dict[str, Any]:
        return {"cell": self.cell, "match": self.match, "devices_layout": self.devices_layout,
                "devices_schematic": self.devices_schematic, "nets": self.nets,
                "nets_schematic": self.nets_schematic, "substrate": self.substrate,
                "mismatches": [m.as_json() for m in self.mismatches],
                "warnings": [w.as_json() for w in self.warnings],
                "seconds": round(self.seconds, 3)}

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=1))

    def write_lvsdb(self, path: Path) -> None:
        """KLayout's netlist browser opens this; klayout-pex reads its layout side."""
        self.lvs.write(str(path))


def schematic_circuit(deck: Deck, cell: str) -> str:
    """The netlist's subcircuit for a layout cell: the one of the same name, else the only one
    no other instantiates. FlowError (exit 2) otherwise."""
    if cell.lower() in deck.subckts:
        return deck.subckts[cell.lower()].name
    called = {e.model.lower() for s in deck.subckts.values() for e in s.elements if e.kind == "X"}
    tops = [s.name for s in deck.subckts.values() if s.name.lower() not in called]
    if len(tops) == 1:
        return tops[0]
    names = ", ".join(s.name for s in deck.subckts.values()) or "none"
    raise FlowError(f"netlist {deck.path} has no circuit {cell!r} (circuits: {names})")


def default_substrate(circuit: kdb.Circuit) -> str | None:
    """The substrate net from the pins: the pin most NMOS bulks (outside DNWELL) go to."""
    pins = {key(p.name()): p.name() for p in circuit.each_pin()}
    bulks: Counter[str] = Counter()
    for device in circuit.each_device():
        name = device.device_class().name.lower()
        if name.startswith("nfet") and "_dn" not in name:
            net = device.net_for_terminal(device.device_class().terminal_id("B"))
            if net is not None and net.name:
                bulks[key(net.name)] += 1
    found = [name for name, _ in bulks.most_common() if name in pins]
    return pins[found[0]] if found else None


def _extract(layout: kdb.Layout, top: kdb.Cell, variant: MetalStack,
             labels: Labels) -> tuple[kdb.LayoutVsSchematic, list[Finding]]:
    """Extract; labels of one name on several top-level nets are joined (as the foundry deck
    does), each such join reported: the pieces must be connected outside the cell."""
    lvs = extract(layout, top, variant)
    circuit = lvs.netlist().circuit_by_name(top.name)
    pieces: dict[str, list[kdb.Net]] = defaultdict(list)
    for net in circuit.each_net():
        for name in names_of(net):
            pieces[name].append(net)
    joined = {name: nets for name, nets in pieces.items()
              if len(nets) > 1 and key(name) in labels.top}
    if not joined:
        return lvs, []
    locate = Locator(lvs, labels)
    warnings = [Finding("pin", "joined by name",
                        f"label {name!r} is on {len(nets)} unconnected layout nets"
                        f"{at(locate(nets[0]))}; joined by name (as the foundry deck does): "
                        f"connect them in the layout or outside the cell", name, name,
                        nets=tuple(n.expanded_name() for n in nets),
                        location_um=locate(nets[0]))
                for name, nets in joined.items()]
    return extract(layout, top, variant, tuple(joined)), warnings


def _reference(schematic: Path, top: kdb.Cell, variant: MetalStack) -> tuple[kdb.Netlist, str]:
    """The reference netlist, flat with parallel devices combined, and its circuit's name."""
    deck = read_deck(schematic)
    name = schematic_circuit(deck, top.name)
    reference = Builder(deck, variant).build(name)
    reference.flatten()
    reference.combine_devices()
    return reference, name


def reference_substrate(gds: Path, schematic: Path, cell: str | None = None,
                        variant: MetalStack | None = None) -> str | None:
    """The substrate net the built-in LVS takes by default, for a sign-off deck's lvs_sub."""
    layout = read_layout(gds)
    reference, name = _reference(schematic, pick_cell(layout, cell, gds), variant or MetalStack())
    return default_substrate(reference.circuit_by_name(name))


def run_lvs(gds: Path, schematic: Path, cell: str | None = None,
            variant: MetalStack | None = None, tolerances: LvsTolerances | None = None,
            substrate: str | None = None) -> LvsResult:
    started = time.monotonic()
    variant = variant or MetalStack()
    layout = read_layout(gds)
    top = pick_cell(layout, cell, gds)
    require_gf180_shapes(layout, top, gds)
    reference, name = _reference(schematic, top, variant)
    schematic_top = reference.circuit_by_name(name)
    if substrate is not None and not any(key(n.name or "") == key(substrate)
                                         for n in schematic_top.each_net()):
        raise FlowError(f"substrate net {substrate!r}: no such net in {name} of {schematic}")
    substrate = substrate or default_substrate(schematic_top)
    labels = read_labels(layout, top)
    lvs, warnings = _extract(layout, top, variant, labels)
    if name.lower() != top.name.lower():
        warnings.insert(0, Finding("circuit", "other name",
                                   f"layout cell {top.name!r} is compared with {name!r}, the "
                                   f"netlist's only circuit no other instantiates",
                                   top.name, name))
    extracted = lvs.netlist()
    extracted.make_top_level_pins()
    extracted.flatten()
    extracted.combine_devices()
    layout_top = extracted.circuit_by_name(top.name)
    lvs.reference = reference
    comparison = Compare(lvs, layout_top, schematic_top, tolerances or LvsTolerances(),
                         substrate, Locator(lvs, labels)).run()
    _name_from_schematic(lvs.xref(), extracted)
    return LvsResult(
        cell=top.name, match=comparison.match,
        devices_layout=_count(layout_top.each_device()),
        devices_schematic=_count(schematic_top.each_device()),
        nets=_count(layout_top.each_net()), nets_schematic=_count(schematic_top.each_net()),
        mismatches=comparison.findings, warnings=warnings + comparison.warnings,
        substrate=substrate, seconds=time.monotonic() - started, lvs=lvs)


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
