"""Power grid sizing: rings around the core (top metal horizontally, Metal4 vertically), straps on
Metal4 down every column channel, each sized for the worst-case supply current it can carry.

The worst case is every supply branch of every cell at once at `max_branch_current_a` (a branch:
a transistor whose source is on the rail, `cells.build.supply_branches`); a strap feeds its whole
column from one end, the ring the whole array. Width and vias follow from the current limits of
`pdk/gf180mcu/rules/electromigration.py` (assumed values, stated in the report) and never go
below the rules' minimum width (at nA currents the minimum always wins).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from cells.tech import snap_up, tech, top_metal_width
from pdk.gf180mcu.rules import electromigration as em
from pdk.gf180mcu.rules import value


@dataclass(frozen=True)
class Conductor:
    """One ring or strap of a rail, as sized and drawn."""

    metal: str
    width_um: float
    worst_current_a: float
    density_ma_per_um: float
    limit_ma_per_um: float
    vias_needed: int | None = None  # where it ends (strap) or turns (ring): current / via limit
    vias_drawn: int | None = None   # the fewest drawn there

    def as_json(self) -> dict[str, Any]:
        return {k: (f"{v:.3e}" if k == "worst_current_a" else v) for k, v in asdict(self).items()
                if v is not None}


@dataclass(frozen=True)
class RailPlan:
    rail: str
    ring: Conductor
    strap: Conductor           # the most loaded strap (every strap is drawn this wide)
    straps: int


def _width(current_a: float, limit_ma_per_um: float, minimum: float) -> float:
    return max(minimum, snap_up(current_a * 1e3 / limit_ma_per_um))


def _conductor(metal: str, current_a: float, limit: float, minimum: float,
               vias: bool) -> Conductor:
    width = _width(current_a, limit, minimum)
    return Conductor(metal, width, current_a, round(current_a * 1e3 / width, 9), limit,
                     max(1, math.ceil(current_a * 1e3 / em.VIA_MA - 1e-9)) if vias else None)


def via_rule(via: str) -> tuple[float, float, float]:
    """Size, array spacing (V*.2b) and enclosure of the top vias where a strap meets its ring."""
    level = via.removeprefix("via")
    return tech().via, value(f"V{level}.2b"), value(f"V{level}.4a") + value(f"V{level}.3b")


def vias_in(width: float, length: float, via: str) -> int:
    size, space, enclosure = via_rule(via)

    def fit(side: float) -> int:
        return max(0, math.floor((side - 2 * enclosure + space + 1e-9) / (size + space)))

    return fit(width) * fit(length)


def plan_rail(rail: str, column_currents: list[float], top_metal: str, strap_metal: str,
              thickness: str, top_via: str) -> RailPlan:
    """Ring and straps of one rail; `column_currents` is each column's worst-case current. The
    ring's horizontal sides are on the top metal, its vertical sides on the strap metal (the
    thin metal's limit sizes both); it widens until the top vias its corners and the straps'
    ends need fit where they cross."""
    t = tech()
    level = strap_metal.removeprefix("metal")
    strap = _conductor(strap_metal, max(column_currents), em.THIN_METAL_MA_PER_UM,
                       snap_up(max(value(f"M{level}.1"), t.wire)), vias=True)
    total = sum(column_currents)
    width = _width(total, em.THIN_METAL_MA_PER_UM,
                   snap_up(max(top_metal_width(thickness), value(f"M{level}.1"), t.wire)))
    corner = max(1, math.ceil(total * 1e3 / em.VIA_MA - 1e-9))
    while (vias_in(strap.width_um, width, top_via) < strap.vias_needed
           or vias_in(width, width, top_via) < corner):
        width = snap_up(width + t.via + via_rule(top_via)[1])
    ring = _conductor(f"{top_metal}/{strap_metal}", total, em.THIN_METAL_MA_PER_UM, width,
                      vias=True)
    return RailPlan(rail, ring, strap, len(column_currents))


def column_currents(per_synapse_a: float, bias_a: float,
                    synapses_per_column: list[int]) -> list[float]:
    """Worst-case current of each column's strap; the bias network sits in column 0."""
    return [n * per_synapse_a + (bias_a if c == 0 else 0.0)
            for c, n in enumerate(synapses_per_column)]


def report(plans: list[RailPlan], branch_current_a: float) -> dict[str, Any]:
    return {
        "max_branch_current_a": branch_current_a,
        "limits": {"thin_metal_ma_per_um": em.THIN_METAL_MA_PER_UM,
                   "top_metal_ma_per_um": em.TOP_METAL_MA_PER_UM, "via_ma": em.VIA_MA,
                   "source": em.SOURCE},
        "rails": {p.rail: {"ring": p.ring.as_json(), "straps": p.straps,
                           "strap": p.strap.as_json()} for p in plans},
    }
