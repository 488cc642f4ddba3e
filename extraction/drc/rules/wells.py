"""DNWELL (DN.*), LVPWELL (LPW.*) and Nwell (NW.*) rules."""

from __future__ import annotations

from extraction.drc.check import Deck
from sgdr_flow.config import MetalStack


def build(deck: Deck, variant: MetalStack) -> None:
    """Not written yet."""
