"""A small typed circuit model: the single source from which a cell's schematic and layout come.

A `Circuit` holds MOS and MIM devices and instances of other circuits. It writes the LVS
reference netlist (CDL as the foundry's LVS deck reads it: `M` and `C` elements with the
foundry's device names) and the simulation netlist (`X` calls of the installed PDK's ngspice
models). Layout generators place the devices of the flattened circuit, so what is drawn is what
the schematic says.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from pdk.gf180mcu.device_names import foundry_mim_name
from pdk.gf180mcu.devices import DEVICES, mim_device
from pdk.gf180mcu.rules import GRID_UM
from pdk.gf180mcu.rules.mim import bottom_plate_level
from pdk.gf180mcu.stack import MetalStack

MosKind = Literal["nmos", "pmos"]
LVS_MOS = {"nmos": "nfet_03v3", "pmos": "pfet_03v3"}


def on_grid(value: float) -> bool:
    return abs(value / GRID_UM - round(value / GRID_UM)) < 1e-6


@dataclass(frozen=True)
class Mos:
    """A MOS transistor; `w` is the total width over `nf` fingers (um), as the PDK's schematics."""

    name: str
    kind: MosKind
    d: str
    g: str
    s: str
    b: str
    w: float
    l: float  # noqa: E741 - the PDK's parameter name
    nf: int = 1
    dummies: int = 0  # Poly2 dummy stripes on each side of the COMP (layout only, not in SPICE)

    def __post_init__(self) -> None:
        if self.nf < 1:
            raise ValueError(f"{self.name}: nf must be >= 1")
        if self.dummies < 0:
            raise ValueError(f"{self.name}: dummies must be >= 0")
        if not (on_grid(self.w / self.nf) and on_grid(self.l)):
            raise ValueError(f"{self.name}: finger width {self.w / self.nf:g} um and length "
                             f"{self.l:g} um must be on the {GRID_UM} um grid")

    @property
    def nets(self) -> dict[str, str]:
        return {"d": self.d, "g": self.g, "s": self.s, "b": self.b}

    @property
    def lvs_name(self) -> str:
        return LVS_MOS[self.kind]

    @property
    def model(self) -> str:
        return DEVICES[self.lvs_name].model


@dataclass(frozen=True)
class Mim:
    """A MIM capacitor: top plate (FuseTop) and bottom plate nets, drawn size in um."""

    name: str
    top: str
    bottom: str
    width: float
    length: float
    density: float = 2.0  # fF/um^2 of the chosen MIM flavour

    @property
    def nets(self) -> dict[str, str]:
        return {"top": self.top, "bottom": self.bottom}

    @property
    def lvs_name(self) -> str:
        return mim_device(self.density).lvs_name

    @property
    def model(self) -> str:
        return mim_device(self.density).model


Device = Mos | Mim


@dataclass(frozen=True)
class Matched:
    """Devices whose placement must cancel gradients: the centroids of all `sets` coincide.

    A matched group or mirror has one set per device (its unit transistors); a translinear loop
    has two, its clockwise and its counter-clockwise junctions (a gradient then adds as much to
    one side of the loop as to the other)."""

    name: str
    kind: Literal["group", "loop"]
    sets: tuple[tuple[str, ...], ...]

    def renamed(self, prefix: str) -> Matched:
        return Matched(f"{prefix}{self.name}", self.kind,
                       tuple(tuple(f"{prefix}{n}" for n in s) for s in self.sets))


@dataclass(frozen=True)
class Instance:
    name: str
    circuit: Circuit
    connections: dict[str, str]  # pin of the circuit -> net of the parent


@dataclass
class Circuit:
    name: str
    pins: list[str]
    devices: list[Device] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    sensitive: list[str] = field(default_factory=list)  # nets the PEX report watches
    matched: list[Matched] = field(default_factory=list)  # what the placement must match
    # device names (flat) of the layout's bottom and top rows, in order; None: NMOS at the
    # bottom and PMOS on top in circuit order
    placement: dict[str, list[str]] | None = None

    def add(self, device: Device) -> Device:
        if any(d.name == device.name for d in self.devices):
            raise ValueError(f"{self.name}: duplicate device {device.name}")
        self.devices.append(device)
        return device

    def instantiate(self, name: str, circuit: Circuit, **connections: str) -> Instance:
        missing = set(circuit.pins) - set(connections)
        extra = set(connections) - set(circuit.pins)
        if missing or extra:
            raise ValueError(f"{self.name}.{name}: pins missing {sorted(missing)}, "
                             f"unknown {sorted(extra)}")
        instance = Instance(name, circuit, connections)
        self.instances.append(instance)
        return instance

    def flat(self, prefix: str = "", nets: dict[str, str] | None = None) -> list[Device]:
        """All devices with hierarchical names; pins map to the parent's nets, internal nets
        get the instance path as prefix."""
        nets = nets or {}

        def net(name: str) -> str:
            return nets.get(name, f"{prefix}{name}")

        out: list[Device] = []
        for device in self.devices:
            mapped = {k: net(v) for k, v in device.nets.items()}
            out.append(replace(device, name=f"{prefix}{device.name}", **mapped))
        for inst in self.instances:
            inner = {pin: net(n) for pin, n in inst.connections.items()}
            out += inst.circuit.flat(f"{prefix}{inst.name}_", inner)
        return out

    def sensitive_nets(self, prefix: str = "", nets: dict[str, str] | None = None) -> list[str]:
        """Sensitive nets of this circuit and its instances, as flat net names."""
        nets = nets or {}
        out = [nets.get(n, f"{prefix}{n}") for n in self.sensitive]
        for inst in self.instances:
            inner = {pin: nets.get(n, f"{prefix}{n}") for pin, n in inst.connections.items()}
            out += inst.circuit.sensitive_nets(f"{prefix}{inst.name}_", inner)
        return sorted(set(out))

    def match(self, name: str, kind: Literal["group", "loop"], *sets: tuple[str, ...]) -> None:
        """Declare devices (flat names below this circuit) that the placement must match."""
        known = {d.name for d in self.flat()}
        unknown = sorted({n for s in sets for n in s} - known)
        if unknown:
            raise ValueError(f"{self.name}: matched {name!r} names unknown devices {unknown}")
        self.matched.append(Matched(name, kind, tuple(tuple(s) for s in sets)))

    def flat_matched(self, prefix: str = "") -> list[Matched]:
        """Matched sets of this circuit and its instances, with flat device names."""
        out = [m.renamed(prefix) for m in self.matched]
        for inst in self.instances:
            out += inst.circuit.flat_matched(f"{prefix}{inst.name}_")
        return out

    def flattened(self) -> Circuit:
        return Circuit(self.name, list(self.pins), self.flat(), matched=self.flat_matched())

    def nets(self) -> set[str]:
        return {n for d in self.flat() for n in d.nets.values()}


def _fmt(value_um: float) -> str:
    return f"{value_um:.6g}u"


def lvs_card(device: Device, variant: MetalStack) -> str:
    """One device as the foundry's CDL writes it: an `M` or `C` element (the foundry deck reads
    `X` calls of device subcircuits as circuits it does not know), W total over `nf` fingers,
    the MIM under its metal stack's name (cap_mim_2f0_m4m5_noshield) with its size and area
    capacitance (the deck compares both)."""
    if isinstance(device, Mos):
        return (f"M{device.name} {device.d} {device.g} {device.s} {device.b} {device.lvs_name} "
                f"W={_fmt(device.w)} L={_fmt(device.l)} nf={device.nf} m=1")
    bottom = bottom_plate_level(variant.metal_levels, variant.mim_option)
    cap_ff = device.width * device.length * device.density
    return (f"C{device.name} {device.top} {device.bottom} "
            f"{foundry_mim_name(device.density, bottom)} W={_fmt(device.width)} "
            f"L={_fmt(device.length)} c={cap_ff:.6g}f m=1")


def sim_card(device: Device) -> str:
    """One device for ngspice with the installed PDK's model names (W total, nf fingers).

    The MIM model takes its plate size in metres, unlike the `u`-suffixed LVS card."""
    if isinstance(device, Mos):
        return (f"X{device.name} {device.d} {device.g} {device.s} {device.b} {device.model} "
                f"w={_fmt(device.w)} l={_fmt(device.l)} nf={device.nf}")
    return (f"X{device.name} {device.top} {device.bottom} {device.model} "
            f"c_width={device.width * 1e-6:.6g} c_length={device.length * 1e-6:.6g}")


def subckt(circuit: Circuit, card, pininfo: bool = False) -> str:
    lines = [f".SUBCKT {circuit.name} {' '.join(circuit.pins)}"]
    if pininfo:
        lines.append("*.PININFO " + " ".join(f"{pin}:B" for pin in circuit.pins))
    lines += [card(device) for device in circuit.flat()]
    lines.append(f".ENDS {circuit.name}")
    return "\n".join(lines) + "\n"


def lvs_netlist(circuit: Circuit, variant: MetalStack) -> str:
    """The LVS reference subcircuit as CDL, flat: pins are the layout's labelled pins, in the
    circuit's order."""
    return (f"* LVS reference of {circuit.name} (sgdr-flow): CDL, foundry device names\n"
            + subckt(circuit, lambda device: lvs_card(device, variant), pininfo=True))


def sim_netlist(circuit: Circuit) -> str:
    """The simulation subcircuit (include the PDK model deck before using it)."""
    return f"* simulation netlist of {circuit.name} (sgdr-flow)\n" + subckt(circuit, sim_card)
