"""Reference netlists as KLayout netlists, in the units and device classes of the extraction.

Every GF180MCU device name a schematic may use is known (see `pdk.gf180mcu.device_names`);
a name no device has, or an `X` call of a subcircuit the netlist does not define, is an input
error naming file, line and name. Devices are written as `M`/`C`/`R`/`D`/`Q` elements (CDL) or
as `X` calls of the PDK's device subcircuits (xschem). MOS `W` is the total width over `nf`
fingers, `m` multiplies it; MIM size comes from `w`/`l` or `c_width`/`c_length` (else from
`c`), and must be on the metal stack's MIM (`cap_mim_2f0_m4m5_noshield` is Metal4-Metal5).
Parametrized subcircuits become one circuit per parameter set; global nets (`.GLOBAL`, `vdd!`)
reach every subcircuit as extra pins.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import klayout.db as kdb

from extraction.lvs.spice import Deck, Element, Subckt, evaluate, read_deck, spice_number
from pdk.gf180mcu.device_names import DeviceName, lookup
from pdk.gf180mcu.devices import POLY_RESISTORS
from pdk.gf180mcu.rules.mim import bottom_plate_level
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.errors import FlowError

EXAMPLES = "nfet_03v3, pfet_03v3, cap_mim_2f0fF or cap_mim_2f0_m4m5_noshield"
# element letter -> device kinds it may name
KINDS = {"M": ("mos",), "C": ("mim", "moscap"), "R": ("resistor",), "D": ("diode",),
         "Q": ("bjt",), "X": ("mos", "mim", "moscap", "resistor", "diode", "bjt")}
SHEET_OHM = {r.name: r.sheet_ohm for r in POLY_RESISTORS}
TERMINALS = {"mos": (4,), "mim": (2,), "moscap": (2,), "resistor": (2, 3), "diode": (2,),
             "bjt": (3, 4)}


def read_schematic(path: Path, variant: MetalStack | None = None,
                   top: str | None = None) -> kdb.Netlist:
    """Read a SPICE/CDL reference; with a variant, its MIMs must be that stack's. With a top
    name only that subcircuit's tree is built."""
    deck = read_deck(path)
    return Builder(deck, variant).build(top)


def netlist_stack(path: Path) -> dict[str, Any]:
    """The metal-stack options a netlist's MIM names imply, where they agree: the foundry name
    cap_mim_1f5_m3m4_noshield means 1.5 fF/um^2 on Metal3-Metal4, so option B with 4 metals
    (m2m3 is option A, on any stack); the PDK's cap_mim_1f5fF tells only the density."""
    deck = read_deck(path)
    elements = deck.elements + [e for s in deck.subckts.values() for e in s.elements]
    names = [lookup(e.model) for e in elements if e.kind in "CX" and e.model]
    mims = [n for n in names if n is not None and n.kind == "mim"]
    found: dict[str, set] = {"mim_cap_density": {m.density for m in mims}}
    plates = {m.plates[0] for m in mims if m.plates}
    found["mim_option"] = {"A" if bottom == 2 else "B" for bottom in plates}
    found["metal_levels"] = {bottom + 1 for bottom in plates if bottom > 2}
    return {name: values.pop() for name, values in found.items() if len(values) == 1}


class Builder:
    def __init__(self, deck: Deck, variant: MetalStack | None):
        self.deck = deck
        self.variant = variant
        self.netlist = kdb.Netlist()  # names as written; LVS matches them ignoring case
        self.circuits: dict[tuple, kdb.Circuit] = {}
        self.names: dict[str, int] = {}
        self.building: list[str] = []
        self.globals: dict[str, list[str]] = {}
        self.scope = self._params(deck.params, {}, None)

    # ------------------------------------------------------------------------ circuits
    def build(self, top: str | None) -> kdb.Netlist:
        if top is not None and top.lower() in self.deck.subckts:
            self.circuit(self.deck.subckts[top.lower()], {})
        else:
            for sub in self.deck.subckts.values():
                self.circuit(sub, {})
        if self.deck.elements and self.deck.path.stem.lower() not in self.deck.subckts:
            loose = Subckt(self.deck.path.stem, [], {}, self.deck.elements)
            self.circuit(loose, {})
        return self.netlist

    def _params(self, raw: dict[str, str], scope: dict[str, float],
                where: object) -> dict[str, float]:
        out = dict(scope)
        for name, text in raw.items():
            try:
                out[name] = evaluate(text, out)
            except ValueError as exc:
                if where is not None:
                    raise FlowError(f"{where}: parameter {name}: {exc}") from exc
        return out

    def globals_of(self, sub: Subckt) -> list[str]:
        """Global nets a subcircuit uses, itself or through its instances (first use order)."""
        key = sub.name.lower()
        if key not in self.globals:
            self.globals[key] = []
            found: list[str] = []
            for element in sub.elements:
                found += [n for n in element.nets if self.deck.is_global(n)]
                child = self.deck.subckts.get(element.model.lower())
                if element.kind == "X" and child is not None and not _device(element):
                    found += self.globals_of(child)
            pins = {p.lower() for p in sub.pins}
            unique = {n.lower(): n for n in reversed(found) if n.lower() not in pins}
            self.globals[key] = list(reversed(unique.values()))
        return self.globals[key]

    def circuit(self, sub: Subckt, overrides: dict[str, float]) -> kdb.Circuit:
        scope = self._params(sub.params, self.scope, sub.where)
        scope.update(overrides)
        key = (sub.name.lower(), tuple(sorted((k, scope[k]) for k in sub.params if k in scope)))
        if key in self.circuits:
            return self.circuits[key]
        if sub.name.lower() in self.building:
            raise FlowError(f"{sub.where}: subcircuit {sub.name} instantiates itself")
        self.building.append(sub.name.lower())
        count = self.names.get(sub.name.lower(), 0)
        self.names[sub.name.lower()] = count + 1
        circuit = kdb.Circuit()
        circuit.name = sub.name if count == 0 else f"{sub.name}${count}"
        self.netlist.add(circuit)
        nets: dict[str, kdb.Net] = {}

        def net(name: str) -> kdb.Net:
            if name.lower() not in nets:
                nets[name.lower()] = circuit.create_net(name)
            return nets[name.lower()]

        for pin in [*sub.pins, *self.globals_of(sub)]:
            if pin.lower() in nets:
                raise FlowError(f"{sub.where}: pin {pin} of {sub.name} is listed twice")
            circuit.connect_pin(circuit.create_pin(pin), net(pin))
        for element in sub.elements:
            self.element(circuit, element, scope, net)
        self.circuits[key] = circuit
        self.building.pop()
        return circuit

    def instance(self, parent: kdb.Circuit, element: Element, scope: dict[str, float],
                 net: Callable[[str], kdb.Net]) -> None:
        sub = self.deck.subckts.get(element.model.lower())
        if sub is None:
            raise FlowError(f"{element.where}: {element.name} calls {element.model!r}, which is "
                            f"neither a subcircuit of the netlist nor a GF180MCU device "
                            f"(e.g. {EXAMPLES})")
        if len(element.nets) != len(sub.pins):
            raise FlowError(f"{element.where}: {element.name} connects {len(element.nets)} nets "
                            f"to {sub.name}, which has {len(sub.pins)} pins")
        overrides = {}
        for name, text in element.params.items():
            try:
                overrides[name] = evaluate(text, scope)
            except ValueError as exc:
                raise FlowError(f"{element.where}: {element.name} {name}: {exc}") from exc
        child = self.circuit(sub, overrides)
        # named without its X, as SPICE readers do: the flat net names are then S0.vc
        instance = parent.create_subcircuit(child, element.name[1:])
        for pin, name in zip(child.each_pin(), [*element.nets, *self.globals_of(sub)],
                             strict=True):
            instance.connect_pin(pin, net(name))

    # ------------------------------------------------------------------------ devices
    def element(self, circuit: kdb.Circuit, element: Element, scope: dict[str, float],
                net: Callable[[str], kdb.Net]) -> None:
        device = _device(element)
        if element.kind == "X" and device is None:
            self.instance(circuit, element, scope, net)
            return
        if device is None:
            what = (f"unknown device model {element.model!r}" if element.model
                    else "no device model")
            raise FlowError(f"{element.where}: {element.name} has {what}: GF180MCU devices are "
                            f"e.g. {EXAMPLES}")
        if device.kind not in KINDS[element.kind]:
            raise FlowError(f"{element.where}: {element.name}: {element.model} is a "
                            f"{device.kind}, not a device an {element.kind} line can name")
        if len(element.nets) not in TERMINALS[device.kind]:
            raise FlowError(f"{element.where}: {element.name}: a {device.kind} "
                            f"({element.model}) has {' or '.join(map(str, TERMINALS[device.kind]))}"
                            f" terminals, the line gives {len(element.nets)}")
        values = Values(element, scope, self.deck.scale)
        make = {"mos": self.mos, "mim": self.mim, "moscap": self.moscap,
                "resistor": self.resistor, "diode": self.diode, "bjt": self.bjt}[device.kind]
        make(circuit, element, device, values, net)

    def device_class(self, name: str, kind: type) -> kdb.DeviceClass:
        existing = self.netlist.device_class_by_name(name)
        if existing is None:
            existing = kind()
            existing.name = name
            self.netlist.add(existing)
        return existing

    def _create(self, circuit: kdb.Circuit, element: Element, device_class: kdb.DeviceClass,
                terminals: tuple[str, ...], net: Callable[[str], kdb.Net],
                parameters: dict[str, float]) -> None:
        created = circuit.create_device(device_class, element.name)
        for terminal, name in zip(terminals, element.nets, strict=False):
            created.connect_terminal(terminal, net(name))
        for name, value in parameters.items():
            created.set_parameter(name, value)

    def mos(self, circuit, element, device, values, net) -> None:
        cls = self.device_class(device.canonical, kdb.DeviceClassMOS4Transistor)
        m = values.multiplier()
        self._create(circuit, element, cls, ("D", "G", "S", "B"), net, {
            "W": values.length(("w",)) * m, "L": values.length(("l",))})

    def mim(self, circuit, element, device, values, net) -> None:
        self._check_stack(element, device)
        m = values.multiplier()
        width, length = values.length(("c_width", "w"), None), values.length(("c_length", "l"),
                                                                            None)
        if width is not None and length is not None:
            area, perimeter = width * length * m, 2 * (width + length) * m
        else:
            cap = values.number(("c",), values.positional())
            if cap is None:
                raise FlowError(f"{element.where}: {element.name} gives neither the MIM's size "
                                f"(w, l or c_width, c_length) nor its capacitance (c)")
            area = cap * m / (device.density * 1e-15)
            perimeter = 4 * math.sqrt(area)
        cls = self.device_class(device.canonical, kdb.DeviceClassCapacitor)
        # top plate (FuseTop) first, as the PDK symbol and the foundry CDL write it
        self._create(circuit, element, cls, ("B", "A"), net, {
            "A": area, "P": perimeter, "C": area * device.density * 1e-15})

    def _check_stack(self, element: Element, device: DeviceName) -> None:
        if self.variant is None:
            return
        stack = (f"{self.variant.metal_levels}LM, MIM option {self.variant.mim_option}, "
                 f"{self.variant.mim_cap_density:g} fF/um^2")
        if device.density != self.variant.mim_cap_density:
            raise FlowError(f"{element.where}: {element.name} is a {device.density:g} fF/um^2 "
                            f"MIM ({element.model}), the metal stack has {stack}")
        bottom = bottom_plate_level(self.variant.metal_levels, self.variant.mim_option)
        if device.plates is not None and device.plates[0] != bottom:
            raise FlowError(f"{element.where}: {element.name} ({element.model}) is a MIM on "
                            f"Metal{device.plates[0]}-Metal{device.plates[1]}, the metal stack "
                            f"({stack}) has it on Metal{bottom}-Metal{bottom + 1}")

    def moscap(self, circuit, element, device, values, net) -> None:
        m = values.multiplier()
        width, length = values.length(("w", "c_width")), values.length(("l", "c_length"))
        cls = self.device_class(device.canonical, kdb.DeviceClassCapacitor)
        self._create(circuit, element, cls, ("A", "B"), net, {
            "A": width * length * m, "P": 2 * (width + length) * m})

    def resistor(self, circuit, element, device, values, net) -> None:
        # foundry CDL writes a resistor's parallel count as par (and repeats it as m)
        parallel = values.number(("par",)) or values.multiplier()
        series = values.number(("s",)) or 1.0
        bulk = len(element.nets) == 3
        cls = self.device_class(device.canonical, kdb.DeviceClassResistorWithBulk if bulk
                                else kdb.DeviceClassResistor)
        width = values.length(("w",), None) or 0.0
        length = values.length(("l",), None) or 0.0
        sheet = SHEET_OHM.get(device.canonical)
        resistance = values.number(("r",), values.positional())
        if resistance is None:  # as the layout extraction has it: squares times sheet rho
            resistance = (sheet or 0.0) * length / width if width else 0.0
        self._create(circuit, element, cls, ("A", "B", "W"), net, {
            "R": resistance * series / parallel, "W": width * parallel, "L": length * series})

    def diode(self, circuit, element, device, values, net) -> None:
        m = values.multiplier()
        width, length = values.length(("w",), None), values.length(("l",), None)
        area = (width * length if width and length else
                (values.number(("area",)) or 0.0) * 1e12 * self.deck.scale ** 2)
        perimeter = (2 * (width + length) if width and length else
                     (values.number(("pj", "perim")) or 0.0) * 1e6 * self.deck.scale)
        cls = self.device_class(device.canonical, kdb.DeviceClassDiode)
        self._create(circuit, element, cls, ("A", "C"), net, {"A": area * m, "P": perimeter * m})

    def bjt(self, circuit, element, device, values, net) -> None:
        four = len(element.nets) == 4
        cls = self.device_class(device.canonical, kdb.DeviceClassBJT4Transistor if four
                                else kdb.DeviceClassBJT3Transistor)
        self._create(circuit, element, cls, ("C", "B", "E", "S"), net,
                     {"NE": values.multiplier()})


def _device(element: Element) -> DeviceName | None:
    return lookup(element.model) if element.model else None


class Values:
    """An element's parameters in LVS units (um, um^2, F, ohm), evaluated on demand (an
    unused parameter the reader cannot evaluate does not matter)."""

    def __init__(self, element: Element, scope: dict[str, float], scale: float):
        self.element = element
        self.scale = scale
        self.scope = dict(scope)
        for name, text in element.params.items():
            number = spice_number(text)
            if number is not None:
                self.scope[name] = number

    def number(self, names: tuple[str, ...], default: float | None = None) -> float | None:
        for name in names:
            if name in self.element.params:
                try:
                    return evaluate(self.element.params[name], self.scope)
                except ValueError as exc:
                    raise FlowError(f"{self.element.where}: {self.element.name} {name}: "
                                    f"{exc}") from exc
        return default

    _MISSING = object()

    def length(self, names: tuple[str, ...], default: object = _MISSING) -> float | None:
        """A length in um (the netlist's are in metres, times its .SCALE)."""
        value = self.number(names)
        if value is None:
            if default is Values._MISSING:
                raise FlowError(f"{self.element.where}: {self.element.name} has no "
                                f"{' or '.join(names)}")
            return default
        return value * self.scale * 1e6

    def multiplier(self) -> float:
        value = self.number(("m", "mult"), 1.0)
        if value is None or value <= 0:
            raise FlowError(f"{self.element.where}: {self.element.name}: m must be positive")
        return value

    def positional(self) -> float | None:
        text = self.element.value
        return spice_number(text) if text is not None else None
