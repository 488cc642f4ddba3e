"""The translinear loop and core: topology, cells over a grid, area, and a schematic-level
ngspice run keeping I_out = I_a I_b / I_c within 5 % over three decades in weak inversion."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from cells.circuit import sim_netlist
from cells.translinear import FINGER_MAX, folded, translinear_core, translinear_loop
from pdk.gf180mcu import model_deck
from tests.cells.checks import assert_cell, run_checks


@pytest.mark.parametrize(("w", "nf"), [(1.0, 1), (4.0, 1), (4.5, 2), (8.0, 2), (12.0, 3),
                                       (16.5, 5)])
def test_folded_splits_wide_devices_into_fingers(w: float, nf: int) -> None:
    device = folded("M", "nmos", "d", "g", "s", "b", w, 1.0)
    assert device.nf == nf and device.w == w
    assert device.w / device.nf <= FINGER_MAX


def test_loop_topology() -> None:
    """Diodes DA, DC on the inputs; R (gate gc) and Q (gate ga) share source s; F closes the
    loop from R's drain (ib) onto s."""
    flat = {d.name: d for d in translinear_loop(2.0, 2.0, 3).flat()}
    assert set(flat) == {"DA", "DC", "core_R", "core_F", "core_Q"}
    nets = {n: (d.d, d.g, d.s, d.b) for n, d in flat.items()}
    assert nets["DA"] == ("ia", "ia", "vss", "vss")
    assert nets["DC"] == ("ic", "ic", "vss", "vss")
    assert nets["core_R"] == ("ib", "ic", "core_s", "vss")
    assert nets["core_F"] == ("core_s", "ib", "vss", "vss")
    assert nets["core_Q"] == ("out", "ia", "core_s", "vss")
    assert flat["DC"].w == flat["core_R"].w == 6.0  # k units on the c side
    assert flat["DA"].w == flat["core_Q"].w == flat["core_F"].w == 2.0
    assert translinear_core().sensitive_nets() == ["s"]


GRID = [{"w": w, "l": x, "k": k}
        for (w, x), k in itertools.product(((1.0, 1.0), (2.0, 2.0), (6.0, 0.5), (0.5, 4.0)),
                                           (1, 2, 4))]


@pytest.mark.parametrize("cell", ["translinear_loop", "translinear_core"])
@pytest.mark.parametrize("params", GRID, ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_translinear_cells(cell: str, params: dict, tmp_path: Path) -> None:
    assert_cell(cell, params, tmp_path)


def test_area_grows_with_width_and_k(tmp_path: Path) -> None:
    def area(index: int, **params) -> float:
        return run_checks("translinear_loop", params, tmp_path, name=f"t{index}").area

    by_width = [area(i, w=w) for i, w in enumerate((0.5, 1.0, 2.0, 4.0, 8.0))]
    assert all(b > a for a, b in itertools.pairwise(by_width)), by_width
    by_k = [area(10 + i, k=k) for i, k in enumerate((1, 2, 4, 8))]
    assert all(b > a for a, b in itertools.pairwise(by_k)), by_k


# ------------------------------------------------------------------------------ simulation
I_MIN, DECADES, I_B, I_C = 10e-12, 3, 1e-9, 2e-9
VDD, V_OUT = 1.0, 0.45


def sweep(w: float = 2.0, l: float = 2.0, k: int = 1) -> dict[str, np.ndarray]:  # noqa: E741
    """DC sweep of I_a over three decades (a B-source exponential in a swept voltage)."""
    from sim.ngspice import simulate

    circuit = translinear_loop(w, l, k)
    netlist = "\n".join([
        "* translinear loop, schematic level",
        *model_deck("typical"),
        ".option abstol=1e-15 gmin=1e-15 method=gear",
        ".temp 27",
        sim_netlist(circuit),
        f"VDD vdd 0 {VDD}",
        "VCTL ctl 0 0",
        f"BA vdd ia I={{{I_MIN:.6e}*exp(v(ctl)*{math.log(10):.9f})}}",
        f"IB vdd ib DC {I_B:.6e}",
        f"IC vdd ic DC {I_C:.6e}",
        f"VOUT vo 0 DC {V_OUT}",
        f"XTL ia ib ic vo 0 {circuit.name}",
        f".dc VCTL 0 {DECADES} 0.125",
        ".end",
    ]) + "\n"
    result = simulate(netlist)
    assert result.ok, result.error
    i_a = I_MIN * 10 ** result["v-sweep"]
    return {"i_a": i_a, "i_out": -result["vout#branch"], "v_a": result["ia"],
            "v_c": result["ic"], "v_s": result["xtl.core_s"]}


@pytest.mark.parametrize(("w", "l", "k"), [(2.0, 2.0, 1), (4.0, 1.0, 2)])
def test_loop_multiplies_within_5_percent_over_three_decades(w: float, l: float,  # noqa: E741
                                                             k: int) -> None:
    v = sweep(w, l, k)
    assert v["i_a"][0] == pytest.approx(10e-12) and v["i_a"][-1] == pytest.approx(10e-9)
    ideal = v["i_a"] * I_B / I_C
    error = 100 * (v["i_out"] - ideal) / ideal
    assert np.max(np.abs(error)) < 5.0, dict(zip(v["i_a"], error, strict=True))
    # weak inversion: the a-side diode's V_GS rises by n U_T ln 10 per decade of current,
    # i.e. 60..110 mV per decade (n 1..1.8 at 27 C), and stays well below threshold
    slope = np.diff(v["v_a"]) / np.diff(np.log10(v["i_a"]))
    assert np.all((slope > 0.060) & (slope < 0.110)), slope
    assert np.max(v["v_a"]) < 0.6 and np.max(v["v_c"]) < 0.6
    # the shared source node stays above ground (the loop's condition I_c > I_b)
    assert np.min(v["v_s"]) > 0.0
