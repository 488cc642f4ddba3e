"""GF180MCU device names as netlists write them, and what each one is.

A schematic may name a device as the foundry's LVS decks do (`nfet_03v3`, `ppolyf_u`; MIMs as
`cap_mim_2f0_m4m5_noshield` in the deck with `schematic_simplify`, `cap_mim_2p0fF` in the
current one), as the PDK package's symbols and cells do (`cap_mim_2f0fF`) or by its ngspice
model (`nmos_3p3`, `mim_2p0fF`). LVS compares each device
under one class name: the one the layout extraction gives it (`nfet_03v3`, `cap_mim_2f0fF`).
A foundry MIM name also says which metals its plates are on (`m4m5`: Metal4 and Metal5), which
must agree with the metal stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pdk.gf180mcu.devices import DEVICES, MIM_BY_DENSITY

DeviceKind = Literal["mos", "mim", "resistor", "diode", "bjt", "moscap"]

_VOLTAGES = ("03v3", "05v0", "06v0")
MOS_NAMES: tuple[str, ...] = (
    *(f"{t}fet_{v}{s}" for t in "np" for v in _VOLTAGES for s in ("", "_dn", "_dss", "_dn_dss")),
    "nfet_06v0_nvt", "nfet_10v0_asym", "pfet_10v0_asym")
RESISTOR_NAMES: tuple[str, ...] = (
    *(f"{base}{dw}" for base in ("nplus_u", "pplus_u", "nplus_s", "pplus_s", "npolyf_u",
                                 "ppolyf_u", "npolyf_s", "ppolyf_s") for dw in ("", "_dw")),
    *(f"ppolyf_u_{k}{hv}{dw}" for k in ("1k", "2k", "3k") for hv in ("", "_6p0")
      for dw in ("", "_dw")),
    "nwell", "pwell", "rm1", "rm2", "rm3", "tm6k", "tm9k", "tm11k", "tm30k", "efuse")
DIODE_NAMES: tuple[str, ...] = (
    *(f"diode_{j}_{v}{dn}" for j in ("nd2ps", "pd2nw") for v in ("03v3", "06v0")
      for dn in ("", "_dn")),
    *(f"diode_{j}_{v}" for j in ("nw2ps", "pw2dw", "dw2ps") for v in ("03v3", "06v0")),
    "sc_diode")
BJT_NAMES: tuple[str, ...] = (
    *(f"npn_{size}" for size in ("10p00x10p00", "05p00x05p00", "00p54x16p00", "00p54x08p00",
                                 "00p54x04p00", "00p54x02p00")),
    *(f"pnp_{size}" for size in ("10p00x10p00", "05p00x05p00", "10p00x00p42", "05p00x00p42")))
MOSCAP_NAMES: tuple[str, ...] = tuple(
    f"cap_{t}mos_{v}{s}" for t in "np" for v in ("03v3", "06v0") for s in ("", "_b", "_dn"))

_FOUNDRY_MIM = re.compile(r"^cap_mim_(\d)f(\d)_m(\d)m(\d)_noshield$")


@dataclass(frozen=True)
class DeviceName:
    name: str                    # as the netlist writes it, lower case
    kind: DeviceKind
    canonical: str               # the class LVS compares it under
    density: float = 0.0         # MIM: fF/um^2
    plates: tuple[int, int] | None = None  # MIM: metal levels of its plates, if the name says


def _density_tag(density: float) -> str:
    whole, tenths = divmod(round(density * 10), 10)
    return f"{whole}f{tenths}"


def mim_class(density: float) -> str:
    """The MIM's class in LVS (and the layout extraction): the PDK's name, e.g. cap_mim_2f0fF."""
    return DEVICES[MIM_BY_DENSITY[density]].lvs_name


def foundry_mim_name(density: float, bottom_level: int) -> str:
    """The foundry deck's name of a MIM on a metal stack, e.g. cap_mim_2f0_m4m5_noshield."""
    return f"cap_mim_{_density_tag(density)}_m{bottom_level}m{bottom_level + 1}_noshield"


def _table() -> dict[str, DeviceName]:
    table: dict[str, DeviceName] = {}
    for kind, names in (("mos", MOS_NAMES), ("resistor", RESISTOR_NAMES),
                        ("diode", DIODE_NAMES), ("bjt", BJT_NAMES), ("moscap", MOSCAP_NAMES)):
        table.update({n: DeviceName(n, kind, n) for n in names})
    for density, key in MIM_BY_DENSITY.items():
        device = DEVICES[key]
        newer = f"cap_{device.model.lower()}"  # the current foundry deck's: cap_mim_2p0fF
        for alias in (device.lvs_name.lower(), device.model.lower(), newer):
            table[alias] = DeviceName(alias, "mim", device.lvs_name, density)
    for device in DEVICES.values():
        if device.kind in ("nmos", "pmos"):
            table[device.model.lower()] = DeviceName(device.model.lower(), "mos", device.lvs_name)
    return table


NAMES = _table()


def lookup(name: str) -> DeviceName | None:
    """What a device name in a netlist is; None for a name no GF180MCU device has."""
    key = name.lower()
    if key in NAMES:
        return NAMES[key]
    found = _FOUNDRY_MIM.match(key)
    if not found:
        return None
    density = int(found[1]) + int(found[2]) / 10
    bottom, top = int(found[3]), int(found[4])
    if density not in MIM_BY_DENSITY or top != bottom + 1 or not 2 <= bottom <= 5:
        return None
    return DeviceName(key, "mim", mim_class(density), density, (bottom, top))
