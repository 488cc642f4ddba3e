"""What a design-rule row is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Domain = Literal["lv", "mv"]


@dataclass(frozen=True)
class Rule:
    """One design-manual rule: ID, the manual's description and its value(s).

    Two-column rules carry the 3.3 V value in `value` and the 5 V/6 V (Dualgate) value in
    `value_mv`; MetalTop rules that depend on the top-metal thickness carry `by_top_metal`.
    Lengths in um, areas in um^2. Rules without a value are boolean (must/must not).
    """

    id: str
    description: str
    value: float | None = None
    value_mv: float | None = None
    by_top_metal: tuple[tuple[str, float], ...] = ()

    def get(self, domain: Domain = "lv", top_metal: str = "9K") -> float:
        if self.by_top_metal:
            return dict(self.by_top_metal)[top_metal]
        value = self.value_mv if domain == "mv" else self.value
        if value is None:
            raise KeyError(f"rule {self.id} has no {'5V/6V' if domain == 'mv' else ''} value")
        return value


def r(rule_id: str, description: str, value: float | None = None,
      value_mv: float | None = None, **by_top_metal: float) -> Rule:
    """Table-row shorthand; MetalTop thickness values as t6K=..., t9K=..., t11K=..., t30K=..."""
    return Rule(rule_id, description, value, value_mv,
                tuple((k.removeprefix("t"), v) for k, v in by_top_metal.items()))
