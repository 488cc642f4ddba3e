"""The SGDr synapse and the bias network: pins and structure, cells over a grid, area."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from cells.circuit import Mim
from cells.synapse import SYNAPSE_PINS, bias_network, sgdr_synapse
from tests.cells.checks import assert_cell, run_checks


def test_synapse_pins_and_parts() -> None:
    synapse = sgdr_synapse()
    assert synapse.pins == SYNAPSE_PINS
    assert {"x", "t", "y", "eta", "lam", "vdd", "vss"} <= set(synapse.pins)
    flat = synapse.flat()
    assert sum(isinstance(d, Mim) for d in flat) == 1
    by_name = {d.name: d for d in flat}
    # forward product w*x sinks into the shared sum line y, gated by the weight node
    assert by_name["fwd_Q"].d == "y" and by_name["fwd_Q"].g == "vc"
    # the output branch's current is mirrored off the weight node (subtracting y x / w)
    assert by_name["mn_O0"].d == "vc"
    # the integrator's own readout drives the weight monitor
    assert by_name["int_MW"].d == "wmon"
    assert "vc" in synapse.sensitive_nets()


def test_bias_network_diodes_and_the_output_mirror() -> None:
    bias = bias_network()
    for device in bias.flat():
        # every device is a diode, but the output's copy of the sum current: a PMOS mirrored
        # on the y diode, the same size, sourcing ymon
        assert device.d == device.g or (device.d, device.g) == ("ymon", "y")
        rail = "vss" if device.kind == "nmos" else "vdd"
        assert device.s == device.b == rail
    by_name = {d.name: d for d in bias.flat()}
    assert (by_name["PYM"].w, by_name["PYM"].l) == (by_name["DY"].w, by_name["DY"].l)
    assert "ymon" in bias.pins


SYNAPSES = [
    {},
    {"w": 1.0, "l": 1.0, "k": 4, "capacitance_ff": 200.0},
    {"w": 4.0, "l": 0.5, "k": 2, "capacitance_ff": 2000.0},
    {"w": 1.0, "l": 1.0, "k": 8, "capacitance_ff": 6000.0, "lm": 2.0},
    {"w": 1.0, "l": 1.0, "k": 8, "capacitance_ff": 6000.0, "lm": 2.0, "cap_aspect": 8.0},
    {"capacitance_ff": 1000.0, "cap_aspect": 0.5},
]


@pytest.mark.parametrize("params", SYNAPSES,
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()) or "default")
def test_sgdr_synapse(params: dict, tmp_path: Path) -> None:
    assert_cell("sgdr_synapse", params, tmp_path)


@pytest.mark.parametrize("params", [{"w": w, "l": x, "k": k} for (w, x), k in
                                    itertools.product(((2.0, 2.0), (0.5, 0.5)), (1, 3))],
                         ids=lambda p: "-".join(f"{k}{v}" for k, v in p.items()))
def test_bias_network(params: dict, tmp_path: Path) -> None:
    assert_cell("bias_network", params, tmp_path)


def test_synapse_area_grows_with_capacitance(tmp_path: Path) -> None:
    areas = [run_checks("sgdr_synapse", {"capacitance_ff": c}, tmp_path, name=f"s{i}").area
             for i, c in enumerate((200.0, 1000.0, 2000.0))]
    assert all(b > a for a, b in itertools.pairwise(areas)), areas


def test_a_wide_plate_lines_up_with_the_rows(tmp_path: Path) -> None:
    """The same 6 pF as a plate 8 times wider than long: the cell is lower and smaller (the
    rows, with their dummies and guard rings, set the width left of the plate)."""
    params = {"w": 1.0, "l": 1.0, "k": 8, "capacitance_ff": 6000.0, "lm": 2.0}
    square = run_checks("sgdr_synapse", params, tmp_path, name="square")
    wide = run_checks("sgdr_synapse", {**params, "cap_aspect": 8.0}, tmp_path, name="wide")
    def height(checked) -> float:
        return checked.built.bbox_um[3] - checked.built.bbox_um[1]

    assert height(wide) < 0.5 * height(square)
    assert wide.area < 0.8 * square.area
