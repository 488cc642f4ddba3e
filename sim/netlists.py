"""Cell netlists for simulation: the schematic's (PDK model names) or the extracted one.

klayout-pex writes the foundry device names with SI parameters: nfet_03v3 / pfet_03v3 for the
transistors and, for the MIM capacitors it keeps as devices, `cap_mim_<density>_<metals>_noshield
c_width= c_length=`. The installed PDK's ngspice models are called nmos_3p3 / pmos_3p3 and
mim_<density>fF, so thin wrapper subcircuits map one onto the other; the MIM then carries its
model's corner, temperature and voltage coefficients and Monte Carlo variation, as in the
schematic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pdk.gf180mcu.devices import DEVICES, MIM_BY_DENSITY
from sgdr_flow.errors import FlowError

SUBSTRATE_PORTS = ("sub", "vsubs")
# the foundry deck's MIM names: cap_mim_{1f0,1f5,2f0}_{m2m3,m3m4,m4m5,m5m6}_noshield
FOUNDRY_MIM = re.compile(r"\bcap_mim_(\d)f(\d)_m\dm\d_noshield\b", re.IGNORECASE)


def _mos_wrapper(lvs_name: str, model: str) -> str:
    return (f".subckt {lvs_name} d g s b l=1e-6 w=1e-6 as=0 ad=0 ps=0 pd=0\n"
            f"X0 d g s b {model} l={{l}} w={{w}} as={{as}} ad={{ad}} ps={{ps}} pd={{pd}}\n"
            f".ends {lvs_name}\n")


def _mim_wrapper(name: str, density: float) -> str:
    model = DEVICES[MIM_BY_DENSITY[density]].model
    return (f".subckt {name} top bottom c_width=1e-5 c_length=1e-5\n"
            f"X0 top bottom {model} c_width={{c_width}} c_length={{c_length}}\n"
            f".ends {name}\n")


MODEL_WRAPPERS = "".join(_mos_wrapper(d.lvs_name, d.model) for d in DEVICES.values()
                         if d.kind in ("nmos", "pmos"))


def mim_wrappers(text: str) -> str:
    """A wrapper for every foundry MIM name used in `text`."""
    names = {m.group(0).lower(): float(f"{m.group(1)}.{m.group(2)}")
             for m in FOUNDRY_MIM.finditer(text)}
    return "".join(_mim_wrapper(name, density) for name, density in sorted(names.items()))


@dataclass(frozen=True)
class CellNetlist:
    name: str
    kind: str          # "schematic" or "extracted"
    text: str          # subcircuit definitions, ready to paste into a deck
    ports: list[str]
    path: Path

    def instance(self, instance: str, nets: dict[str, str], ground: str = "0") -> str:
        """An X line connecting ports by name; substrate ports go to ground."""
        missing = [p for p in self.ports if p not in nets and p not in SUBSTRATE_PORTS]
        if missing:
            raise FlowError(f"{self.path}: ports {missing} of {self.name} are not connected")
        wired = [nets.get(p, ground) for p in self.ports]
        return f"X{instance} {' '.join(wired)} {self.name}"

    def node(self, instance: str, net: str) -> str:
        """ngspice name of a net inside the instance (schematic hierarchy uses dotted paths)."""
        return f"x{instance}.{net}".lower()


def _ports(text: str, name: str, path: Path) -> list[str]:
    pattern = re.compile(rf"^\.subckt\s+{re.escape(name)}\s+(.*?)(?=^[^+])",
                         re.IGNORECASE | re.MULTILINE | re.DOTALL)
    found = pattern.search(text)
    if not found:
        raise FlowError(f"{path}: no .SUBCKT {name}")
    return [p.lower() for p in found.group(1).replace("\n+", " ").split()]


def schematic_netlist(folder: Path, name: str) -> CellNetlist:
    path = folder / f"{name}.sim.spice"
    text = path.read_text()
    return CellNetlist(name, "schematic", text, _ports(text, name, path), path)


def extracted_netlist(folder: Path, name: str) -> CellNetlist:
    path = folder / f"{name}.pex.spice"
    text = path.read_text()
    return CellNetlist(name, "extracted", MODEL_WRAPPERS + mim_wrappers(text) + text,
                       _ports(text, name, path), path)
