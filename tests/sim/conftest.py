"""Cells built, LVS-checked and extracted once per module, as (schematic, extracted) netlists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cells.circuit import sim_netlist
from cells.synapse import bias_network, sgdr_synapse
from layout.array import array_netlist
from sim.netlists import CellNetlist, _ports, extracted_netlist, schematic_netlist
from tests.extraction.test_pex import extract_cell

TL = ("tl", "translinear_loop", {"w": 2.0, "l": 2.0, "k": 1})
SYNAPSE = ("synapse", "sgdr_synapse", {"w": 2.0, "l": 2.0, "k": 8, "capacitance_ff": 1000.0})


def cell_netlists(out: Path, name: str, cell: str,
                  params: dict[str, Any]) -> tuple[CellNetlist, CellNetlist]:
    """(schematic, extracted) netlists of a design cell, built, LVS-checked and extracted."""
    extract_cell(out, name, cell, params)
    return schematic_netlist(out, name), extracted_netlist(out, name)


@pytest.fixture(scope="module")
def tl(tmp_path_factory) -> tuple[CellNetlist, CellNetlist]:
    return cell_netlists(tmp_path_factory.mktemp("tl"), *TL)


@pytest.fixture(scope="module")
def synapse(tmp_path_factory) -> tuple[CellNetlist, CellNetlist]:
    return cell_netlists(tmp_path_factory.mktemp("synapse"), *SYNAPSE)




def schematic_array(n: int, synapse: dict[str, Any]) -> CellNetlist:
    """The schematic netlist of an n-synapse array (no layout needed)."""
    syn, bias = sgdr_synapse(**synapse), bias_network()
    text = array_netlist("sgdr_array", n, syn.name, syn.pins, bias.name, bias.pins,
                         [sim_netlist(syn), sim_netlist(bias)])
    path = Path("sgdr_array.sim.spice")
    return CellNetlist("sgdr_array", "schematic", text, _ports(text, "sgdr_array", path), path)
