"""One MOS transistor (nfet_03v3 / pfet_03v3), drawn for row placement.

Seen from its pin edge (the top for NMOS; PMOS is the mirror image with its pins at the bottom):
the body tap strip, the source bus, the fingers (COMP crossed by Poly2 gates, contacted
Metal1 strips on every source/drain), the gate poly bar with its Metal1 bar, the Metal2 drain
bus, and three Metal2 pins S, D, G on even columns of the routing grid, so that a channel router
can reach every terminal from one side. The body tap is the full-width Metal1 strip B.

Optional dummy fingers (`Mos.dummies` per side) are Poly2 stripes of the gate length beside the
COMP, on field oxide at the field-Poly2-to-COMP space: they make the outer gates see the same
poly neighbourhood as the inner ones, form no transistor and are left floating.
"""

from __future__ import annotations

from dataclasses import dataclass

import gdsfactory as gf

from cells.circuit import Mos
from cells.draw import contacts, pin, rect, via
from cells.tech import snap, snap_up, tech


@dataclass(frozen=True)
class MosGeometry:
    """Where things are, in the NMOS orientation (pins on top), for callers and tests."""

    width: float
    height: float
    columns: int
    pin_x: dict[str, float]
    comp: tuple[float, float, float, float]
    gate_x: tuple[float, ...]
    dummy_x: tuple[float, ...] = ()  # left edges of the dummy Poly2 stripes, left to right


def _columns_x(col: int) -> float:
    return snap((col + 0.5) * tech().pitch)


def _dummy_gap(t) -> float:
    """COMP edge to the first dummy stripe: field Poly2 to COMP, and Poly2 space to the gate."""
    return snap_up(max(t.dummy_to_comp, t.poly_space - t.sd_outer))


def _plan(w: float, l: float, nf: int, dummies: int = 0) -> MosGeometry:  # noqa: E741
    t = tech()
    wf = snap(w / nf)
    if wf < t.finger_min - 1e-9 or l < t.gate_min - 1e-9:
        raise ValueError(f"finger width {wf} um (min {t.finger_min}) or length {l} um "
                         f"(min {t.gate_min}) too small")
    # room beside the COMP: the pin column, or the dummies inside their implant, which keeps
    # half an implant space from the device edge (a neighbour's implant merges or is spaced)
    margin = 2 * t.pitch
    comp_x0 = t.pitch
    if dummies:
        band = _dummy_gap(t) + dummies * l + (dummies - 1) * t.poly_space
        margin = max(margin, snap_up(band + t.implant_gate + t.implant_space / 2))
        comp_x0 = max(comp_x0, margin)
    comp_w = 2 * t.sd_outer + nf * l + (nf - 1) * t.sd_inner
    gates = tuple(snap(comp_x0 + t.sd_outer + i * (l + t.sd_inner)) for i in range(nf))
    tap_top = t.cut_pad + t.implant_comp
    comp_y0 = snap(tap_top + t.tap_space)
    comp = (comp_x0, comp_y0, snap(comp_x0 + comp_w), snap(comp_y0 + wf))
    columns = 2 * int(-(-(comp[2] + margin) // (2 * t.pitch)))
    step = l + t.poly_space
    left = [snap(comp[0] - _dummy_gap(t) - l - i * step) for i in range(dummies)]
    right = [snap(comp[2] + _dummy_gap(t) + i * step) for i in range(dummies)]
    drains = [_sd_center(comp, gates, l, k) for k in range(1, nf + 1, 2)]
    mid = (drains[0] + drains[-1]) / 2
    d_col = min(range(2, columns - 2, 2), key=lambda col: abs(_columns_x(col) - mid))
    bar_top = comp[3] + t.poly_bar_gap + t.cut_pad
    bus_top = bar_top + t.wire
    height = snap_up(bus_top + t.metal_space + t.wire)
    return MosGeometry(
        width=snap(columns * t.pitch), height=height, columns=columns,
        pin_x={"s": _columns_x(0), "d": _columns_x(d_col), "g": _columns_x(columns - 2)},
        comp=comp, gate_x=gates, dummy_x=tuple(left[::-1] + right))


def _sd_center(comp, gates, l: float, k: int) -> float:  # noqa: E741
    """x centre of source/drain column k (0 .. nf), left to right."""
    t = tech()
    edge = t.comp_enc_contact + t.contact / 2  # outer contacts sit at the COMP enclosure
    if k == 0:
        return snap(comp[0] + edge)
    if k == len(gates):
        return snap(comp[2] - edge)
    return snap(gates[k - 1] + l + t.sd_inner / 2)


def mos_geometry(device: Mos) -> MosGeometry:
    return _plan(device.w, device.l, device.nf, device.dummies)


def draw_mos(c: gf.Component, device: Mos, x: float = 0.0, y: float = 0.0,
             mirror: bool = False) -> MosGeometry:
    """Draw `device` into `c` with its lower-left corner at (x, y); pins are not labelled."""
    t = tech()
    g = mos_geometry(device)
    H = g.height

    def box(layer: str, x0: float, y0: float, x1: float, y1: float) -> None:
        if mirror:
            y0, y1 = H - y1, H - y0
        rect(c, layer, x + x0, y + y0, x + x1, y + y1)

    def cut_box(x0: float, y0: float, x1: float, y1: float, enc: float | None = None) -> None:
        if mirror:
            y0, y1 = H - y1, H - y0
        contacts(c, x + x0, y + y0, x + x1, y + y1, enc)

    def via_at(name: str, vx: float, vy: float) -> None:
        via(c, name, x + vx, y + (H - vy if mirror else vy))

    n = device.kind == "nmos"
    sd_implant, tap_implant = ("nplus", "pplus") if n else ("pplus", "nplus")
    cx0, cy0, cx1, cy1 = g.comp
    half = t.wire / 2
    pad = t.cut_pad

    # body tap strip and its Metal1, full width so neighbours in a row merge
    tap_y0 = t.implant_comp
    box("comp", 0.0 + t.implant_comp, tap_y0, g.width - t.implant_comp, tap_y0 + pad)
    box(tap_implant, 0.0, 0.0, g.width, tap_y0 + pad + t.implant_comp)
    box("metal1", 0.0, tap_y0, g.width, tap_y0 + pad)
    cut_box(t.implant_comp, tap_y0, g.width - t.implant_comp, tap_y0 + pad)

    # fingers
    box("comp", cx0, cy0, cx1, cy1)
    poly_x0 = min((cx0, *g.dummy_x))
    poly_x1 = max((cx1, *(dx + device.l for dx in g.dummy_x)))
    box(sd_implant, poly_x0 - t.implant_gate, cy0 - t.implant_gate, poly_x1 + t.implant_gate,
        cy1 + t.poly_bar_gap + pad + t.implant_comp)
    bar_y0 = cy1 + t.poly_bar_gap
    bar_y1 = bar_y0 + pad
    for gx in g.gate_x:
        box("poly2", gx, cy0 - t.endcap, gx + device.l, bar_y1)
    for dx in g.dummy_x:  # floating field Poly2, the gates' length and end caps
        box("poly2", dx, cy0 - t.endcap, dx + device.l, cy1 + t.endcap)
    bar_x1 = max(g.gate_x[-1] + device.l, g.gate_x[0] + pad)
    box("poly2", g.gate_x[0], bar_y0, bar_x1, bar_y1)
    cut_box(g.gate_x[0], bar_y0, bar_x1, bar_y1, t.poly_enc_contact)
    gx_pin = g.pin_x["g"]
    box("metal1", g.gate_x[0], bar_y0, gx_pin + half, bar_y1)

    # source bus below the fingers, at least a Metal1 space from the drain strips
    bus_y1 = cy0 - t.metal1_space
    bus_y0 = bus_y1 - t.wire
    sx = g.pin_x["s"]
    sources = [_sd_center(g.comp, g.gate_x, device.l, k) for k in range(0, device.nf + 1, 2)]
    drains = [_sd_center(g.comp, g.gate_x, device.l, k) for k in range(1, device.nf + 1, 2)]
    box("metal1", sx - half, bus_y0, sources[-1] + half, bus_y1)
    for k in range(device.nf + 1):
        cx = _sd_center(g.comp, g.gate_x, device.l, k)
        cut_box(cx - pad / 2, cy0, cx + pad / 2, cy1)
        low = bus_y0 if k % 2 == 0 else cy0
        box("metal1", cx - half, low, cx + half, cy1)

    # drains: Via1 at the top of each strip, Metal2 up to the drain bus above the gate bar
    db_y0 = bar_y1
    db_y1 = db_y0 + t.wire
    dx = g.pin_x["d"]
    via_y = cy1 - half
    for cx in drains:
        via_at("via1", cx, via_y)
        box("metal2", cx - half, via_y - half, cx + half, db_y1)
    box("metal2", min(drains[0], dx) - half, db_y0, max(drains[-1], dx) + half, db_y1)

    # pins on the top edge: S (Metal2 from the source bus), D (from the drain bus), G (Metal1
    # from the gate bar, then Via1 up to a Metal2 pad)
    top = g.height
    via_at("via1", sx, (bus_y0 + bus_y1) / 2)
    box("metal2", sx - half, (bus_y0 + bus_y1) / 2 - half, sx + half, top)
    box("metal2", dx - half, db_y0, dx + half, top)
    box("metal1", gx_pin - half, bar_y0, gx_pin + half, top)
    via_at("via1", gx_pin, top - half)

    if not n:
        _nwell(box, g, t)
    return g


def _nwell(box, g: MosGeometry, t) -> None:
    """N-well over the whole device: the PCOMP fingers and the n-tap strip."""
    cx0, _, cx1, cy1 = g.comp
    top = max(cy1 + t.nwell_pcomp, g.height)
    box("nwell", min(0.0, cx0 - t.nwell_pcomp), -t.nwell_ncomp, max(g.width, cx1 + t.nwell_pcomp),
        top)


@gf.cell
def mos(kind: str = "nmos", w: float = 2.0, l: float = 1.0, nf: int = 1,  # noqa: E741
        m: int = 1, dummies: int = 0) -> gf.Component:
    """A single transistor with labelled pins d, g, s, b (multiplier m folds into fingers),
    `dummies` dummy Poly2 stripes on each side."""
    device = Mos("M1", kind, "d", "g", "s", "b", w * m, l, nf * m, dummies)
    c = gf.Component()
    g = draw_mos(c, device)
    t = tech()
    for term in ("s", "d", "g"):
        pin(c, term, "metal2", g.pin_x[term], g.height - t.wire / 2)
    pin(c, "b", "metal1", g.width / 2, t.implant_comp + t.cut_pad / 2)
    return c
