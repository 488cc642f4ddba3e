"""The digital baseline: one weight's 8-bit SGD-with-L2 update datapath in GF180MCU standard cells.

w <- w - (e x >> (7 + a)) - (w >> (a + b)) for eta = 2^-a, lambda = 2^-b (fixed shifts are
wiring): an 8x8 carry-save array multiplier, a three-operand subtract (carry-save row, ripple
adder, inverted subtrahends) and an 8-bit weight register. Energy is an estimate from the
library's internal energies plus output load, with the activities below; area is the sum of
cell areas, and placed area assumes the utilisation below. Treat the energy as +/- 2x.
"""

from __future__ import annotations

from typing import Any

from pdk.gf180mcu.stdcells import CORNER, DFF_CLOCK_PJ, LIBRARY, STDCELLS, SUPPLY_V

BITS = 8
UTILISATION = 0.7
LOAD_PF = {"addf_1": 0.020, "addh_1": 0.020, "and2_1": 0.015, "inv_1": 0.015}
# output transitions per update: array adders 0.5 x 2 (glitches), partial products and
# subtract adders 0.5; the register pays one clock cycle per update
ACTIVITY = {"multiplier": 1.0, "subtract": 0.5, "partial_products": 0.5}


def datapath(bits: int = BITS) -> dict[str, dict[str, int]]:
    """Cell counts per block of the update datapath."""
    return {
        "partial_products": {"and2_1": bits * bits},
        "multiplier": {"addf_1": bits * (bits - 2), "addh_1": bits},
        "subtract": {"addf_1": 2 * bits, "inv_1": 2 * bits},
        "register": {"dffq_1": bits},
    }


def _transition_pj(cell: str) -> float:
    return STDCELLS[cell].energy_pj + LOAD_PF.get(cell, 0.0) * SUPPLY_V ** 2 / 2


def digital_baseline(bits: int = BITS) -> dict[str, Any]:
    blocks = datapath(bits)
    area = sum(STDCELLS[c].area_um2 * n for block in blocks.values() for c, n in block.items())
    leakage = sum(STDCELLS[c].leakage_nw * n for block in blocks.values()
                  for c, n in block.items()) * 1e-9
    energy_pj = bits * (DFF_CLOCK_PJ + _transition_pj("dffq_1") * 0.5)
    for block, cells in blocks.items():
        if block in ACTIVITY:
            energy_pj += sum(_transition_pj(c) * n * ACTIVITY[block] for c, n in cells.items())
    return {
        "description": f"{bits}-bit SGD+L2 update datapath per weight ({LIBRARY}, {CORNER})",
        "cells": {c: sum(b.get(c, 0) for b in blocks.values()) for c in STDCELLS
                  if any(c in b for b in blocks.values())},
        "cell_area_um2": round(area, 1),
        "placed_area_um2": round(area / UTILISATION, 1),
        "energy_per_update_j": energy_pj * 1e-12,
        "leakage_w": leakage,
        "assumptions": f"utilisation {UTILISATION}, output loads {LOAD_PF} pF, activities "
                       f"{ACTIVITY}; energy +/- 2x",
    }


def compare(analog: dict[str, Any], per_synapse_area_um2: float) -> dict[str, Any]:
    """Digital / analog ratios of area per weight and energy per weight update."""
    digital = digital_baseline()
    out = {**digital, "analog_area_per_synapse_um2": per_synapse_area_um2,
           "area_ratio_digital_over_analog": round(
               digital["placed_area_um2"] / per_synapse_area_um2, 2)}
    energy = analog.get("energy_per_update_j")
    if energy:
        out["analog_energy_per_update_j"] = energy
        out["energy_ratio_digital_over_analog"] = round(
            digital["energy_per_update_j"] / energy, 1)
    return out
