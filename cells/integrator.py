"""Log-domain integrator (Bernoulli cell) on a MIM capacitor, and its translinear update loop.

The state is the capacitor voltage v_c; a weak-inversion device with its gate on v_c carries
I_w = I_s exp(v_c / (n U_T)), so a capacitor current I_cap changes I_w by
dI_w/dt = I_w I_cap / (C n U_T). The update loop injects I_cap = I_tau x t / w (a six-device
alternating translinear loop whose last device is the virtual weight device on v_c, so it divides
by I_w); a constant sink I_lambda on v_c gives dw/dt = (I_tau / (C n U_T)) (x t - (I_lambda /
I_tau) w): a first-order low-pass whose time constant C n U_T / I_lambda is set by a bias current.

Sizing (weak inversion, I = m I_s exp(V_G/(n U_T) - V_S/U_T) for a device m units wide): the loop
gives T = I_in (I_eta / I_w) (I_x / I_ug) (m2 m4) / (m3 m5), so only the ratio matters. The two
devices that set the shared sources are the wide ones (m2 = m5 = k) and the two that carry the
signal are unit devices (m3 = m4 = 1): the gain stays 1 while

  node b (gradient core):  exp(V_b / U_T) = k I_eta / I_ug
  node d (update branch):  exp(V_d / U_T) = k I_w / I_in

both must stay well above ground (the feedback devices F2, F5 cannot pull below vss), so k buys
headroom for small eta (small I_eta) and for small weights or large targets (I_in > I_w), and the
x-dependent node c only carries unit gates (fast). The PMOS mirror that turns the branch current
into the capacitor current (PD/PO) has its own length `lm`: its output drain sits on v_c, which
swings with the weight, and a longer channel keeps its drain-induced gain change small.

The loop's four devices are placed as two translation-equal pairs side by side (M5 M4, M2 M3:
the wide device left of the unit one in both), so its clockwise (M2, M4) and counter-clockwise
(M3, M5) junctions share one centroid.
"""

from __future__ import annotations

from cells.circuit import Circuit, Mim, Mos
from cells.mim import plate_for
from cells.params import Aspect, Capacitance, Count, DeviceWidth, GateLength
from cells.place_route import in_rows
from cells.registry import analog_cell
from cells.translinear import folded

# the update loop's pairs, wide device first: placed side by side they share one centroid
UPDATE_LOOP = ["bt_M5", "bt_M4", "core_M2", "core_M3"]


@analog_cell()
def gradient_core(w: DeviceWidth = 2.0, l: GateLength = 2.0,  # noqa: E741
                  k: Count = 8) -> Circuit:
    """Shared front of the update loop: node c carries the x-dependent gate voltage.

    M2 (gate on the eta line, k units) is forced to I_ug by the feedback F2; M3 (one unit) is the
    x diode on the shared source b. Pins: x (PMOS gate line of the input current), eta, ug (PMOS
    gate line of the unit current), c, vdd, vss."""
    c = Circuit("gradient_core", ["x", "eta", "ug", "c", "vdd", "vss"], sensitive=["b", "c"])
    c.add(Mos("PU", "pmos", "f2", "ug", "vdd", "vdd", w, l))
    c.add(folded("M2", "nmos", "f2", "eta", "b", "vss", k * w, l))
    c.add(folded("F2", "nmos", "b", "f2", "vss", "vss", w, l))
    c.add(Mos("PX", "pmos", "c", "x", "vdd", "vdd", w, l))
    c.add(folded("M3", "nmos", "c", "c", "b", "vss", w, l))
    return c


@analog_cell()
def update_branch(w: DeviceWidth = 2.0, l: GateLength = 2.0, k: Count = 8,  # noqa: E741
                  lm: GateLength | None = None) -> Circuit:
    """One product branch T = I_eta I_x I_in / (I_ug I_w), sourced into `o` by a PMOS mirror.

    M5 (gate on v_c, k units) is forced to the input current copied from the PMOS gate line `gin`
    by the feedback F5; M4 (gate on c, one unit) shares its source d and carries T; the mirror
    PD/PO (length lm, default l) sources it into `o`. Pins: vc, c, gin, o, vdd, vss."""
    c = Circuit("update_branch", ["vc", "c", "gin", "o", "vdd", "vss"], sensitive=["d"])
    c.add(Mos("PI", "pmos", "f5", "gin", "vdd", "vdd", w, l))
    c.add(folded("M5", "nmos", "f5", "vc", "d", "vss", k * w, l))
    c.add(folded("F5", "nmos", "d", "f5", "vss", "vss", w, l))
    c.add(folded("M4", "nmos", "p", "c", "d", "vss", w, l))
    c.add(Mos("PD", "pmos", "p", "p", "vdd", "vdd", w, lm or l))
    c.add(Mos("PO", "pmos", "o", "p", "vdd", "vdd", w, lm or l))
    c.match("mirror", "group", ("PD",), ("PO",))
    return c


@analog_cell()
def log_integrator(w: DeviceWidth = 2.0, l: GateLength = 2.0, k: Count = 8,  # noqa: E741
                   capacitance_ff: Capacitance = 1000.0, lm: GateLength | None = None,
                   cap_aspect: Aspect = 1.0) -> Circuit:
    """Bernoulli-cell integrator: input currents x (pin x is its PMOS diode) and t (PMOS gate
    line), biases eta, ug, lam; state node vc on a MIM; readout device current into `out`;
    lm is the length of the mirror that drives vc (default l); cap_aspect the MIM's width over
    its length (a wide, low plate beside the rows keeps the cell low)."""
    c = Circuit("log_integrator", ["x", "t", "eta", "ug", "lam", "vc", "out", "vdd", "vss"],
                sensitive=["vc"])
    c.add(Mos("PXD", "pmos", "x", "x", "vdd", "vdd", w, l))
    c.instantiate("core", gradient_core(w, l, k), x="x", eta="eta", ug="ug", c="c", vdd="vdd",
                  vss="vss")
    c.instantiate("bt", update_branch(w, l, k, lm), vc="vc", c="c", gin="t", o="vc", vdd="vdd",
                  vss="vss")
    c.add(Mos("ML", "nmos", "vc", "lam", "vss", "vss", w, l))
    c.add(Mos("MW", "nmos", "out", "vc", "vss", "vss", w, l))
    c.add(Mim("C", "vc", "vss", *plate_for(capacitance_ff, cap_aspect)))
    c.match("update_loop", "loop", ("core_M2", "bt_M4"), ("core_M3", "bt_M5"))
    c.placement = in_rows(c, UPDATE_LOOP)
    return c
