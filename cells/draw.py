"""Drawing primitives on gdsfactory components: rectangles, cut arrays, pins with labels."""

from __future__ import annotations

import math

import gdsfactory as gf
import klayout.db as kdb

from cells.tech import snap, tech
from pdk.gf180mcu.layers import LABEL_OF, LAYERS, METALS_BY_LEVELS


def rect(c: gf.Component, layer: str, x0: float, y0: float, x1: float, y1: float) -> None:
    """An axis-aligned rectangle on the adapter layer `layer` (coordinates snapped to grid),
    on the component's own layout (a component of a private layout too)."""
    x0, y0, x1, y1 = snap(x0), snap(y0), snap(x1), snap(y1)
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"empty {layer} rectangle ({x0}, {y0}, {x1}, {y1})")
    c.kdb_cell.shapes(c.kcl.layout.layer(*LAYERS[layer])).insert(kdb.DBox(x0, y0, x1, y1))


def cuts(c: gf.Component, layer: str, x0: float, y0: float, x1: float, y1: float,
         size: float, space: float, enclosure: float) -> int:
    """As many square cuts as fit in the box (minus enclosure), centred; returns the count."""
    def count(length: float) -> int:
        return max(0, math.floor((length - 2 * enclosure + space + 1e-9) / (size + space)))

    nx, ny = count(x1 - x0), count(y1 - y0)
    if nx == 0 or ny == 0:
        raise ValueError(f"no room for a {layer} cut in ({x0}, {y0}, {x1}, {y1})")
    span_x = nx * size + (nx - 1) * space
    span_y = ny * size + (ny - 1) * space
    sx = snap((x0 + x1 - span_x) / 2)
    sy = snap((y0 + y1 - span_y) / 2)
    for i in range(nx):
        for j in range(ny):
            x = sx + i * (size + space)
            y = sy + j * (size + space)
            rect(c, layer, x, y, x + size, y + size)
    return nx * ny


def contacts(c: gf.Component, x0: float, y0: float, x1: float, y1: float,
             enclosure: float | None = None) -> int:
    t = tech()
    return cuts(c, "contact", x0, y0, x1, y1, t.contact, t.contact_space,
                t.comp_enc_contact if enclosure is None else enclosure)


def via(c: gf.Component, name: str, x: float, y: float) -> None:
    """One via cut centred at (x, y) with square landing pads of wire width below and above."""
    t = tech()
    level = int(name.removeprefix("via"))
    half = t.via / 2
    rect(c, name, x - half, y - half, x + half, y + half)
    pad = t.wire / 2
    for metal in (metal_name(level), metal_name(level + 1)):
        rect(c, metal, x - pad, y - pad, x + pad, y + pad)


def metal_name(level: int) -> str:
    """Adapter name of metal level n (the sixth is MetalTop)."""
    return METALS_BY_LEVELS[6][level - 1]


def pin(c: gf.Component, name: str, metal: str, x: float, y: float, orientation: int = 90,
        width: float | None = None) -> None:
    """A labelled electrical port: the label names the net for LVS, the port is for routing."""
    c.add_label(name, position=(snap(x), snap(y)), layer=LAYERS[LABEL_OF[metal]])
    c.add_port(name, center=(snap(x), snap(y)), width=width or tech().wire,
               orientation=orientation, layer=LAYERS[metal], port_type="electrical")


def via_array(c: gf.Component, name: str, x: float, y: float, n: int) -> float:
    """n x n cuts of via `name` centred at (x, y) with pads on both metals; returns the pad
    half-width."""
    t = tech()
    if n == 1:
        via(c, name, x, y)
        return t.wire / 2
    level = int(name.removeprefix("via"))
    half = (n * t.via + (n - 1) * t.via_space) / 2 + (t.wire - t.via) / 2
    for metal in (metal_name(level), metal_name(level + 1)):
        rect(c, metal, x - half, y - half, x + half, y + half)
    cuts(c, name, x - half, y - half, x + half, y + half, t.via, t.via_space,
         (t.wire - t.via) / 2)
    return half


def via_stack(c: gf.Component, low: str, high: str, x: float, y: float) -> None:
    """Single vias from metal `low` up to metal `high` at (x, y)."""
    order = METALS_BY_LEVELS[6]
    for level in range(order.index(low) + 1, order.index(high) + 1):
        via(c, f"via{level}", x, y)
