"""Nplus (NP.*) and Pplus (PP.*) rules (design manual tables 17-18)."""

from pdk.gf180mcu.rules.base import Rule

RULES: list[Rule] = []
