"""Weak-inversion translinear multiplier/divider, I_out = I_a * I_b / I_c.

Topology (chosen for body-effect immunity): an alternating loop around one shared source node s.
Q (gate on the I_a diode's gate ga) and R (gate on the I_c diode's gate gc) share s; the diodes
have their sources on the rail. In weak inversion I = I_s exp(V_G/(n U_T) - V_S/U_T), so
I_Q/I_a = I_R/I_c = exp(-V_s/U_T)... with R forced to carry I_b by the feedback device F (gate on
R's drain, draining s), the loop gives I_out = I_Q = I_a I_b / I_c independently of n and of s.
s must stay above ground, which needs I_c > I_b (R and the c-diode are `k` units wide to help).
The same core, with the I_a diode replaced by the weight capacitor's node, is the synapse's
forward multiplier w * x.

The loop's layout is a cross quad: the diodes DA and DC in the bottom row, the devices that share
their gates (Q and R) above them in the top row, so the clockwise junctions (DA, R) and the
counter-clockwise ones (Q, DC) sit on the two diagonals and share one centroid.
"""

from __future__ import annotations

import math

from cells.circuit import Circuit, Mos
from cells.params import Count, DeviceWidth, GateLength
from cells.registry import analog_cell

FINGER_MAX = 4.0  # um: wider devices are folded into fingers


def folded(name: str, kind: str, d: str, g: str, s: str, b: str, w: float,
           l: float, units: int = 1) -> Mos:  # noqa: E741
    """A device of `units` units of total width w each, every unit split into fingers no wider
    than FINGER_MAX: a k-unit device has the fingers (and the height) of a one-unit one."""
    nf = max(1, math.ceil(w / FINGER_MAX - 1e-9))
    return Mos(name, kind, d, g, s, b, units * w, l, units * nf)


@analog_cell()
def translinear_core(w: DeviceWidth = 2.0, l: GateLength = 2.0,  # noqa: E741
                     k: Count = 1) -> Circuit:
    """The loop without its input diodes: pins ga, gc (diode gates), ib, out, vss."""
    c = Circuit("translinear_core", ["ga", "gc", "ib", "out", "vss"], sensitive=["s"])
    c.add(folded("R", "nmos", "ib", "gc", "s", "vss", w, l, k))
    c.add(folded("F", "nmos", "s", "ib", "vss", "vss", w, l))
    c.add(folded("Q", "nmos", "out", "ga", "s", "vss", w, l))
    return c


@analog_cell()
def translinear_loop(w: DeviceWidth = 2.0, l: GateLength = 2.0,  # noqa: E741
                     k: Count = 1) -> Circuit:
    """I_out = I_a I_b / I_c with its input diodes; pins ia, ib, ic (current inputs), out, vss."""
    c = Circuit("translinear_loop", ["ia", "ib", "ic", "out", "vss"])
    c.add(folded("DA", "nmos", "ia", "ia", "vss", "vss", w, l))
    c.add(folded("DC", "nmos", "ic", "ic", "vss", "vss", w, l, k))
    c.instantiate("core", translinear_core(w, l, k), ga="ia", gc="ic", ib="ib", out="out",
                  vss="vss")
    c.match("loop", "loop", ("DA", "core_R"), ("core_Q", "DC"))
    c.placement = {"bottom": ["DA", "DC", "core_F"], "top": ["core_Q", "core_R"]}
    return c
