"""SAB (SB.*) rules (design manual table 19)."""

from pdk.gf180mcu.rules.base import Rule

RULES: list[Rule] = []
