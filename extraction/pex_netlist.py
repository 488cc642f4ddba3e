"""klayout-pex's SPICE netlists as data: read one (ports and devices), write an assembled one.

klayout-pex writes one subcircuit: `.SUBCKT <cell> <ports>`, its devices as `X` calls of the
foundry device names with `name=value` parameters (black-box mode), the parasitic capacitors as
`Cext_<k> a b <value>f` and, in RC mode, resistors; long lines continue with `+`; KLayout's
SPICE writer escapes names (an unnamed net `$4` is written `\\$4`). The capacitors are not read
from here: the extraction's summary has them per net pair with the substrate apart (VSUBS),
which the report needs and the netlist does not show. The assembled netlist is written through
KLayout's SPICE writer too, so its names are escaped and its lines wrapped the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import klayout.db as kdb

from sgdr_flow.errors import FlowError

SUBSTRATE = "VSUBS"  # klayout-pex's name for the substrate in its capacitance summary
_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})|\\(.)")


@dataclass(frozen=True)
class Device:
    name: str
    nets: tuple[str, ...]
    model: str
    params: str  # "l=1e-06 w=8e-06 ..." as klayout-pex wrote them

    def renamed(self, name: str, nets: dict[str, str]) -> Device:
        return Device(name, tuple(nets[n] for n in self.nets), self.model, self.params)


@dataclass(frozen=True)
class PexNetlist:
    cell: str
    ports: tuple[str, ...]
    devices: tuple[Device, ...]


def unescape(name: str) -> str:
    """A name as KLayout's SPICE writer escaped it, back as it was (`\\$4` -> `$4`)."""
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else m[2], name)


def _lines(text: str) -> Iterable[str]:
    """Logical lines: continuations joined, comments and blank lines dropped."""
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("+"):
            current += " " + line[1:].strip()
            continue
        if current:
            yield current
        current = "" if not line or line.startswith("*") else line
    if current:
        yield current


def read_pex_netlist(path: Path) -> PexNetlist:
    """Ports and devices of the subcircuit klayout-pex wrote to `path`."""
    cell, ports, devices = None, (), []
    for line in _lines(path.read_text()):
        words = line.split()
        head = words[0].upper()
        if head == ".SUBCKT":
            cell, ports = words[1], tuple(unescape(w) for w in words[2:])
        elif head.startswith("X"):
            params = [w for w in words[1:] if "=" in w]
            plain = [w for w in words[1:] if "=" not in w]
            if len(plain) < 2:
                raise FlowError(f"{path}: a device line without nets and model: {line[:80]}")
            devices.append(Device(words[0], tuple(unescape(w) for w in plain[:-1]), plain[-1],
                                  " ".join(params)))
        elif head.startswith("R"):
            raise FlowError(f"{path}: resistors (RC mode) cannot be assembled hierarchically")
    if cell is None:
        raise FlowError(f"{path}: no .SUBCKT in klayout-pex's netlist")
    return PexNetlist(cell, ports, tuple(devices))


class _Writer(kdb.NetlistSpiceWriterDelegate):
    """Writes devices as klayout-pex does (`X<n> <nets> <model> <params>`, `C<n> a b <f>`),
    names formatted by KLayout's writer."""

    def __init__(self, header: list[str], devices: dict[str, Device]):
        super().__init__()
        self.header, self.devices = header, devices

    def write_header(self) -> None:
        for line in self.header:
            self.emit_line(f"* {line}")

    def write_device(self, device: kdb.Device) -> None:
        nets = " ".join(self.net_to_string(device.net_for_terminal(t.id()))
                        for t in device.device_class().terminal_definitions())
        if device.device_class().name == CAPACITOR:
            self.emit_line(f"C{device.name} {nets} {device.parameter('C') * 1e15:.6g}f")
            return
        found = self.devices[device.name]
        self.emit_line(f"{found.name} {nets} {found.model} {found.params}".rstrip())


CAPACITOR = "PEX_C"


def write_pex_netlist(path: Path, cell: str, ports: Iterable[str], devices: Iterable[Device],
                      couplings: dict[tuple[str, str], float], substrate: str,
                      header: list[str]) -> None:
    """One flat subcircuit: the devices, then one capacitor per net pair (the substrate's on
    `substrate`), in the order given."""
    netlist = kdb.Netlist()
    circuit = kdb.Circuit()
    circuit.name = cell
    netlist.add(circuit)
    nets: dict[str, kdb.Net] = {}

    def net(name: str) -> kdb.Net:
        if name not in nets:
            nets[name] = circuit.create_net(name)
        return nets[name]

    for port in ports:
        circuit.connect_pin(circuit.create_pin(port), net(port))
    classes: dict[int, kdb.DeviceClass] = {}
    by_name: dict[str, Device] = {}
    for device in devices:
        count = len(device.nets)
        if count not in classes:
            classes[count] = kdb.DeviceClass()
            classes[count].name = f"PEX_X{count}"
            for k in range(count):
                classes[count].add_terminal(kdb.DeviceTerminalDefinition(f"T{k}"))
            netlist.add(classes[count])
        placed = circuit.create_device(classes[count], device.name)
        for k, name in enumerate(device.nets):
            placed.connect_terminal(k, net(name))
        by_name[device.name] = device
    capacitor = kdb.DeviceClassCapacitor()
    capacitor.name = CAPACITOR
    netlist.add(capacitor)
    ends = (((b, substrate) if a == SUBSTRATE else (a, substrate if b == SUBSTRATE else b), cap)
            for (a, b), cap in couplings.items())
    # the substrate's own metal to the substrate is no capacitor (as klayout-pex drops it)
    for k, ((a, b), cap) in enumerate(((pair, cap) for pair, cap in ends if pair[0] != pair[1]),
                                      1):
        placed = circuit.create_device(capacitor, f"ext_{k}")
        placed.connect_terminal("A", net(a))
        placed.connect_terminal("B", net(b))
        placed.set_parameter("C", cap * 1e-15)
    writer = kdb.NetlistSpiceWriter(_Writer(header, by_name))
    writer.use_net_names = True
    writer.with_comments = False
    netlist.write(str(path), writer)
