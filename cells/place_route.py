"""Row placement and channel routing: the layout of a cell drawn from its circuit.

The flattened circuit's NMOS go in a bottom row (pins on top), PMOS in a row above (pins below,
in one n-well), a routing channel between them, MIM capacitors to the right. Every net gets a
Metal3 trunk in the channel; device pins drop Metal2 stubs onto it. NMOS pins use even columns of
the routing grid and PMOS pins odd ones, so stubs never collide and one trunk per net (packed
left-edge first) routes any netlist. Circuit pins are the trunks' left ends, labelled.

Because the layout is generated from the same `Circuit` that writes the schematic, what is drawn
is what LVS compares against.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import gdsfactory as gf

from cells.circuit import Circuit, Mim, Mos
from cells.draw import contacts, pin, rect, via
from cells.mim import draw_connected_mim, mim_stack, plan_mim
from cells.mos import draw_mos, mos_geometry
from cells.tech import snap, snap_up, tech
from pdk.gf180mcu.stack import MetalStack

TIE_COLUMNS = 2


@dataclass
class Pin:
    net: str
    x: float
    y: float
    row: str  # "n" (stub goes up), "p" (stub goes down)


@dataclass
class Routed:
    """Where things ended up, for the parent cell and for tests."""

    component: gf.Component
    tracks: dict[str, float] = field(default_factory=dict)          # net -> track y
    devices: dict[str, tuple[float, float]] = field(default_factory=dict)  # name -> origin
    centroids: dict[str, float] = field(default_factory=dict)        # device -> gate centre x


def one_row(circuit: Circuit) -> dict[str, list[str]]:
    """Placement order that keeps the circuit's own device order (matched arrangements)."""
    kind = circuit.devices[0].kind
    return {"n" if kind == "nmos" else "p": [d.name for d in circuit.devices]}


def _bulk(devices: list[Mos], kind: str) -> str | None:
    nets = {d.b for d in devices}
    if len(nets) > 1:
        raise ValueError(f"{kind} devices of one row must share their body net, got {nets}")
    return next(iter(nets), None)


def _ordered(devices: list, order: list[str] | None) -> list:
    if not order:
        return devices
    by_name = {d.name: d for d in devices}
    missing = set(by_name) - set(order)
    if missing:
        raise ValueError(f"placement order leaves out {sorted(missing)}")
    return [by_name[name] for name in order if name in by_name]


def _draw_tie(c: gf.Component, x: float, y: float, kind: str, mirror: bool,
              height: float) -> float:
    """A tap column that brings the row's body strip up to a Metal2 pin; returns the pin y."""
    t = tech()
    width = TIE_COLUMNS * t.pitch
    pad = t.cut_pad
    tap_y0 = t.implant_comp

    def yy(y0: float, y1: float) -> tuple[float, float]:
        return (height - y1, height - y0) if mirror else (y0, y1)

    implant = "pplus" if kind == "nmos" else "nplus"
    rect(c, "comp", x + t.implant_comp, y + yy(tap_y0, tap_y0 + pad)[0],
         x + width - t.implant_comp, y + yy(tap_y0, tap_y0 + pad)[1])
    rect(c, implant, x, y + yy(0.0, tap_y0 + pad + t.implant_comp)[0],
         x + width, y + yy(0.0, tap_y0 + pad + t.implant_comp)[1])
    rect(c, "metal1", x, y + yy(tap_y0, tap_y0 + pad)[0], x + width,
         y + yy(tap_y0, tap_y0 + pad)[1])
    contacts(c, x + t.implant_comp, y + yy(tap_y0, tap_y0 + pad)[0], x + width - t.implant_comp,
             y + yy(tap_y0, tap_y0 + pad)[1])
    pin_y = y + sum(yy(tap_y0, tap_y0 + pad)) / 2
    via(c, "via1", x + 0.5 * t.pitch, pin_y)
    if kind == "pmos":
        rect(c, "nwell", x, y + yy(-t.nwell_ncomp, height)[0], x + width,
             y + yy(-t.nwell_ncomp, height)[1])
    return pin_y


def _assign_tracks(spans: dict[str, tuple[float, float]], pitch: float) -> dict[str, int]:
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


def place_and_route(circuit: Circuit, variant: MetalStack, order: dict[str, list[str]] | None
                    = None, name: str | None = None) -> Routed:
    """Draw `circuit` (flattened) as rows + channel + MIMs; label its pins on Metal3."""
    t = tech()
    P, half = t.pitch, t.wire / 2
    order = order or {}
    flat = circuit.flat()
    nmos = _ordered([d for d in flat if isinstance(d, Mos) and d.kind == "nmos"], order.get("n"))
    pmos = _ordered([d for d in flat if isinstance(d, Mos) and d.kind == "pmos"], order.get("p"))
    mims = [d for d in flat if isinstance(d, Mim)]
    c = gf.Component(name)
    out = Routed(c)
    pins: list[Pin] = []

    # ---------------------------------------------------------------- NMOS row, pins on top
    n_height = max((mos_geometry(d).height for d in nmos), default=0.0)
    x = 0.0
    n_body = _bulk(nmos, "NMOS")
    if nmos:
        pins.append(Pin(n_body, x + 0.5 * P, _draw_tie(c, x, 0.0, "nmos", False, n_height), "n"))
        x += TIE_COLUMNS * P
    for dev in nmos:
        g = draw_mos(c, dev, x, 0.0)
        out.devices[dev.name] = (x, 0.0)
        out.centroids[dev.name] = x + (g.gate_x[0] + g.gate_x[-1] + dev.l) / 2
        pins += [Pin(dev.nets[term], x + g.pin_x[term], g.height, "n") for term in "sdg"]
        x += g.width
    right = x

    # ---------------------------------------------------------------- channel spans
    p_geoms = [mos_geometry(d) for d in pmos]
    p_height = max((g.height for g in p_geoms), default=0.0)
    p_x = [P]  # PMOS row is offset by one column: its pins use odd columns
    if pmos:
        p_x.append(p_x[-1] + TIE_COLUMNS * P)
        for g in p_geoms:
            p_x.append(p_x[-1] + g.width)
        right = max(right, p_x[-1])
    stack = mim_stack(variant) if mims else None
    plans = []
    x_cap = snap(right + 2 * P)
    for cap in mims:
        plans.append(plan_mim(cap.width, stack, variant.top_metal_thickness, x_cap))
        x_cap = snap(plans[-1].right + 2 * P)
    exported = set(circuit.pins)
    spans: dict[str, list[float]] = defaultdict(list)
    for p in pins:
        spans[p.net].append(p.x)
    p_body = _bulk(pmos, "PMOS")
    if pmos:
        spans[p_body].append(p_x[0] + 0.5 * P)
    for dev, g, px in zip(pmos, p_geoms, p_x[1:], strict=False):
        for term in "sdg":
            spans[dev.nets[term]].append(px + g.pin_x[term])
    left_edge = -TIE_COLUMNS * P
    for net in exported:
        spans[net].append(left_edge + half)
    for cap, plan in zip(mims, plans, strict=True):
        spans[cap.top].append(plan.x_top)
        spans[cap.bottom].append(plan.x_bottom)
    track_of = _assign_tracks({n: (min(xs), max(xs)) for n, xs in spans.items()}, P)
    n_tracks = max(track_of.values(), default=-1) + 1
    ch_y0 = snap_up(n_height + t.metal_space)
    track_y = {net: snap(ch_y0 + (k + 0.5) * P) for net, k in track_of.items()}
    out.tracks = track_y
    ch_y1 = snap_up(ch_y0 + n_tracks * P + t.metal_space)

    # ---------------------------------------------------------------- PMOS row, pins below
    row_top = ch_y1 + p_height
    if pmos:
        pins.append(Pin(p_body, p_x[0] + 0.5 * P,
                        _draw_tie(c, p_x[0], ch_y1, "pmos", True, p_height), "p"))
    for dev, g, px in zip(pmos, p_geoms, p_x[1:], strict=False):
        y0 = row_top - g.height
        draw_mos(c, dev, px, y0, mirror=True)
        out.devices[dev.name] = (px, y0)
        out.centroids[dev.name] = px + (g.gate_x[0] + g.gate_x[-1] + dev.l) / 2
        pins += [Pin(dev.nets[term], px + g.pin_x[term], y0, "p") for term in "sdg"]

    # ---------------------------------------------------------------- stubs, vias, trunks
    for p in pins:
        ty = track_y[p.net]
        lo, hi = (p.y, ty + half) if p.row == "n" else (ty - half, p.y)
        if hi - lo > 1e-9:
            rect(c, "metal2", p.x - half, lo, p.x + half, hi)
        via(c, "via2", p.x, ty)
    for net, ty in track_y.items():
        xs = spans[net]
        rect(c, "metal3", min(xs) - half, ty - half, max(xs) + half, ty + half)
    for net in sorted(exported):
        pin(c, net, "metal3", left_edge + half, track_y[net], orientation=180)

    # ---------------------------------------------------------------- MIM capacitors
    for cap, plan in zip(mims, plans, strict=True):
        draw_connected_mim(c, plan, cap.width, cap.length, stack, variant.top_metal_thickness,
                           track_y[cap.top], track_y[cap.bottom], centre=row_top / 2)
    return out
