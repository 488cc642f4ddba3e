"""Weak-inversion parameters of the weight device, from the PDK model itself.

The hyperparameters a bias current sets depend on the slope factor n (eta = I_tau/(C n U_T)),
and the weights' initial conditions need the gate voltage of a given current. Both come from a
DC sweep of the unit NMOS in ngspice, fitted where it is in weak inversion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from pdk.gf180mcu import DEVICES
from sgdr_flow.errors import FlowError
from sim.golden import thermal_voltage
from sim.ngspice import simulate
from sim.testbenches import Bench, Job

WEAK = (1e-11, 1e-8)  # A: the fit window


@dataclass(frozen=True)
class WeakInversion:
    n: float          # slope factor
    i_s: float        # A: current at V_G = 0 extrapolated (I = i_s exp(V_G / (n U_T)))
    temperature_c: float

    def gate_for(self, current: float) -> float:
        return self.n * thermal_voltage(self.temperature_c) * math.log(current / self.i_s)


def characterization(w: float, l: float, vds: float, bench: Bench) -> Job:  # noqa: E741
    """DC sweep of the unit NMOS's gate at drain voltage `vds` (a Monte Carlo bench's sample is
    dropped: the fit is of the nominal device)."""
    nominal = Bench(bench.corner, None, bench.temperature_c)
    netlist = "\n".join([
        "* unit nmos weak-inversion characterization",
        *nominal.models(),
        f".temp {bench.temperature_c}",
        f"VD d 0 {vds}",
        "VG g 0 0.3",
        f"XM d g 0 0 {DEVICES['nfet_03v3'].model} w={w}u l={l}u",
        ".dc VG 0.1 0.7 0.005",
        ".end",
    ])
    return Job(f"characterize/{bench.corner}/{bench.temperature_c:g}C", netlist,
               {"temperature_c": bench.temperature_c})


def fit_weak_inversion(vectors: dict[str, Any], temperature_c: float) -> WeakInversion:
    vg, current = vectors["v-sweep"], -vectors["vd#branch"]
    window = (current > WEAK[0]) & (current < WEAK[1])
    slope, intercept = np.polyfit(vg[window], np.log(current[window]), 1)
    n = 1.0 / (slope * thermal_voltage(temperature_c))
    return WeakInversion(float(n), float(math.exp(intercept)), temperature_c)


def weak_inversion(w: float, l: float, vds: float, corner: str = "typical",  # noqa: E741
                   temperature_c: float = 27.0) -> WeakInversion:
    job = characterization(w, l, vds, Bench(corner, None, temperature_c))
    result = simulate(job.netlist)
    if not result.ok:
        raise FlowError(f"characterization of the unit NMOS failed: {result.error}")
    return fit_weak_inversion(result.vectors, temperature_c)
