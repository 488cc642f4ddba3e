"""Would chopping the update branches pass the precision target? (docs/robustness.md, section 3)

    python benchmarks/chopping.py [--flow flow.yaml] [--samples 8] [--scale 1 3] [--chop-hz 2e3 2e4]

One synapse's update path, from the flow's own cell builders (`gradient_core`, two
`update_branch`es, the NMOS mirror's two devices): the weight node held at w = 1, x = 1 and the
target and sum lines on one diode (t = y, so an ideal update is zero and the bias network's own
t/y mismatch, which the per-chip trim corrects, is left out). The net current into the weight
node over I_tau is the branch imbalance eps that the golden model needs at ~1e-4 for 8 bits.

* static: the synapse as built (branch 1 charges the node, branch 2 discharges it through the
  mirror);
* ideal: chopped with ideal switches: clock A swaps the two branches' outputs (node and mirror),
  clock B (half its rate) swaps the mirror's diode and output devices (dynamic element matching);
* cmos: the same with minimum-size CMOS pass gates (rules DF.2a and PL.2) at the 1 V supply;
* equalized: ideal switches, and an ideal amplifier holds the mirror's input side at the weight
  node's voltage (what it would take to stop charge crossing between the two at every swap).

Each row: the nominal chip, and the Monte Carlo samples (global + mismatch) around it. `--scale`
multiplies W and L of every device of the update path (its area by scale^2). `--input-scale`
drives both branches with that fraction of the target current: a class-B update (error formed
once and rectified, benchmarks/sensitivity.py) has its branches carry |e| x / w, a few percent of
x t / w, and eps, taken over the branch current, is then its asymmetry a.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cells.circuit import Circuit, Mos, sim_card, sim_netlist  # noqa: E402
from cells.integrator import gradient_core, update_branch  # noqa: E402
from pdk.gf180mcu.models import Statistical  # noqa: E402
from pdk.gf180mcu.rules import value  # noqa: E402
from sgdr_flow.config import load_flow  # noqa: E402
from sim.characterize import weak_inversion  # noqa: E402
from sim.ngspice import simulate_here  # noqa: E402
from sim.testbenches import OPTIONS, Bench, Biases, biases  # noqa: E402

MODES = ("static", "ideal", "cmos", "equalized")
PERIODS = 3          # clock-B periods simulated; the first is left out of the average
STEPS = 4000         # time steps per clock-B period
EDGE_S = 10e-9
PINS = ["x", "t", "eta", "ug", "vc", "ny", "o1", "o2", "da", "db", "a", "ab", "b", "bb"]
# where each switched terminal goes: (terminal, net while the clock is low, net while high)
STEERING = {"a": [("o1", "vc", "ny"), ("o2", "ny", "vc")],
            "b": [("da", "ny", "vc"), ("db", "vc", "ny")]}


@dataclass(frozen=True)
class Equalizer:
    """The ideal amplifier of the equalized mode: its gain, the capacitor its output (through
    1 Mohm) charges on the mirror's gates, and the loop's capacitor on the mirror's input side."""

    gain: float = 1e4        # 0.4 V on the gates leaves 40 uV between the nodes
    gate_cap_pf: float = 1.0
    node_cap_pf: float = 100.0


def update_path(syn: dict, scale: float, switches: bool) -> Circuit:
    """The synapse's update path with its branch outputs and mirror drains as terminals o1, o2,
    da, db (the static synapse ties them; the chopped one steers them, with CMOS pass gates when
    `switches`)."""
    w, ln, k = syn["w"] * scale, syn["l"] * scale, syn["k"]
    lm = (syn.get("lm") or syn["l"]) * scale
    c = Circuit("update_path", [*PINS, "vdd", "vss"])
    c.add(Mos("PXD", "pmos", "x", "x", "vdd", "vdd", w, ln))
    c.instantiate("core", gradient_core(w, ln, k), x="x", eta="eta", ug="ug", c="c", vdd="vdd",
                  vss="vss")
    for branch in ("1", "2"):
        c.instantiate(f"b{branch}", update_branch(w, ln, k, lm), vc="vc", c="c", gin="t",
                      o=f"o{branch}", vdd="vdd", vss="vss")
    c.add(Mos("MA", "nmos", "da", "ny", "vss", "vss", w, lm))
    c.add(Mos("MB", "nmos", "db", "ny", "vss", "vss", w, lm))
    if switches:
        sw_w, sw_l = value("DF.2a"), value("PL.2")
        for clock, moves in STEERING.items():
            for terminal, low, high in moves:
                for net, on_low in ((low, True), (high, False)):
                    n_gate, p_gate = (f"{clock}b", clock) if on_low else (clock, f"{clock}b")
                    name = f"{terminal}_{net}"
                    c.add(Mos(f"SN{name}", "nmos", terminal, n_gate, net, "vss", sw_w, sw_l))
                    c.add(Mos(f"SP{name}", "pmos", terminal, p_gate, net, "vdd", sw_w, sw_l))
    return c


def steering(mode: str, equalizer: Equalizer = Equalizer()) -> list[str]:
    """Testbench lines that connect the terminals: fixed (static) or ideal switches."""
    if mode == "static":
        return [f"V{terminal} {terminal} {low} 0" for moves in STEERING.values()
                for terminal, low, _ in moves]
    if mode == "cmos":
        return []
    lines = [".model CLOSED_HIGH SW vt=0.5 vh=0 ron=1e3 roff=1e16",
             ".model CLOSED_LOW SW vt=0.5 vh=0 ron=1e16 roff=1e3"]
    # equalized: the mirror's input side is a node nd that an ideal amplifier holds at the weight
    # node's voltage by driving the mirror's gates ny (what carries charge across is then gone)
    net = {"ny": "nd"} if mode == "equalized" else {}
    for clock, moves in STEERING.items():
        for terminal, low, high in moves:
            lines += [f"S{terminal}l {terminal} {net.get(low, low)} {clock} 0 CLOSED_LOW",
                      f"S{terminal}h {terminal} {net.get(high, high)} {clock} 0 CLOSED_HIGH"]
    if mode == "equalized":
        # the amplifier (within the rails, its own pole at 160 kHz) drives the gates; the loop's
        # dominant pole is a capacitor on nd, large enough that the mirror's gate-drain
        # capacitance does not close a positive loop around the amplifier
        lines += [f"BEQ nyx 0 V=max(0, min(1, {equalizer.gain:g} * (v(nd) - v(vc))))",
                  "REQ nyx ny 1meg", f"CEQY ny 0 {equalizer.gate_cap_pf:g}p",
                  f"CEQ nd 0 {equalizer.node_cap_pf:g}p"]
    return lines


def _operating_point(syn: dict, learning) -> tuple[float, Biases]:
    """The weight node's voltage at w = 1 and the testbench's bias currents."""
    unit = weak_inversion(syn["w"], syn["l"], learning.v_readout)
    bias = biases(learning, learning.eta_per_s, learning.lam, syn["capacitance_ff"] * 1e-15,
                  unit.n, 27.0)
    return unit.gate_for(bias.i_w0), bias


def deck(syn: dict, learning, scale: float, mode: str, chop_hz: float,
         sample: Statistical | None, equalizer: Equalizer = Equalizer(),
         input_scale: float = 1.0) -> tuple[str, float]:
    """The deck and its clock-B period (0 for the static synapse's operating point)."""
    v_weight, bias = _operating_point(syn, learning)
    path = update_path(syn, scale, mode == "cmos")
    diodes = [Mos("DT", "pmos", "t", "t", "vdd", "vdd", syn["w"], syn["l"]),
              Mos("DE", "nmos", "eta", "eta", "0", "0", syn["w"], syn["l"]),
              Mos("DU", "pmos", "ug", "ug", "vdd", "vdd", syn["w"], syn["l"])]
    lines = ["* update-path imbalance", *Bench(sample=sample).models(), OPTIONS.replace(
        "method=gear", "method=gear reltol=1e-5 chgtol=1e-20"), sim_netlist(path),
        *(sim_card(d) for d in diodes), "VDD vdd 0 1.0",
        f"VC vc 0 {v_weight:.6f}", f"IX x 0 {bias.i_x0:.6e}",
        f"IT t 0 {bias.i_t0 * input_scale:.6e}", f"IETA vdd eta {bias.i_eta:.6e}",
        f"IUG ug 0 {bias.i_ug:.6e}",
        f"XP {' '.join(PINS)} vdd 0 update_path", *steering(mode, equalizer)]
    if mode == "static":
        return "\n".join([*lines, "VA a 0 0", "VAB ab 0 1", "VB b 0 0", "VBB bb 0 1", ".op",
                          ".end"]) + "\n", 0.0
    period = 2 / chop_hz
    for clock, p in (("a", period / 2), ("b", period)):
        high = f"{p / 2 - EDGE_S:.6e} {p:.6e}"
        lines += [f"V{clock.upper()} {clock} 0 PULSE(0 1 {p / 2:.6e} {EDGE_S} {EDGE_S} {high})",
                  f"V{clock.upper()}B {clock}b 0 PULSE(1 0 {p / 2:.6e} {EDGE_S} {EDGE_S} {high})"]
    step = period / STEPS
    lines += [f".tran {step:.6e} {PERIODS * period:.6e} 0 {step:.6e}", ".end"]
    return "\n".join(lines) + "\n", period


def imbalance(syn: dict, learning, scale: float, mode: str, chop_hz: float,
              sample: Statistical | None, equalizer: Equalizer = Equalizer(),
              input_scale: float = 1.0) -> float:
    """Average net current into the weight node over the branch current (I_tau at x = t = w =
    1, times input_scale)."""
    text, period = deck(syn, learning, scale, mode, chop_hz, sample, equalizer, input_scale)
    result = simulate_here(text)
    if result.error:
        raise SystemExit(f"ngspice failed ({mode}, scale {scale}): {result.error}")
    branch = _operating_point(syn, learning)[1].i_tau * input_scale
    current = np.asarray(result.vectors["vc#branch"])  # into the source: out of the node
    if not period:
        return -float(current[0]) / branch
    time = np.asarray(result.vectors["time"])
    kept = time >= period
    mean = np.trapezoid(current[kept], time[kept]) / (time[kept][-1] - time[kept][0])
    return -float(mean) / branch


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flow", type=Path, default=ROOT / "flow.yaml")
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7000, help="first Monte Carlo seed")
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0, 3.0])
    parser.add_argument("--chop-hz", type=float, nargs="+", default=[2e3, 2e4])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--equalizer-caps", type=float, nargs=2, metavar=("GATE_PF", "NODE_PF"),
                        default=[Equalizer.gate_cap_pf, Equalizer.node_cap_pf],
                        help="the equalized mode's loop capacitors (its dynamics)")
    parser.add_argument("--input-scale", type=float, default=1.0,
                        help="branch input current over the target current (class B: ~0.05)")
    args = parser.parse_args(argv)
    equalizer = Equalizer(gate_cap_pf=args.equalizer_caps[0], node_cap_pf=args.equalizer_caps[1])
    config = load_flow(args.flow).config
    syn = config.design.cells[config.design.synapse].params
    learning = config.simulation.testbenches.learning
    print("| mode | clock A | scale | nominal eps | MC eps: mean | sigma | median abs | worst |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for scale in args.scale:
        for mode in args.modes:
            for hz in ([0.0] if mode == "static" else args.chop_hz):
                nominal, *samples = (
                    imbalance(syn, learning, scale, mode, hz, sample, equalizer, args.input_scale)
                    for sample in [None, *map(Statistical, range(args.seed,
                                                                 args.seed + args.samples))])
                eps = np.array(samples)
                clock = f"{hz:g} Hz" if hz else "-"
                spread = f"{eps.std():.2e} | {np.median(np.abs(eps)):.2e} | {np.abs(eps).max():.2e}"
                print(f"| {mode} | {clock} | {scale:g} | {nominal:+.2e} | {eps.mean():+.2e} | "
                      f"{spread} |", flush=True)


if __name__ == "__main__":
    main()
