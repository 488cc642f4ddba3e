"""Poly2 (PL.*) rules (design manual table 16)."""

from pdk.gf180mcu.rules.base import r

# PL.2 for 5 V/6 V gates (Dualgate): min. channel length by device, keyed (channel, V5_XTOR).
# 5 V devices carry V5_XTOR, 6 V devices do not.
THICK_GATE_LENGTH = {
    ("n", True): 0.6,
    ("p", True): 0.5,
    ("n", False): 0.7,
    ("p", False): 0.55,
}
BEND_PROBE = 0.1  # PL.6: a Poly2 corner counts as "on COMP" when COMP lies all around it this far
DIAGONAL_GATE = (25.0, 65.0)  # PL.7: gate edges at these angles (either sense) are 45 deg bends

RULES = [
    r("PL.1", "Min. Poly2 interconnect width (outside PLFUSE)", 0.18, 0.2),
    r("PL.1a", "Min. Poly2 interconnect width (inside PLFUSE)", 0.18, 0.18),
    r("PL.2", "Min. gate width (channel length); 5 V/6 V gates by device type", 0.28),
    r("PL.3a", "Min. Poly2 space on COMP and on field", 0.24),
    r("PL.4", "Min. Poly2 extension beyond COMP to form the end cap", 0.22, 0.22),
    r("PL.5a", "Min. space from field Poly2 to unrelated COMP (or guard ring)", 0.1, 0.3),
    r("PL.5b", "Min. space from field Poly2 to related COMP", 0.1, 0.3),
    r("PL.6", "90 degree Poly2 bends on COMP are not allowed"),
    r("PL.7", "Min. 45 degree bent gate width", 0.3, 0.7),
    r("PL.8", "Poly2 coverage over the entire die shall be >= 14 %", 14.0),
    r("PL.9", "Poly2 connecting 3.3 V and 5 V/6 V areas (inside and outside Dualgate) is not "
      "allowed; connect them with metal"),
    r("PL.11", "V5_XTOR must enclose 5 V devices (V5_XTOR needs Dualgate)"),
    r("PL.12", "V5_XTOR must enclose the COMP of 5 V devices"),
]
