"""The chopping benchmark's update path: built from the flow's own cell builders, balanced on the
nominal chip, unbalanced by a Monte Carlo sample's mismatch, and the chopped path's switches
steer every terminal to both of its nets."""

from __future__ import annotations

from pdk.gf180mcu.models import Statistical
from sgdr_flow.config import load_flow
from tests.extraction.test_benchmarks import BENCH, load


def _setup():
    config = load_flow(BENCH.parent / "flow.yaml").config
    return (config.design.cells[config.design.synapse].params,
            config.simulation.testbenches.learning)


def test_static_path_balances_nominally_and_not_under_mismatch():
    bench = load("chopping")
    syn, learning = _setup()
    nominal = bench.imbalance(syn, learning, 1.0, "static", 0.0, None)
    sample = bench.imbalance(syn, learning, 1.0, "static", 0.0, Statistical(7000))
    assert abs(nominal) < 5e-3           # t = y: the two branches cancel on the nominal chip
    assert abs(sample - nominal) > 1e-2  # the mismatch reaches the weight node


def test_chopped_path_steers_each_terminal_to_both_nets():
    bench = load("chopping")
    syn, _ = _setup()
    path = bench.update_path(syn, 1.0, switches=True)
    for moves in bench.STEERING.values():
        for terminal, low, high in moves:
            reached = {d.s for d in path.flat() if d.name.startswith("S") and d.d == terminal}
            assert reached == {low, high}


def test_equalized_nodes_carry_no_charge_across():
    """Chopped with the mirror's input held at the weight node's voltage, the nominal chip's
    offset is gone (unequalized it is +3.8e-2 at 20 kHz: charge carried between the nodes)."""
    bench = load("chopping")
    syn, learning = _setup()
    carried = bench.imbalance(syn, learning, 1.0, "ideal", 2e4, None)
    equalized = bench.imbalance(syn, learning, 1.0, "equalized", 2e4, None)
    assert carried > 1e-2
    assert abs(equalized) < 1e-3
