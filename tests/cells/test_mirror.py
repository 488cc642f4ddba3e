"""Current mirrors: ratio parsing, unit placement order, the cell over a grid of ratios, kinds and
cascode, and area growing with the number of units and with W."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from cells.mirror import centroid_order, current_mirror, parse_ratio
from tests.cells.checks import assert_cell, run_checks


@pytest.mark.parametrize(("text", "expected"), [
    ("1:1", (1, 1)), ("1:3", (1, 3)), ("2:3", (2, 3)), (" 4 : 1 ", (4, 1)), ("10:20", (10, 20)),
])
def test_parse_ratio(text: str, expected: tuple[int, int]) -> None:
    assert parse_ratio(text) == expected


@pytest.mark.parametrize("text", ["1", "1:2:3", "a:b", "1.5:2", "1/3", ""])
def test_parse_ratio_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError, match="is not 'a:b' with whole numbers"):
        parse_ratio(text)


@pytest.mark.parametrize("text", ["0:1", "1:0", "-1:2"])
def test_parse_ratio_rejects_non_positive(text: str) -> None:
    with pytest.raises(ValueError, match="positive unit counts"):
        parse_ratio(text)


def test_bad_ratio_from_the_cell_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="mirror ratio"):
        current_mirror(ratio="3")


@pytest.mark.parametrize(("a", "b"), [(a, b) for a in range(1, 7) for b in range(1, 7)])
def test_centroid_order_counts(a: int, b: int) -> None:
    slots = centroid_order(a, b)
    assert len(slots) == a + b
    assert slots.count("i") == a and slots.count("o") == b


def _centre(slots: list[str], tag: str) -> float:
    positions = [k for k, s in enumerate(slots) if s == tag]
    return sum(positions) / len(positions)


@pytest.mark.parametrize(("a", "b"), [
    (1, 2), (2, 1), (1, 4), (2, 3), (2, 4), (3, 2), (4, 1), (3, 4), (4, 6), (6, 3),
    (2, 2), (4, 4), (2, 6),
])
def test_centroid_order_is_common_centroid_when_possible(a: int, b: int) -> None:
    """A symmetric row exists unless both counts are odd (then no order can centre both)."""
    slots = centroid_order(a, b)
    assert _centre(slots, "i") == pytest.approx(_centre(slots, "o"))


@pytest.mark.parametrize(("ratio", "cascode"), [("1:3", False), ("2:3", True)])
def test_mirror_devices(ratio: str, cascode: bool) -> None:
    a, b = parse_ratio(ratio)
    mirror = current_mirror("pmos", 1.5, 3.0, ratio, cascode)
    assert mirror.pins == ["in", "out", "vdd"]
    by_name = {d.name: d for d in mirror.devices}
    inputs = [d for n, d in by_name.items() if n.startswith("I") and not n.startswith("IC")]
    outputs = [d for n, d in by_name.items() if n.startswith("O") and not n.startswith("OC")]
    assert len(inputs) == a and len(outputs) == b
    assert len(mirror.devices) == (a + b) * (2 if cascode else 1)
    assert all((d.w, d.l, d.kind, d.b) == (1.5, 3.0, "pmos", "vdd") for d in mirror.devices)
    gate = "i_mid" if cascode else "in"
    assert {d.g for d in inputs + outputs} == {gate}
    assert {d.s for d in inputs + outputs} == {"vdd"}
    if cascode:
        assert {d.d for d in inputs} == {"i_mid"} and {d.d for d in outputs} == {"o_mid"}
        cascodes = [d for n, d in by_name.items() if n[1:2] == "C"]
        assert {d.g for d in cascodes} == {"in"}
    else:
        assert {d.d for d in inputs} == {"in"} and {d.d for d in outputs} == {"out"}


GRID = [
    {"kind": kind, "ratio": ratio, "cascode": cascode}
    for kind, ratio, cascode in itertools.product(
        ("nmos", "pmos"), ("1:1", "1:2", "1:3", "2:3", "4:1"), (False, True))
] + [
    {"kind": "nmos", "ratio": "1:4", "w": 0.5, "l": 0.28},
    {"kind": "pmos", "ratio": "3:5", "w": 6.0, "l": 5.0, "cascode": True},
    {"kind": "nmos", "ratio": "2:3", "w": 1.0, "l": 1.0, "cascode": True},
]


@pytest.mark.parametrize("params", GRID,
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_current_mirror(params: dict, tmp_path: Path) -> None:
    assert_cell("current_mirror", params, tmp_path)


def test_area_grows_with_units_and_width(tmp_path: Path) -> None:
    def area(k: int, **params) -> float:
        return run_checks("current_mirror", params, tmp_path, name=f"m{k}").area

    by_units = [area(k, ratio=r) for k, r in enumerate(("1:1", "1:2", "1:3", "2:3", "3:4"))]
    assert all(b > a for a, b in itertools.pairwise(by_units)), by_units
    by_width = [area(10 + k, w=w) for k, w in enumerate((0.5, 1.0, 2.0, 4.0))]
    assert all(b > a for a, b in itertools.pairwise(by_width)), by_width
    assert area(20, cascode=True) > area(21, cascode=False)
