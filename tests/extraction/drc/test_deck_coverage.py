"""Every rule of the deck, in every metal-stack variant, has passing and failing patterns."""

from __future__ import annotations

import importlib
import pkgutil

import tests.extraction.drc as here
from extraction.drc.deck import deck_for
from pdk.gf180mcu.rules import RULES
from pdk.gf180mcu.stack import MetalStack

VARIANTS = [
    MetalStack(),
    MetalStack(metal_levels=6, top_metal_thickness="6K"),
    MetalStack(metal_levels=4, top_metal_thickness="11K"),
    MetalStack(metal_levels=3, top_metal_thickness="30K", mim_option="A"),
]


def all_cases():
    cases = []
    for module in pkgutil.iter_modules(here.__path__):
        if module.name.startswith("test_"):
            cases += getattr(importlib.import_module(f"{here.__name__}.{module.name}"),
                             "CASES", [])
    return cases


def test_every_check_has_patterns():
    covered = {case.rule for case in all_cases()}
    names = {c.name for v in VARIANTS for c in deck_for(v, density=True)}
    assert not sorted(names - covered), "rules without pass/fail patterns"


def test_every_check_has_a_table_row():
    for variant in VARIANTS:
        for check in deck_for(variant, density=True):
            assert check.row in RULES, check.name
            assert check.description


def test_check_names_are_unique_per_variant():
    for variant in VARIANTS:
        names = [c.name for c in deck_for(variant, density=True)]
        assert len(names) == len(set(names)) or all(
            c.message for c in deck_for(variant, density=True) if names.count(c.name) > 1)


def test_only_whole_die_coverage_rules_wait_for_density():
    names = {c.name for c in deck_for(MetalStack())}
    assert {"MT.4", "MIMTM.4", "M1.1"} <= names
    assert not names & {"M1.4", "M4.4", "MT.3", "PL.8"}
