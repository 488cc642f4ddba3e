"""Off-grid and angle rules of every drawn layer (design manual table 10)."""

from pdk.gf180mcu.rules.base import Rule

RULES: list[Rule] = []
