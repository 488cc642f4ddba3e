"""The SGDr synapse and the array's bias network.

Continuous-time SGD with L2 regularization, tau dw/dt = -(e x + lambda w), e = y - t, y = sum w x,
in the log domain (see integrator.py): the synapse's integrator charges its capacitor with
I_tau x t / w (target branch) and discharges it with I_tau x y / w (output branch, through an
NMOS mirror) and with I_lambda, so dw/dt = (I_tau/(C n U_T)) (x (t - y) - lambda w) with
lambda = I_lambda / I_tau. Its forward multiplier (translinear core with the weight node as the
a-side gate) sinks w x I_T0 from the shared y line. Currents are unipolar: x, w, t, y > 0.
"""

from __future__ import annotations

from cells.circuit import Circuit, Mos
from cells.integrator import UPDATE_LOOP, log_integrator, update_branch
from cells.mirror import current_mirror
from cells.params import Aspect, Capacitance, Count, DeviceWidth, GateLength
from cells.place_route import in_rows
from cells.registry import analog_cell
from cells.translinear import folded, translinear_core

SYNAPSE_PINS = ["x", "t", "y", "eta", "uf", "ug", "lam", "wmon", "vdd", "vss"]


@analog_cell()
def sgdr_synapse(w: DeviceWidth = 2.0, l: GateLength = 2.0, k: Count = 8,  # noqa: E741
                 capacitance_ff: Capacitance = 1000.0, lm: GateLength | None = None,
                 cap_aspect: Aspect = 1.0) -> Circuit:
    """One weight: pins x (input current, drawn out of the pin), t and y (PMOS gate lines of the
    target and of the sum node; y also collects this synapse's w*x), eta, uf, ug, lam (bias gate
    lines), wmon (weight readout current), vdd, vss. k: width (units) of the loop devices that
    set the shared sources (headroom, see integrator.py); lm: length of the mirrors whose drains
    sit on the weight node (default l); cap_aspect: the weight MIM's width over its length."""
    c = Circuit("sgdr_synapse", list(SYNAPSE_PINS))
    c.instantiate("int", log_integrator(w, l, k, capacitance_ff, lm, cap_aspect), x="x", t="t",
                  eta="eta", ug="ug", lam="lam", vc="vc", out="wmon", vdd="vdd", vss="vss")
    c.instantiate("by", update_branch(w, l, k, lm), vc="vc", c="int_c", gin="y", o="ny",
                  vdd="vdd", vss="vss")
    c.instantiate("mn", current_mirror("nmos", w, lm or l, "1:1"), **{"in": "ny"}, out="vc",
                  vss="vss")
    c.add(Mos("PXF", "pmos", "xf", "x", "vdd", "vdd", w, l))
    c.instantiate("fwd", translinear_core(w, l, 1), ga="vc", gc="uf", ib="xf", out="y",
                  vss="vss")
    # the output branch's loop shares M2 and M3 with the update loop: its pair goes on the
    # other side of them, so both loops are centred
    c.match("output_loop", "loop", ("int_core_M2", "by_M4"), ("int_core_M3", "by_M5"))
    c.placement = in_rows(c, [f"int_{name}" for name in UPDATE_LOOP] + ["by_M5", "by_M4"])
    return c


@analog_cell()
def bias_network(w: DeviceWidth = 2.0, l: GateLength = 2.0,  # noqa: E741
                 k: Count = 1) -> Circuit:
    """Diodes that turn the array's bias and target currents into gate lines: NMOS for uf, eta,
    lam (current flows into the pin), PMOS for ug, t and the sum node y (current out of the pin).
    ymon is the array's output: a copy of the sum current y, sourced out of the pin by a PMOS
    mirrored on the y diode (what a chip's output pin shows of y)."""
    c = Circuit("bias_network", ["uf", "eta", "lam", "ug", "t", "y", "ymon", "vdd", "vss"])
    c.add(folded("DUF", "nmos", "uf", "uf", "vss", "vss", k * w, l))
    c.add(Mos("DETA", "nmos", "eta", "eta", "vss", "vss", w, l))
    c.add(Mos("DLAM", "nmos", "lam", "lam", "vss", "vss", w, l))
    c.add(Mos("DUG", "pmos", "ug", "ug", "vdd", "vdd", w, l))
    c.add(Mos("DT", "pmos", "t", "t", "vdd", "vdd", w, l))
    c.add(Mos("DY", "pmos", "y", "y", "vdd", "vdd", w, l))
    c.add(Mos("PYM", "pmos", "ymon", "y", "vdd", "vdd", w, l))
    c.match("ymon_mirror", "group", ("DY",), ("PYM",))
    return c
