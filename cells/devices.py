"""Single-device cells: a MOS transistor and a MIM capacitor."""

from __future__ import annotations

from typing import Literal

from cells.circuit import Circuit, Mim, Mos
from cells.mim import side_for
from cells.params import Capacitance, Count, DeviceWidth, GateLength, MimDensity
from cells.registry import analog_cell

MosKind = Literal["nmos", "pmos"]


@analog_cell()
def mos_device(kind: MosKind = "nmos", w: DeviceWidth = 2.0, l: GateLength = 1.0,  # noqa: E741
               nf: Count = 1, m: Count = 1, dummies: bool = False) -> Circuit:
    """One nfet_03v3/pfet_03v3 with pins d, g, s and b (body tap); m parallel copies; with
    `dummies`, a floating dummy Poly2 finger on each side (layout only)."""
    c = Circuit("mos_device", ["d", "g", "s", "b"])
    c.add(Mos("M1", kind, "d", "g", "s", "b", w * m, l, nf * m, int(dummies)))
    return c


@analog_cell()
def mim_capacitor(capacitance_ff: Capacitance = 500.0, density: MimDensity = 2.0) -> Circuit:
    """A square MIM weight-memory capacitor of the given value; pins top and bottom."""
    c = Circuit("mim_capacitor", ["top", "bottom"])
    side = side_for(capacitance_ff, density)
    c.add(Mim("C1", "top", "bottom", side, side, density))
    return c
