"""Guard rings: rectangular rings of substrate taps (P+ in the substrate) or well taps (N+ in an
n-well), contacted to a Metal1 ring.

A substrate ring collects carriers injected into the substrate around what it encloses and ties
the substrate to its rail next to every device; a well ring does the same for an n-well (and,
outside a substrate ring, collects minority carriers before they reach the devices inside). The
cells' row rings and the array's double ring are both drawn here, sized from the rule table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import gdsfactory as gf

from cells.draw import cuts, rect
from cells.tech import snap_up, tech
from pdk.gf180mcu.rules import value

Side = Literal["bottom", "top", "left", "right"]
SIDES: tuple[Side, ...] = ("bottom", "top", "left", "right")
TapKind = Literal["ptap", "ntap"]


def ring_width() -> float:
    """COMP (and Metal1) width of a ring side: one contact with its COMP enclosure."""
    return tech().cut_pad


def well_margin() -> float:
    """How far the n-well of a well ring reaches beyond its COMP: the Nwell overlap of NCOMP,
    and at least enough for the Nwell's own minimum width across the side."""
    return snap_up(max(tech().nwell_ncomp, (value("NW.1a") - ring_width()) / 2))


def side_box(box: tuple[float, float, float, float],
             side: Side) -> tuple[float, float, float, float]:
    """COMP of one side of the ring whose outer edge is `box` (the corners belong to both the
    horizontal and the vertical sides)."""
    x0, y0, x1, y1 = box
    w = ring_width()
    return {"bottom": (x0, y0, x1, y0 + w), "top": (x0, y1 - w, x1, y1),
            "left": (x0, y0, x0 + w, y1), "right": (x1 - w, y0, x1, y1)}[side]


def draw_ring(c: gf.Component, kind: TapKind, box: tuple[float, float, float, float],
              sides: Iterable[Side] = SIDES, contacted: Iterable[Side] | None = None,
              contact_pitch: float | None = None, split_metal: bool = False) -> int:
    """Draw the `sides` of a tap ring whose COMP's outer edge is `box`, with its implant, Metal1
    and (for a well ring) n-well; contacts on the `contacted` sides (default: all drawn), as
    dense as the contact space allows or one per `contact_pitch`. A side may lie on taps drawn
    by others (a row's device taps): leave it out of `contacted` so that their contacts are the
    only ones there. `split_metal`: the vertical sides' Metal1 stops a Metal1 space short of
    the horizontal sides (the diffusion stays closed), so that no Metal1 outline spans what the
    ring encloses: a hierarchical check then need not see every enclosed cell in its own
    context. Returns the number of contacts drawn."""
    t = tech()
    space = t.contact_space if contact_pitch is None else max(
        t.contact_space, contact_pitch - t.contact)
    sides = tuple(sides)
    contacted = sides if contacted is None else tuple(contacted)
    implant = "pplus" if kind == "ptap" else "nplus"
    grow = t.implant_comp
    count = 0
    for side in sides:
        x0, y0, x1, y1 = side_box(box, side)
        rect(c, "comp", x0, y0, x1, y1)
        if split_metal and side in ("left", "right"):  # clear of a via pad on the corner
            gap = max(ring_width(), t.wire) + t.metal1_space
            rect(c, "metal1", x0, y0 + gap, x1, y1 - gap)
        else:
            rect(c, "metal1", x0, y0, x1, y1)
        rect(c, implant, x0 - grow, y0 - grow, x1 + grow, y1 + grow)
        if kind == "ntap":
            well = well_margin()
            rect(c, "nwell", x0 - well, y0 - well, x1 + well, y1 + well)
        if side in contacted:
            count += cuts(c, "contact", *_contact_box(box, side, sides), t.contact, space,
                          t.comp_enc_contact)
    return count


def _contact_box(box: tuple[float, float, float, float], side: Side,
                 sides: tuple[Side, ...]) -> tuple[float, float, float, float]:
    """Where a side's contacts go: a vertical side stops short of the horizontal sides drawn
    across its ends, so that their contact rows keep the contact space."""
    x0, y0, x1, y1 = side_box(box, side)
    if side in ("left", "right"):
        clear = ring_width() + tech().contact_space
        if "bottom" in sides:
            y0 += clear
        if "top" in sides:
            y1 -= clear
    return x0, y0, x1, y1
