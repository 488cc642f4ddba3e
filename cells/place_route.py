"""Row placement and channel routing: the layout of a cell drawn from its circuit.

The flattened circuit's transistors go in two rows around a routing channel: the bottom row with
its pins on top, the top row mirrored (pins below). By default the NMOS form the bottom row and
the PMOS the top row (in one n-well); a circuit may place them itself (`Circuit.placement`), e.g.
a matched group split over both rows in two-dimensional common centroid. MIM capacitors go to the
right. Every net gets a Metal3 trunk in the channel; device pins drop Metal2 stubs onto it.
Bottom-row pins use even columns of the routing grid and top-row pins odd ones, so stubs never
collide and one trunk per net (packed left-edge first) routes any netlist. Circuit pins are the
trunks' left ends, labelled.

Each row is dressed as a matched row on silicon is: a dummy transistor at each end (all its
terminals on the row's body net, so that the outer devices see the same neighbourhood as the
inner ones) and a guard ring of body taps around it (substrate taps for NMOS, well taps in the
row's n-well for PMOS), whose bottom side is the devices' own tap strip. The dummies are real
devices: they are part of the circuit that is drawn, so the schematic and LVS see them too.

Because the layout is generated from the same `Circuit` that writes the schematic, what is drawn
is what LVS compares against.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

import gdsfactory as gf

from cells.circuit import Circuit, Mim, Mos
from cells.draw import pin, rect, via
from cells.guard_ring import draw_ring, ring_width, well_margin
from cells.matching import MatchReport, match_report
from cells.mim import draw_connected_mim, mim_stack, plan_mim
from cells.mos import MosGeometry, draw_mos, mos_geometry
from cells.tech import snap, snap_up, tech
from pdk.gf180mcu.stack import MetalStack

RING_COLUMNS = 2  # routing columns taken by a ring's vertical side (the body pin's column)
Row = Literal["bottom", "top"]
ROWS: tuple[Row, ...] = ("bottom", "top")
DUMMY_PREFIX = "DUMMY_"
FIRST_FINGER_DIRECTION = 1  # draw_mos puts every first finger's source on its left


@dataclass(frozen=True)
class Style:
    """How rows are dressed: closed guard rings (else only the tap strip and its left column),
    dummy transistors at the ends of rows of two or more devices."""

    guard_rings: bool = True
    dummies: bool = True


@dataclass
class Pin:
    net: str
    x: float
    y: float
    up: bool  # the stub goes up (bottom row) or down (top row)


@dataclass(frozen=True)
class Placed:
    """A drawn transistor: its box, row, orientation and the centre of its gates."""

    row: Row
    box: tuple[float, float, float, float]
    mirrored: bool
    centroid: tuple[float, float]
    direction: int   # source to drain of the first finger: +1 along +x, -1 along -x
    dummy: bool


@dataclass
class Routed:
    """What was drawn and where, for the parent cell, the reports and the tests."""

    component: gf.Component
    circuit: Circuit                                                 # as drawn (with dummies)
    tracks: dict[str, float] = field(default_factory=dict)          # net -> track y
    placed: dict[str, Placed] = field(default_factory=dict)         # device -> where
    matching: list[MatchReport] = field(default_factory=list)


def in_rows(circuit: Circuit, bottom_first: list[str]) -> dict[Row, list[str]]:
    """NMOS bottom row starting with `bottom_first` (the rest in circuit order), PMOS top row."""
    flat = circuit.flat()
    rest = [d.name for d in flat if isinstance(d, Mos) and d.kind == "nmos"
            and d.name not in bottom_first]
    return {"bottom": [*bottom_first, *rest],
            "top": [d.name for d in flat if isinstance(d, Mos) and d.kind == "pmos"]}


def _rows(devices: list[Mos], placement: dict[Row, list[str]] | None) -> dict[Row, list[Mos]]:
    if not placement:
        nmos = [d for d in devices if d.kind == "nmos"]
        pmos = [d for d in devices if d.kind == "pmos"]
        return {"bottom": nmos, "top": pmos} if nmos else {"bottom": pmos, "top": []}
    by_name = {d.name: d for d in devices}
    named = [n for row in ROWS for n in placement.get(row, [])]
    missing = sorted(set(by_name) - set(named))
    unknown = sorted(set(named) - set(by_name))
    if missing or unknown or len(named) != len(set(named)):
        raise ValueError(f"placement order leaves out {missing}, names unknown {unknown} or "
                         "repeats devices")
    rows = {row: [by_name[n] for n in placement.get(row, [])] for row in ROWS}
    if not rows["bottom"]:
        rows = {"bottom": rows["top"], "top": []}
    return rows


def _bulk(devices: list[Mos], row: Row) -> str | None:
    kinds = {d.kind for d in devices}
    nets = {d.b for d in devices}
    if len(nets) > 1 or len(kinds) > 1:
        raise ValueError(f"devices of the {row} row must share their kind and body net, got "
                         f"{sorted(kinds)} on {sorted(nets)}")
    return next(iter(nets), None)


def _dummy(end: Mos, name: str) -> Mos:
    """A dummy beside `end`: one finger of its width and length, every terminal on its body."""
    return Mos(name, end.kind, end.b, end.b, end.b, end.b, snap(end.w / end.nf), end.l)


def _dressed(rows: dict[Row, list[Mos]], style: Style) -> dict[Row, list[Mos]]:
    if not style.dummies:
        return rows
    out: dict[Row, list[Mos]] = {}
    for row, devices in rows.items():
        tag = row[0].upper()
        out[row] = devices if len(devices) < 2 else [
            _dummy(devices[0], f"{DUMMY_PREFIX}{tag}L"), *devices,
            _dummy(devices[-1], f"{DUMMY_PREFIX}{tag}R")]
    return out


@dataclass
class _RowPlan:
    """A row in its own frame: x from the left, y from the tap edge (0) towards the channel."""

    devices: list[Mos]
    geoms: list[MosGeometry]
    xs: list[float]        # device origins
    x0: float              # left edge of the ring column
    x1: float              # right edge of the row (ring column included when closed)
    height: float          # tallest device (pin edge)
    band: float            # top of the ring's pin-side band (from the tap edge)
    body: str | None
    kind: str | None


def _plan_row(devices: list[Mos], x0: float, style: Style, row: Row) -> _RowPlan:
    t = tech()
    geoms = [mos_geometry(d) for d in devices]
    xs, x = [], x0 + RING_COLUMNS * t.pitch
    for g in geoms:
        xs.append(x)
        x += g.width
    if style.guard_rings and devices:
        x += RING_COLUMNS * t.pitch
    height = max((g.height for g in geoms), default=0.0)
    # the ring's pin-side band: a Metal1 space above the pins' Metal1, wide enough for the
    # body pin's via pad
    band = snap_up(height + max(t.metal1_space, t.implant_comp) + ring_width())
    return _RowPlan(devices, geoms, xs, x0, x, height, band, _bulk(devices, row),
                    devices[0].kind if devices else None)


def _draw_row(c: gf.Component, plan: _RowPlan, base: float, mirror: bool, style: Style,
              out: Routed, row: Row) -> list[Pin]:
    """Draw the row with its tap edge at y = base (the row grows up, or down when mirrored);
    returns its pins."""
    if not plan.devices:
        return []
    t = tech()
    sign = -1.0 if mirror else 1.0

    def ys(a: float, b: float) -> tuple[float, float]:
        return tuple(sorted((base + sign * a, base + sign * b)))  # type: ignore[return-value]

    pins: list[Pin] = []
    for dev, g, x in zip(plan.devices, plan.geoms, plan.xs, strict=True):
        y0 = base - g.height if mirror else base
        draw_mos(c, dev, x, y0, mirror=mirror)
        cy = sum(ys(g.comp[1], g.comp[3])) / 2
        out.placed[dev.name] = Placed(
            row, (x, y0, x + g.width, y0 + g.height), mirror,
            (x + (g.gate_x[0] + g.gate_x[-1] + dev.l) / 2, cy), FIRST_FINGER_DIRECTION,
            dev.name.startswith(DUMMY_PREFIX))
        edge = base + sign * g.height
        pins += [Pin(dev.nets[term], x + g.pin_x[term], edge, not mirror) for term in "sdg"]

    # the guard ring: its tap-side is the devices' tap strip (their contacts), the other
    # sides are its own; the body pin sits where the left side meets the pin-side band
    ic = t.implant_comp
    tap_side, pin_side = ("top", "bottom") if mirror else ("bottom", "top")
    y0, y1 = ys(ic, plan.band)
    box = (plan.x0 + ic, y0, plan.x1 - ic, y1)
    kind = "ptap" if plan.kind == "nmos" else "ntap"
    if style.guard_rings:
        draw_ring(c, kind, box, contacted=(pin_side, "left", "right"))
    else:
        draw_ring(c, kind, box, sides=(tap_side, "left"), contacted=("left",))
    if kind == "ntap":  # one n-well over the devices and their ring
        grow = well_margin() - ic
        w0, w1 = ys(min(-t.nwell_ncomp, -grow), plan.band + well_margin())
        rect(c, "nwell", plan.x0 - grow, w0, plan.x1 + grow, w1)
    px = plan.x0 + 0.5 * t.pitch
    py = base + sign * (plan.band - ring_width() / 2)
    via(c, "via1", px, py)
    pins.append(Pin(plan.body, px, py, not mirror))
    return pins


def assign_tracks(spans: dict[str, tuple[float, float]], pitch: float) -> dict[str, int]:
    """Left-edge packing: nets whose spans are at least a pitch apart share a track."""
    ends: list[float] = []
    track: dict[str, int] = {}
    for net, (lo, hi) in sorted(spans.items(), key=lambda kv: (kv[1][0], kv[0])):
        for k, end in enumerate(ends):
            if lo - end >= pitch - 1e-9:
                ends[k] = hi
                track[net] = k
                break
        else:
            track[net] = len(ends)
            ends.append(hi)
    return track


def place_and_route(circuit: Circuit, variant: MetalStack,
                    placement: dict[Row, list[str]] | None = None, name: str | None = None,
                    style: Style = Style()) -> Routed:
    """Draw `circuit` (flattened) as two rows + channel + MIMs; label its pins on Metal3.
    `placement` (default: the circuit's own) names the devices of each row, in order."""
    t = tech()
    P, half = t.pitch, t.wire / 2
    flat = circuit.flat()
    rows = _dressed(_rows([d for d in flat if isinstance(d, Mos)],
                          placement or circuit.placement), style)
    mims = [d for d in flat if isinstance(d, Mim)]
    drawn = Circuit(circuit.name, list(circuit.pins),
                    [*flat, *(d for r in ROWS for d in rows[r] if d.name.startswith(DUMMY_PREFIX))],
                    sensitive=circuit.sensitive_nets(), matched=circuit.flat_matched())
    c = gf.Component(name)
    out = Routed(c, drawn)

    bottom = _plan_row(rows["bottom"], 0.0, style, "bottom")
    top = _plan_row(rows["top"], P, style, "top")  # offset one column: its pins use odd ones
    right = max(bottom.x1, top.x1)
    stack = mim_stack(variant) if mims else None
    plans = []
    x_cap = snap(right + 2 * P)
    for cap in mims:
        plans.append(plan_mim(cap.width, stack, variant.top_metal_thickness, x_cap))
        x_cap = snap(plans[-1].right + 2 * P)

    # ---------------------------------------------------------------- bottom row, channel
    pins = _draw_row(c, bottom, 0.0, False, style, out, "bottom")
    exported = set(circuit.pins)
    spans: dict[str, list[float]] = defaultdict(list)
    for p in pins:
        spans[p.net].append(p.x)
    if top.devices:
        spans[top.body].append(top.x0 + 0.5 * P)
    for dev, g, x in zip(top.devices, top.geoms, top.xs, strict=True):
        for term in "sdg":
            spans[dev.nets[term]].append(x + g.pin_x[term])
    left_edge = -RING_COLUMNS * P
    for net in exported:
        spans[net].append(left_edge + half)
    for cap, plan in zip(mims, plans, strict=True):
        spans[cap.top].append(plan.x_top)
        spans[cap.bottom].append(plan.x_bottom)
    track_of = assign_tracks({n: (min(xs), max(xs)) for n, xs in spans.items()}, P)
    n_tracks = max(track_of.values(), default=-1) + 1
    ch_y0 = snap_up((bottom.band if bottom.devices else 0.0) + t.metal_space)
    track_y = {net: snap(ch_y0 + (k + 0.5) * P) for net, k in track_of.items()}
    out.tracks = track_y
    ch_y1 = snap_up(ch_y0 + n_tracks * P + t.metal_space)

    # ---------------------------------------------------------------- top row (mirrored)
    row_top = ch_y1 + top.band
    pins += _draw_row(c, top, row_top, True, style, out, "top")

    # ---------------------------------------------------------------- stubs, vias, trunks
    for p in pins:
        ty = track_y[p.net]
        lo, hi = (p.y, ty + half) if p.up else (ty - half, p.y)
        if hi - lo > 1e-9:
            rect(c, "metal2", p.x - half, lo, p.x + half, hi)
        via(c, "via2", p.x, ty)
    for net, ty in track_y.items():
        xs = spans[net]
        rect(c, "metal3", min(xs) - half, ty - half, max(xs) + half, ty + half)
    for net in sorted(exported):
        pin(c, net, "metal3", left_edge + half, track_y[net], orientation=180)

    # ---------------------------------------------------------------- MIM capacitors
    centre = (row_top if top.devices else ch_y1) / 2
    for cap, plan in zip(mims, plans, strict=True):
        draw_connected_mim(c, plan, cap.width, cap.length, stack, variant.top_metal_thickness,
                           track_y[cap.top], track_y[cap.bottom], centre=centre)
    out.matching = match_report(drawn.matched, out.placed)
    return out

