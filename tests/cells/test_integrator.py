"""The log-domain integrator and its update loop: structure, cells over a grid (W, L, k,
capacitance 200..2000 fF), and area growing with capacitance, W and k."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from cells.circuit import Mim
from cells.integrator import gradient_core, log_integrator, update_branch
from cells.mim import capacitance_ff
from tests.cells.checks import assert_cell, run_checks


def test_integrator_structure() -> None:
    circuit = log_integrator(2.0, 2.0, 8, 1000.0)
    flat = circuit.flat()
    caps = [d for d in flat if isinstance(d, Mim)]
    assert len(caps) == 1
    (cap,) = caps
    assert (cap.top, cap.bottom) == ("vc", "vss")
    assert capacitance_ff(cap.width) == pytest.approx(1000.0, rel=0.01)
    names = {d.name for d in flat}
    assert {"PXD", "ML", "MW", "C", "core_M2", "core_M3", "bt_M4", "bt_M5"} <= names
    by_name = {d.name: d for d in flat}
    assert by_name["MW"].g == "vc" and by_name["MW"].d == "out"   # readout on the state
    assert by_name["ML"].d == "vc" and by_name["ML"].g == "lam"   # the leak (L2 term)
    assert by_name["bt_M5"].g == "vc"                              # the divide-by-w device
    assert by_name["bt_PO"].d == "vc"                              # the update current
    assert circuit.sensitive_nets() == ["bt_d", "c", "core_b", "vc"]
    assert by_name["core_M2"].w == by_name["bt_M5"].w == 16.0      # k units: node headroom
    assert by_name["core_M3"].w == by_name["bt_M4"].w == 2.0       # unit signal devices
    assert by_name["core_M2"].nf == 4                              # folded at 4 um


@pytest.mark.parametrize("builder", [gradient_core, update_branch])
def test_update_loop_pins(builder) -> None:
    circuit = builder()
    devices = circuit.flat()
    assert {d.kind for d in devices} == {"nmos", "pmos"}
    assert {d.b for d in devices if d.kind == "nmos"} == {"vss"}
    assert {d.b for d in devices if d.kind == "pmos"} == {"vdd"}
    used = {n for d in devices for n in d.nets.values()}
    assert set(circuit.pins) <= used


PARTS = [{"w": w, "l": x, "k": k}
         for (w, x), k in itertools.product(((2.0, 2.0), (1.0, 0.5), (4.0, 1.0)), (1, 8))]


@pytest.mark.parametrize("cell", ["gradient_core", "update_branch"])
@pytest.mark.parametrize("params", PARTS, ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_update_loop_cells(cell: str, params: dict, tmp_path: Path) -> None:
    assert_cell(cell, params, tmp_path)


INTEGRATORS = [
    {"capacitance_ff": c, "w": w, "l": x, "k": k}
    for c, (w, x, k) in itertools.product(
        (200.0, 500.0, 2000.0), ((2.0, 2.0, 8), (1.0, 1.0, 1)))
] + [{"capacitance_ff": 1000.0, "w": 4.0, "l": 0.5, "k": 4}]


@pytest.mark.parametrize("params", INTEGRATORS,
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_log_integrator(params: dict, tmp_path: Path) -> None:
    assert_cell("log_integrator", params, tmp_path)


def test_area_grows_with_capacitance_width_and_k(tmp_path: Path) -> None:
    def area(index: int, **params) -> float:
        return run_checks("log_integrator", params, tmp_path, name=f"i{index}").area

    by_c = [area(i, capacitance_ff=c) for i, c in enumerate((200.0, 500.0, 1000.0, 2000.0))]
    assert all(b > a for a, b in itertools.pairwise(by_c)), by_c
    by_w = [area(10 + i, w=w) for i, w in enumerate((1.0, 2.0, 4.0))]
    assert all(b > a for a, b in itertools.pairwise(by_w)), by_w
    by_k = [area(20 + i, k=k) for i, k in enumerate((1, 4, 8))]
    assert all(b > a for a, b in itertools.pairwise(by_k)), by_k


def test_capacitance_outside_the_mim_rules_is_refused() -> None:
    from sgdr_flow.errors import FlowError

    with pytest.raises(FlowError, match="outside the"):
        log_integrator(capacitance_ff=1.0)
