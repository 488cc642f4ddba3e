"""Dualgate (DV.*) rules (design manual table 15); Dualgate marks the 5 V/6 V domain."""

from pdk.gf180mcu.rules.base import r

RULES = [
    r("DV.1", "Min. Dualgate enclose DNWELL", 0.5),
    r("DV.2", "Min. Dualgate space (merge if less)", 0.44),
    r("DV.3", "Min. Dualgate to COMP space [unrelated]", 0.24),
    r("DV.5", "Min. Dualgate width", 0.7),
    r("DV.6", "Min. Dualgate enclose COMP (except substrate tap)", 0.24),
    r("DV.7", "COMP (except substrate tap) cannot be partially overlapped by Dualgate"),
    r("DV.8", "Min. Dualgate enclose Poly2", 0.4),
    r("DV.9", "3.3 V and 5 V/6 V PMOS cannot sit inside the same Nwell"),
]
