"""The learning array: N synapse cells stacked above the bias network, global nets on spines.

Assembled from the cells stage's GDS and netlists only. Each cell's pins are the labelled left
ends of its Metal3 trunks; shared nets (targets, sum node, biases, supplies) run on vertical
Metal4 spines left of the cells, joined to every instance's pin by a Metal3 stub and a Via3;
per-synapse pins (x<i>, wmon<i>) continue on Metal3 to the array's left edge and are labelled
there. The array's schematic instantiates the same cells' subcircuits with the same nets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import klayout.db as kdb

from pdk.gf180mcu.layers import LABEL_OF, LAYERS
from pdk.gf180mcu.rules import value

SHARED = ("t", "y", "eta", "uf", "ug", "lam", "vdd", "vss")
PER_SYNAPSE = ("x", "wmon")
BIAS_ONLY = ("ymon",)  # the bias network's own outputs, taken to the array's edge
PIN_METAL = "metal3"
SPINE_METAL = "metal4"


@dataclass
class Placed:
    name: str        # instance name in the schematic
    cell: str
    origin: tuple[float, float]
    pins: dict[str, tuple[float, float]]  # pin -> absolute (x, y) in um


@dataclass
class Array:
    layout: kdb.Layout
    top: kdb.Cell
    placed: list[Placed] = field(default_factory=list)
    pins: list[str] = field(default_factory=list)


def read_pins(cell: kdb.Cell, layout: kdb.Layout) -> dict[str, tuple[float, float]]:
    """Pin name -> position of the cell's labels on the pin metal's label layer."""
    index = layout.find_layer(*LAYERS[LABEL_OF[PIN_METAL]])
    pins: dict[str, tuple[float, float]] = {}
    if index is None:
        return pins
    for shape in cell.shapes(index).each():
        if shape.is_text():
            pins[shape.text_string] = (shape.text_dpos.x, shape.text_dpos.y)
    return pins


def _strip_labels(cell: kdb.Cell, layout: kdb.Layout) -> None:
    """Instances do not keep their own pin labels: only the array's labels name its nets (the
    cells' labels would otherwise show up as extra, duplicate ports after extraction)."""
    for name in set(LABEL_OF.values()):
        index = layout.find_layer(*LAYERS[name])
        if index is not None:
            cell.shapes(index).clear()


def _rect(cell: kdb.Cell, layout: kdb.Layout, name: str, x0: float, y0: float, x1: float,
          y1: float) -> None:
    cell.shapes(layout.layer(*LAYERS[name])).insert(kdb.DBox(x0, y0, x1, y1))


def _via3(cell: kdb.Cell, layout: kdb.Layout, x: float, y: float, wire: float) -> None:
    cut = value("V3.1") / 2
    _rect(cell, layout, "via3", x - cut, y - cut, x + cut, y + cut)
    for metal in ("metal3", "metal4"):
        _rect(cell, layout, metal, x - wire / 2, y - wire / 2, x + wire / 2, y + wire / 2)


def _label(cell: kdb.Cell, layout: kdb.Layout, metal: str, text: str, x: float, y: float) -> None:
    layer = layout.layer(*LAYERS[LABEL_OF[metal]])
    cell.shapes(layer).insert(kdb.DText(text, kdb.DTrans(x, y)))


def assemble(top_name: str, synapse_gds: Path, bias_gds: Path, n: int, wire: float,
             pitch: float, gap: float) -> Array:
    """Place the bias network and n synapses; route shared nets on spines; label pins."""
    layout = kdb.Layout()
    layout.dbu = 0.001
    cells = {}
    pins = {}
    for path in (synapse_gds, bias_gds):
        source = kdb.Layout()
        source.read(str(path))
        src = source.top_cells()[0]
        pins[path] = read_pins(src, source)
        cells[path] = layout.create_cell(src.name)
        cells[path].copy_tree(src)
        _strip_labels(cells[path], layout)
    top = layout.create_cell(top_name)
    array = Array(layout, top)
    syn, bias = cells[synapse_gds], cells[bias_gds]
    left = min(syn.dbbox().left, bias.dbbox().left)

    def place(cell: kdb.Cell, name: str, y: float, pins: dict) -> float:
        dx = left - cell.dbbox().left
        dy = y - cell.dbbox().bottom
        top.insert(kdb.DCellInstArray(cell.cell_index(), kdb.DTrans(dx, dy)))
        array.placed.append(Placed(name, cell.name, (dx, dy),
                                   {p: (x + dx, yy + dy) for p, (x, yy) in pins.items()}))
        return y + cell.dbbox().height() + gap

    y = place(bias, "XB", 0.0, pins[bias_gds])
    for i in range(n):
        y = place(syn, f"XS{i}", y, pins[synapse_gds])

    # spines for the shared nets, right to left: SHARED[0] nearest the cells
    spine_x = {net: left - gap - (k + 0.5) * pitch for k, net in enumerate(SHARED)}
    edge = min(spine_x.values()) - 2 * pitch
    for net in SHARED:
        ends = [p.pins[net] for p in array.placed if net in p.pins]
        x = spine_x[net]
        ys = [py for _, py in ends]
        _rect(top, layout, SPINE_METAL, x - wire / 2, min(ys) - wire / 2, x + wire / 2,
              max(ys) + wire / 2)
        for px, py in ends:
            _rect(top, layout, PIN_METAL, x - wire / 2, py - wire / 2, px + wire / 2,
                  py + wire / 2)
            _via3(top, layout, x, py, wire)
        _label(top, layout, SPINE_METAL, net, x, max(ys))
        array.pins.append(net)
    edge_pins = [(placed, pin, f"{pin}{i}") for i, placed in
                 enumerate(p for p in array.placed if p.cell == syn.name) for pin in PER_SYNAPSE]
    edge_pins += [(placed, pin, pin) for placed in array.placed if placed.cell == bias.name
                  for pin in BIAS_ONLY if pin in placed.pins]
    for placed, pin, name in edge_pins:
        px, py = placed.pins[pin]
        _rect(top, layout, PIN_METAL, edge - wire / 2, py - wire / 2, px + wire / 2,
              py + wire / 2)
        _label(top, layout, PIN_METAL, name, edge, py)
        array.pins.append(name)
    return array


def array_pins(n: int) -> list[str]:
    return [f"{pin}{i}" for i in range(n) for pin in PER_SYNAPSE] + list(BIAS_ONLY) + list(SHARED)


def array_netlist(top: str, n: int, synapse: str, synapse_pins: list[str], bias: str,
                  bias_pins: list[str], subckts: list[str]) -> str:
    """Hierarchical SPICE of the array: the cells' subcircuits and their instances."""
    lines = [f"* {top}: {n} synapses and the bias network (sgdr-flow)", *subckts,
             f".SUBCKT {top} {' '.join(array_pins(n))}"]
    for i in range(n):
        nets = [f"{p}{i}" if p in PER_SYNAPSE else p for p in synapse_pins]
        lines.append(f"XS{i} {' '.join(nets)} {synapse}")
    lines.append(f"XB {' '.join(bias_pins)} {bias}")
    lines.append(f".ENDS {top}")
    return "\n".join(lines) + "\n"
