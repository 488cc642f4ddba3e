"""Matched groups: 2 to 4 devices split into unit transistors, interdigitated or common
centroid, so that gradients cancel between devices that must match (mirrors, translinear pairs).

A common-centroid group of four or more units is two-dimensional: half of the units in the bottom
row, the other half in the top row in reverse order, so every unit has a partner of its device
mirrored through the group's centre (gradients cancel along both axes).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from cells.circuit import Circuit, Mos
from cells.params import Count, DeviceWidth, GateLength
from cells.registry import analog_cell

Pattern = Literal["interdigitated", "common_centroid"]
LETTERS = "abcd"
TWO_D_UNITS = 4  # matched structures of this many units or more are placed in two rows


def unit_sequence(devices: int, units: int, pattern: Pattern) -> list[str]:
    """Placement order of unit transistors, e.g. common centroid of 2 x 2: a b b a."""
    letters = LETTERS[:devices]
    if pattern == "interdigitated":
        return [letters[i % devices] for i in range(devices * units)]
    half = [letters[i % devices] for i in range(devices * units // 2)]
    middle = list(letters) if units % 2 else []
    return half + middle + half[::-1]


def arrangement(devices: int, units: int, pattern: Pattern) -> list[list[str]]:
    """Rows of unit letters: one row, or two point-symmetric rows for a common-centroid group
    of four or more units (each row a common-centroid or interdigitated half)."""
    if pattern != "common_centroid" or devices * units < TWO_D_UNITS:
        return [unit_sequence(devices, units, pattern)]
    half = units // 2
    row = unit_sequence(devices, half, "common_centroid" if half % 2 == 0 else "interdigitated")
    return [row, row[::-1]]


def unit_names(sequence: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for letter in sequence:
        names.append(f"{letter.upper()}{seen.get(letter, 0)}")
        seen[letter] = seen.get(letter, 0) + 1
    return names


@analog_cell()
def matched_group(kind: Literal["nmos", "pmos"] = "nmos", w: DeviceWidth = 2.0,
                  l: GateLength = 2.0,  # noqa: E741
                  devices: Annotated[int, Field(ge=2, le=len(LETTERS))] = 2,
                  units: Count = 2, pattern: Pattern = "common_centroid") -> Circuit:
    """`devices` transistors of `units` unit transistors each (W = units * w); pins d_a, g_a,
    s_a, ..., b. Unit transistors are placed in `pattern` order (common centroid of four or more
    units: in two dimensions)."""
    if not 2 <= devices <= 4:
        raise ValueError("a matched group has 2 to 4 devices")
    if pattern == "common_centroid" and units % 2:
        raise ValueError("common centroid needs an even number of units per device")
    letters = LETTERS[:devices]
    pins = [f"{t}_{x}" for x in letters for t in "dgs"] + ["b"]
    c = Circuit("matched_group", pins)
    rows = arrangement(devices, units, pattern)
    sequence = [letter for row in rows for letter in row]
    names = unit_names(sequence)
    for letter, name in zip(sequence, names, strict=True):
        c.add(Mos(name, kind, f"d_{letter}", f"g_{letter}", f"s_{letter}", "b", w, l))
    c.match("group", "group", *(tuple(n for n, x in zip(names, sequence, strict=True)
                                      if x == letter) for letter in letters))
    if len(rows) == 2:
        c.placement = {"bottom": names[:len(rows[0])], "top": names[len(rows[0]):]}
    return c
