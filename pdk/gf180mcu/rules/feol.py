"""Well, COMP, Poly2, implant, Dualgate and SAB rules (design manual tables 10-19)."""

from pdk.gf180mcu.rules.base import r

RULES = [
    r("GEOM.grid", "All shapes on the 0.005 um manufacturing grid", 0.005),
    r("GEOM.angle", "All edges orthogonal or at 45 degrees"),
]
