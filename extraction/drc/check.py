"""A DRC check: which rule it implements, which layers it reads, how it finds violations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import klayout.db as kdb

from pdk.gf180mcu.rules import rule as table_rule
from pdk.gf180mcu.stack import MetalStack

if TYPE_CHECKING:
    from extraction.drc.layers import Layers

Markers = kdb.Region | kdb.EdgePairs | kdb.Edges


@dataclass(frozen=True)
class Check:
    """One rule ID's check. `find` returns the violation markers on the layout's layers."""

    name: str                              # category in the reports (the manual ID)
    layers: tuple[str, ...]                # drawn layers read; skipped when all are empty
    find: Callable[[Layers], Markers]
    rule: str = ""                         # table row, when it differs from `name`
    applies: Callable[[MetalStack], bool] = lambda variant: True
    message: str = ""                      # extra text after the manual description

    @property
    def row(self) -> str:
        return self.rule or self.name

    @property
    def description(self) -> str:
        text = table_rule(self.row).description
        return f"{text} ({self.message})" if self.message else text


class Deck:
    """An ordered collection of checks, built by the rule-family modules."""

    def __init__(self) -> None:
        self.checks: list[Check] = []

    def add(self, name: str, layers: tuple[str, ...] | str, find: Callable[[Layers], Markers],
            **options) -> None:
        layers = (layers,) if isinstance(layers, str) else layers
        self.checks.append(Check(name, tuple(layers), find, **options))

    def __iter__(self):
        return iter(self.checks)
