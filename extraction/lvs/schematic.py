"""Reference netlists from SPICE/CDL as the GF180MCU schematics write them.

Handles `X` calls of the PDK device subcircuits (as xschem writes them), `M` and `C` cards
(as CDL writes them), SI units, `m=` multipliers; parallel devices are combined afterwards so
that `m=2` equals two devices in parallel and equals one device of twice the width.
"""

from __future__ import annotations

from pathlib import Path

import klayout.db as kdb

from pdk.gf180mcu.devices import DEVICES, MIM_BY_DENSITY
from sgdr_flow.errors import FlowError

MOS = {d.lvs_name.lower() for d in DEVICES.values() if d.kind in ("nmos", "pmos")}
MIM_DENSITY = {DEVICES[key].lvs_name.lower(): density for density, key in MIM_BY_DENSITY.items()}


class _Delegate(kdb.NetlistSpiceReaderDelegate):
    """Turns PDK device cards into KLayout devices with parameters in um / um^2 / F."""

    def wants_subcircuit(self, name: str) -> bool:
        return name.lower() in MOS or name.lower() in MIM_DENSITY

    def element(self, circuit: kdb.Circuit, kind: str, name: str, model: str, value: float,
                nets: list[kdb.Net], params: dict[str, float]) -> bool:
        model = model.lower()
        mult = float(params.get("M", 1.0))
        if model in MOS and kind in ("X", "M") and len(nets) == 4:
            mos_class = self._class(circuit, model, kdb.DeviceClassMOS4Transistor)
            device = circuit.create_device(mos_class, name)
            device.set_parameter("W", float(params["W"]) * 1e6 * mult)
            device.set_parameter("L", float(params["L"]) * 1e6)
            for terminal, net in zip(("D", "G", "S", "B"), nets, strict=True):
                device.connect_terminal(terminal, net)
            return True
        if model in MIM_DENSITY and kind in ("X", "C") and len(nets) == 2:
            width = float(params.get("C_WIDTH", params.get("W", 0.0))) * 1e6
            length = float(params.get("C_LENGTH", params.get("L", 0.0))) * 1e6
            cap_class = self._class(circuit, model, kdb.DeviceClassCapacitor)
            device = circuit.create_device(cap_class, name)
            area = width * length * mult
            device.set_parameter("A", area)
            device.set_parameter("P", 2 * (width + length) * mult)
            device.set_parameter("C", area * MIM_DENSITY[model] * 1e-15)
            # pin order: top plate (B, FuseTop) then bottom plate (A), as the PDK symbol
            device.connect_terminal("B", nets[0])
            device.connect_terminal("A", nets[1])
            return True
        return super().element(circuit, kind, name, model, value, nets, params)

    def _class(self, circuit: kdb.Circuit, model: str, kind: type) -> kdb.DeviceClass:
        """One device class per model, so that parallel devices can be combined."""
        classes = self.__dict__.setdefault("classes", {})
        if model not in classes:
            classes[model] = kind()
            classes[model].name = model
            circuit.netlist().add(classes[model])
        return classes[model]


def read_schematic(path: Path) -> kdb.Netlist:
    """Read a SPICE/CDL reference netlist; FlowError (exit 2) when it cannot be read."""
    if not path.is_file():
        raise FlowError(f"{path}: no such netlist")
    netlist = kdb.Netlist()
    netlist.case_sensitive = False
    try:
        netlist.read(str(path), kdb.NetlistSpiceReader(_Delegate()))
    except RuntimeError as exc:
        raise FlowError(f"{path}: cannot read netlist: {exc}") from exc
    return netlist
