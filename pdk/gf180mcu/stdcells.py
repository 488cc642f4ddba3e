"""GF180MCU 7-track standard cells (gf180mcu_fd_sc_mcu7t5v0): the facts the digital baseline
needs, from the library's public LEF (cell size) and Liberty files (tt, 25 C, 3.3 V corner:
state-averaged leakage, internal energy per output transition at the table's third slew/load
point, input pin capacitance). Source: google/globalfoundries-pdk-libs-gf180mcu_fd_sc_mcu7t5v0,
cells/<name>/gf180mcu_fd_sc_mcu7t5v0__<cell>.lef and ...__<cell>__tt_025C_3v30.lib.
"""

from __future__ import annotations

from dataclasses import dataclass

LIBRARY = "gf180mcu_fd_sc_mcu7t5v0"
CORNER = "tt_025C_3v30"
SUPPLY_V = 3.3


@dataclass(frozen=True)
class StdCell:
    name: str
    width_um: float
    height_um: float
    leakage_nw: float       # state-averaged
    energy_rise_pj: float   # internal energy per output transition
    energy_fall_pj: float
    input_cap_pf: float

    @property
    def area_um2(self) -> float:
        return self.width_um * self.height_um

    @property
    def energy_pj(self) -> float:
        """Average internal energy of one output transition."""
        return (self.energy_rise_pj + self.energy_fall_pj) / 2


STDCELLS: dict[str, StdCell] = {c.name: c for c in (
    StdCell("inv_1", 2.24, 3.92, 0.033, 0.04197, 0.001183, 0.004623),
    StdCell("and2_1", 4.48, 3.92, 0.052, 0.04387, 0.07562, 0.002759),
    StdCell("xor2_1", 6.72, 3.92, 0.072, 0.08572, 0.1202, 0.007356),
    StdCell("mux2_1", 7.28, 3.92, 0.083, 0.05335, 0.0947, 0.003134),
    StdCell("addh_1", 10.08, 3.92, 0.095, 0.07556, 0.09824, 0.006344),
    StdCell("addf_1", 18.48, 3.92, 0.120, 0.05929, 0.1289, 0.01156),
    StdCell("dffq_1", 16.24, 3.92, 0.189, 0.1053, 0.1066, 0.003183),
)}
# dffq_1 clock pin energy per cycle (rise + fall) with Q unchanged, tt 3.3 V
DFF_CLOCK_PJ = 0.09117 + 0.1204
