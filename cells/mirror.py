"""Current mirror 1:N or a:b from unit transistors, common-centroid placed, optional cascode.

With even unit counts on both sides and four units or more (no cascode), the mirror is placed in
two dimensions: half of each side in the bottom row, the rest mirrored through the centre in the
top row."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator

from cells.circuit import Circuit, Mos
from cells.matched import TWO_D_UNITS
from cells.params import DeviceWidth, GateLength
from cells.registry import analog_cell


def parse_ratio(ratio: str) -> tuple[int, int]:
    """'1:4' -> (1, 4); a rational ratio a:b uses a input and b output unit transistors."""
    try:
        a, b = (int(part) for part in ratio.split(":"))
    except ValueError:
        raise ValueError(f"mirror ratio {ratio!r} is not 'a:b' with whole numbers") from None
    if a < 1 or b < 1:
        raise ValueError(f"mirror ratio {ratio!r} needs positive unit counts")
    return a, b


def _checked_ratio(ratio: str) -> str:
    parse_ratio(ratio)
    return ratio


Ratio = Annotated[str, AfterValidator(_checked_ratio)]  # 'a:b', checked by parse_ratio


def centroid_order(a: int, b: int) -> list[str]:
    """Input units 'i' and output units 'o' in a palindrome (common centroid) where one exists:
    half of each, spread evenly, then the odd unit in the middle, then the mirror image. With
    both counts odd no palindrome exists; the odd units then sit at the middle side by side."""
    half = _spread(a // 2, b // 2)
    middle = ["i"] * (a % 2) + ["o"] * (b % 2)
    return half + middle + half[::-1]


def _spread(a: int, b: int) -> list[str]:
    """a 'i' and b 'o' as evenly interleaved as possible."""
    out: list[str] = []
    for k in range(a + b):
        # place the symbol whose share of the sequence so far is furthest behind its target
        i_due = (k + 1) * a / (a + b) - out.count("i")
        out.append("i" if i_due >= (k + 1) * b / (a + b) - out.count("o") else "o")
    return out


def mirror_rows(a: int, b: int, cascode: bool) -> list[list[str]]:
    """Rows of 'i'/'o' units: two point-symmetric rows where both counts are even (and four or
    more, without cascodes), else one common-centroid row."""
    if cascode or a % 2 or b % 2 or a + b < TWO_D_UNITS:
        return [centroid_order(a, b)]
    half = _spread(a // 2, b // 2)
    return [half, half[::-1]]


@analog_cell()
def current_mirror(kind: Literal["nmos", "pmos"] = "nmos", w: DeviceWidth = 2.0,
                   l: GateLength = 2.0, ratio: Ratio = "1:1",  # noqa: E741
                   cascode: bool = False) -> Circuit:
    """I_out = (b/a) I_in from a input and b output unit transistors; pins in, out and rail
    (vss for NMOS, vdd for PMOS). The cascode variant is self-biased (stacked diodes)."""
    a, b = parse_ratio(ratio)
    rail = "vss" if kind == "nmos" else "vdd"
    c = Circuit("current_mirror", ["in", "out", rail])
    lower_gate = "i_mid" if cascode else "in"
    counters = {"i": 0, "o": 0}
    rows: list[list[str]] = []
    for row in mirror_rows(a, b, cascode):
        rows.append([])
        for tag in row:
            k = counters[tag]
            counters[tag] += 1
            top = "in" if tag == "i" else "out"
            drain = f"{tag}_mid" if cascode else top
            rows[-1].append(c.add(Mos(f"{tag.upper()}{k}", kind, drain, lower_gate, rail, rail,
                                      w, l)).name)
            if cascode:  # self-biased: the upper input device is a diode on `in`
                c.add(Mos(f"{tag.upper()}C{k}", kind, top, "in", drain, rail, w, l))
    names = [d.name for d in c.devices]
    c.match("mirror", "group", *(tuple(n for n in names if n[0] == tag and n[1:].isdigit())
                                 for tag in "IO"))
    if cascode:
        c.match("cascode", "group", *(tuple(n for n in names if n.startswith(f"{tag}C"))
                                      for tag in "IO"))
    if len(rows) == 2:
        c.placement = {"bottom": rows[0], "top": rows[1]}
    return c
