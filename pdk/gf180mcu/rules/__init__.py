"""The design-rule table: every value the flow draws or checks, keyed by design-manual rule ID.

One module per rule family; cells and the DRC deck read values from here only.
"""

from __future__ import annotations

from pdk.gf180mcu.rules import (
    beol,
    comp,
    dualgate,
    geometry,
    implant,
    mim,
    poly,
    sab,
    wells,
)
from pdk.gf180mcu.rules.base import Domain, Rule

GRID_UM = 0.005
FAMILIES = (wells, comp, dualgate, poly, implant, sab, geometry, beol, mim)

RULES: dict[str, Rule] = {}
for _family in (f.RULES for f in FAMILIES):
    for _rule in _family:
        if _rule.id in RULES:
            raise ValueError(f"duplicate design rule {_rule.id}")
        RULES[_rule.id] = _rule


def rule(rule_id: str) -> Rule:
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"no GF180MCU design rule {rule_id!r}") from None


def value(rule_id: str, domain: Domain = "lv", top_metal: str = "9K") -> float:
    """A rule's value in um (um^2 for areas)."""
    return rule(rule_id).get(domain, top_metal)


__all__ = ["GRID_UM", "RULES", "Domain", "Rule", "rule", "value"]
