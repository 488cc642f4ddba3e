"""DNWELL (DN.*), LVPWELL (LPW.*) and Nwell (NW.*) rules (design manual tables 11-13)."""

from pdk.gf180mcu.rules.base import Rule

RULES: list[Rule] = []
