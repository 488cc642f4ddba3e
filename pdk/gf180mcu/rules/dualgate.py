"""Dualgate (DV.*) rules (design manual table 15)."""

from pdk.gf180mcu.rules.base import Rule

RULES: list[Rule] = []
