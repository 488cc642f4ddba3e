"""Drawing dimensions derived from the design-rule table (never literal rule values here).

Everything a cell draws is sized from pdk/gf180mcu/rules; the routing wires are kept at least as
wide as the end-of-line threshold so that the EOL via/contact rules never apply to them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from pdk.gf180mcu.layers import LAYERS
from pdk.gf180mcu.rules import GRID_UM, value
from pdk.gf180mcu.rules.beol import EOL_WIDTH


def snap_up(x: float) -> float:
    """Smallest grid multiple >= x."""
    return round(math.ceil(round(x / GRID_UM, 6)) * GRID_UM, 4)


def snap(x: float) -> float:
    return round(round(x / GRID_UM) * GRID_UM, 4)


@dataclass(frozen=True)
class Tech:
    # cuts
    contact: float
    contact_space: float
    via: float
    via_space: float
    # enclosures
    comp_enc_contact: float
    poly_enc_contact: float
    contact_to_gate: float
    poly_contact_to_comp: float
    # wires
    wire: float          # metal width used for every drawn wire and pad (>= EOL threshold)
    metal1_space: float
    metal_space: float   # Metal2 and up
    pitch: float         # routing grid (Metal2 columns, Metal3 tracks)
    # devices
    gate_min: float
    finger_min: float
    endcap: float
    sd_outer: float      # S/D diffusion beyond the outer gates (contacted)
    sd_inner: float      # S/D diffusion between gates (contacted)
    poly_bar_gap: float  # COMP edge to the gate-contact poly bar
    implant_gate: float  # implant beyond the gate
    implant_comp: float  # implant beyond COMP
    tap_space: float     # device COMP to its tap COMP (room for the source bus)
    nwell_pcomp: float
    nwell_ncomp: float
    nwell_to_ncomp: float
    # dummy fingers (field Poly2 beside the COMP)
    poly_space: float     # Poly2 to Poly2 (dummy to gate, dummy to dummy)
    dummy_to_comp: float  # field Poly2 to its COMP
    implant_space: float  # Nplus/Pplus space (device implant to a neighbour's)

    @property
    def cut_pad(self) -> float:
        """A contact with its COMP/Poly2 enclosure: the narrowest contacted strip."""
        return self.contact + 2 * self.comp_enc_contact


@cache
def tech() -> Tech:
    contact = value("CO.1")
    wire = snap_up(max(EOL_WIDTH + GRID_UM, value("M2.1"), value("V1.1") + 2 * 0.06,
                       contact + 2 * value("CO.6")))
    metal_space = max(value(f"M{n}.2a") for n in (2, 3, 4))
    comp_enc = value("CO.4")
    to_gate = value("CO.7")
    m1_space = value("M1.2a")
    return Tech(
        contact=contact,
        contact_space=value("CO.2a"),
        via=value("V1.1"),
        via_space=value("V1.2a"),
        comp_enc_contact=comp_enc,
        poly_enc_contact=value("CO.3"),
        contact_to_gate=to_gate,
        poly_contact_to_comp=value("CO.8"),
        wire=wire,
        metal1_space=m1_space,
        metal_space=metal_space,
        pitch=snap_up(wire + metal_space + 2 * GRID_UM),
        gate_min=value("PL.2"),
        finger_min=max(value("DF.2a"), contact + 2 * comp_enc),
        endcap=value("PL.4"),
        sd_outer=max(value("DF.6"), to_gate + contact + comp_enc),
        sd_inner=max(2 * to_gate + contact, value("PL.3a")),
        poly_bar_gap=max(value("PL.5a"), value("CO.8") - value("CO.3"), m1_space),
        implant_gate=max(value("NP.5a"), value("PP.5a")),
        implant_comp=max(value("NP.5b"), value("PP.5b")),
        tap_space=snap_up(2 * m1_space + wire),
        nwell_pcomp=value("DF.4c"),
        nwell_ncomp=value("DF.4d"),
        nwell_to_ncomp=value("DF.16"),
        poly_space=value("PL.3a"),
        dummy_to_comp=max(value("PL.5a"), value("PL.5b")),
        implant_space=max(value("NP.2"), value("PP.2")),
    )


def layer(name: str) -> tuple[int, int]:
    return LAYERS[name]


def top_metal_width(thickness: str) -> float:
    """Minimum width of the last metal: MT.1 by thickness, MT30.1a for the thick 30K metal."""
    return value("MT30.1a") if thickness == "30K" else value("MT.1", top_metal=thickness)
