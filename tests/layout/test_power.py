"""Power grid sizing: minimum widths at nA, wider rings and straps and more vias as the worst-case
current grows, never above the (assumed) limits."""

from __future__ import annotations

import pytest

from cells.tech import tech
from layout.power import column_currents, plan_rail, report, vias_in
from pdk.gf180mcu.rules import electromigration as em


def test_power_grid_at_na_is_minimum_width_and_grows_with_current():
    small = plan_rail("vdd", column_currents(1e-8, 1e-8, [4, 3]), "metal5", "metal4", "9K",
                      "via4")
    assert small.ring.worst_current_a == pytest.approx(8e-8)
    assert small.strap.worst_current_a == pytest.approx(5e-8)
    assert small.strap.width_um == tech().wire and small.strap.vias_needed == 1
    big = plan_rail("vdd", column_currents(1e-3, 0.0, [4, 3]), "metal5", "metal4", "9K", "via4")
    assert big.strap.width_um >= 4e-3 * 1e3 / big.strap.limit_ma_per_um
    assert big.ring.width_um >= 7.0
    assert vias_in(big.strap.width_um, big.ring.width_um, "via4") >= big.strap.vias_needed == 40


def test_report_states_the_limits_and_their_source():
    plan = plan_rail("vss", [1e-8], "metal5", "metal4", "9K", "via4")
    out = report([plan], 1e-8)
    assert out["limits"]["source"] == em.SOURCE and "assumed" in em.SOURCE
    assert out["rails"]["vss"]["strap"]["vias_needed"] == 1
    assert out["rails"]["vss"]["ring"]["metal"] == "metal5/metal4"
