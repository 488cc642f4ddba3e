"""COMP (DF.*) rules (design manual table 14)."""

from pdk.gf180mcu.rules.base import r

TAP_GROWTH_STEP = 2.5  # DF.13: taps reach through the well in steps (straight within a step)

RULES = [
    r("DF.1a", "Min. COMP width", 0.22, 0.3),
    r("DF.1c", "Min. COMP width for MOSCAP", 1.0, 1.0),
    r("DF.2a", "Min. channel width", 0.22, 0.3),
    r("DF.2b", "Max. COMP width, except capacitors marked by MOS_CAP_MK", 100.0, 100.0),
    r("DF.3a", "Min. COMP space (P-substrate taps may butt across voltages)", 0.28, 0.36),
    r("DF.3b", "Min./max. NCOMP space to PCOMP in the same well for butted COMP (MOSCAP butting "
      "is not allowed)", 0.0, 0.0),
    r("DF.3c", "Min. COMP space in BJT area (DRC_BJT); 5 V/6 V not assessed", 0.32),
    r("DF.4a", "Min. (LVPWELL space to NCOMP well tap) inside DNWELL", 0.12, 0.16),
    r("DF.4b", "Min. DNWELL overlap of NCOMP well tap", 0.62, 0.66),
    r("DF.4c", "Min. (Nwell overlap of PCOMP) outside DNWELL", 0.43, 0.6),
    r("DF.4d", "Min. (Nwell overlap of NCOMP) outside DNWELL", 0.12, 0.16),
    r("DF.4e", "Min. DNWELL overlap of PCOMP", 0.93, 1.1),
    r("DF.5", "Min. (LVPWELL overlap of PCOMP well tap) inside DNWELL", 0.12, 0.16),
    r("DF.6", "Min. COMP extend beyond gate (source/drain overhang)", 0.24, 0.4),
    r("DF.7", "Min. (LVPWELL space to PCOMP) inside DNWELL", 0.43, 0.6),
    r("DF.8", "Min. (LVPWELL overlap of NCOMP) inside DNWELL", 0.43, 0.6),
    r("DF.9", "Min. COMP area (um^2)", 0.2025, 0.2025),
    r("DF.10", "Min. field area (um^2)", 0.26, 0.26),
    r("DF.11", "Min. length of butting COMP edge", 0.3, 0.3),
    r("DF.12", "COMP not covered by Nplus or Pplus is forbidden (except under marking)"),
    r("DF.13", "Max. distance of Nwell tap (NCOMP inside Nwell) from PCOMP inside Nwell", 20.0,
      15.0),
    r("DF.14", "Max. distance of substrate tap (PCOMP outside Nwell) from NCOMP outside Nwell",
      20.0, 15.0),
    r("DF.16", "Min. space from (Nwell outside DNWELL) to (NCOMP outside Nwell and DNWELL)",
      0.43, 0.6),
    r("DF.17", "Min. space from (Nwell outside DNWELL) to (PCOMP outside Nwell and DNWELL)",
      0.12, 0.16),
    r("DF.18", "Min. DNWELL space to (PCOMP outside Nwell and DNWELL)", 2.5, 2.5),
    r("DF.19", "Min. DNWELL space to (NCOMP outside Nwell and DNWELL)", 3.2, 3.28),
]
