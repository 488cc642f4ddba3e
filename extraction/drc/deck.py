"""The full deck for a metal-stack variant, assembled from the rule-family modules."""

from __future__ import annotations

import re
from functools import cache

from extraction.drc.check import Check, Deck
from extraction.drc.layers import load_derived
from extraction.drc.rules import (
    comp,
    contact,
    dualgate,
    geometry,
    implant,
    metal,
    mim,
    poly,
    sab,
    via,
    wells,
)
from pdk.gf180mcu.stack import MetalStack

FAMILIES = (wells, comp, dualgate, poly, implant, sab, contact, metal, via, mim, geometry)


DENSITY = re.compile(r"^(M\d\.4|MT\.3|MT30\.7|PL\.8)$")


def is_density(check: Check) -> bool:
    """Whole-die coverage rules: meaningless on a cell, run only when asked."""
    return bool(DENSITY.match(check.name))


@cache
def deck_for(variant: MetalStack, density: bool = False) -> tuple[Check, ...]:
    """Checks that apply to `variant`; whole-die density rules only when asked."""
    load_derived()
    deck = Deck()
    for family in FAMILIES:
        family.build(deck, variant)
    return tuple(c for c in deck if c.applies(variant) and (density or not is_density(c)))
