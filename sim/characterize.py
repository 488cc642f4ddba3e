"""Weak-inversion parameters of the weight device, from the PDK model itself.

The hyperparameters a bias current sets depend on the slope factor n (eta = I_tau/(C n U_T)),
and the weight's initial condition needs the gate voltage of a given current. Both come from a
DC sweep of the unit NMOS in ngspice, fitted where it is in weak inversion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pdk.gf180mcu import DEVICES, model_deck
from sgdr_flow.errors import FlowError
from sim.golden import thermal_voltage
from sim.ngspice import simulate

WEAK = (1e-11, 1e-8)  # A: the fit window


@dataclass(frozen=True)
class WeakInversion:
    n: float          # slope factor
    i_s: float        # A: current at V_G = 0 extrapolated (I = i_s exp(V_G / (n U_T)))
    temperature_c: float

    def gate_for(self, current: float) -> float:
        return self.n * thermal_voltage(self.temperature_c) * math.log(current / self.i_s)


def weak_inversion(w: float, l: float, vds: float, corner: str = "typical",  # noqa: E741
                   temperature_c: float = 27.0) -> WeakInversion:
    netlist = "\n".join([
        "* unit nmos weak-inversion characterization",
        *model_deck(corner),
        f".temp {temperature_c}",
        f"VD d 0 {vds}",
        "VG g 0 0.3",
        f"XM d g 0 0 {DEVICES['nfet_03v3'].model} w={w}u l={l}u",
        ".dc VG 0.1 0.7 0.005",
        ".end",
    ])
    result = simulate(netlist)
    if not result.ok:
        raise FlowError(f"characterization of the unit NMOS failed: {result.error}")
    vg, current = result["v-sweep"], -result["vd#branch"]
    window = (current > WEAK[0]) & (current < WEAK[1])
    slope, intercept = np.polyfit(vg[window], np.log(current[window]), 1)
    n = 1.0 / (slope * thermal_voltage(temperature_c))
    return WeakInversion(float(n), float(math.exp(intercept)), temperature_c)
