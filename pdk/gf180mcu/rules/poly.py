"""Poly2 (PL.*) rules (design manual table 16)."""

from pdk.gf180mcu.rules.base import Rule

RULES: list[Rule] = []
