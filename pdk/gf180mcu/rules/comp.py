"""COMP (DF.*) rules (design manual table 14)."""

from pdk.gf180mcu.rules.base import Rule

RULES: list[Rule] = []
