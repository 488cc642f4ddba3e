"""Off-grid and angle rules of every drawn layer (design manual table 10)."""

from pdk.gf180mcu.rules.base import r

RULES = [
    r("OFFGRID", "All vertices must lie on the design grid (um)", 0.005),
    r("ANGLE", "All edges must be orthogonal or at 45 degrees"),
]
