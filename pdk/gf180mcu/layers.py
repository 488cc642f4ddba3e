"""GF180MCU drawn layers: name -> (GDS layer, datatype), from the design manual's layer table.

Kept free of gdsfactory so that DRC/LVS of any GDS does not pay for importing it; a test checks
it against the `gf180mcu` package's own layer map.
"""

from __future__ import annotations

Layer = tuple[int, int]

LAYERS: dict[str, Layer] = {
    "dnwell": (12, 0),
    "nwell": (21, 0),
    "lvpwell": (204, 0),
    "comp": (22, 0),
    "dualgate": (55, 0),
    "poly2": (30, 0),
    "nplus": (32, 0),
    "pplus": (31, 0),
    "sab": (49, 0),
    "esd": (24, 0),
    "nat": (5, 0),
    "contact": (33, 0),
    "metal1": (34, 0),
    "via1": (35, 0),
    "metal2": (36, 0),
    "via2": (38, 0),
    "metal3": (42, 0),
    "via3": (40, 0),
    "metal4": (46, 0),
    "via4": (41, 0),
    "metal5": (81, 0),
    "via5": (82, 0),
    "metaltop": (53, 0),
    "pad": (37, 0),
    "fusetop": (75, 0),
    "cap_mk": (117, 5),
    "mim_l_mk": (117, 10),
    "res_mk": (110, 5),
    "v5_xtor": (112, 1),
    "resistor": (62, 0),
    "plfuse": (125, 5),
    "mvsd": (210, 0),
    "mvpsd": (11, 39),
    "otp_mk": (173, 5),
    "ymtp_mk": (86, 17),
    "sramcore": (108, 5),
    "esd_mk": (24, 5),
    "lvs_io": (119, 5),
    "guard_ring_mk": (167, 5),
    "mos_cap_mk": (166, 5),
    "drc_bjt": (127, 5),
    "schottky_diode": (241, 0),
    "neo_ee_mk": (88, 17),
    "pr_bndry": (0, 0),
    "comp_label": (22, 10),
    "poly2_label": (30, 10),
    "metal1_label": (34, 10),
    "metal2_label": (36, 10),
    "metal3_label": (42, 10),
    "metal4_label": (46, 10),
    "metal5_label": (81, 10),
    "metaltop_label": (53, 10),
    "comp_dummy": (22, 4),
    "poly2_dummy": (30, 4),
    "metal1_dummy": (34, 4),
    "metal2_dummy": (36, 4),
    "metal3_dummy": (42, 4),
    "metal4_dummy": (46, 4),
    "metal5_dummy": (81, 4),
    "metaltop_dummy": (53, 4),
}

# The design manual's stacks for design work: the last metal obeys the MetalTop (MT.*) rules but
# keeps its own GDS layer (5LM: Metal5 on 81/0); MetalTop 53/0 exists only in the 6-metal stack.
METALS_BY_LEVELS: dict[int, tuple[str, ...]] = {
    3: ("metal1", "metal2", "metal3"),
    4: ("metal1", "metal2", "metal3", "metal4"),
    5: ("metal1", "metal2", "metal3", "metal4", "metal5"),
    6: ("metal1", "metal2", "metal3", "metal4", "metal5", "metaltop"),
}

VIAS_BY_LEVELS: dict[int, tuple[str, ...]] = {
    levels: tuple(f"via{i}" for i in range(1, levels)) for levels in METALS_BY_LEVELS
}

LABEL_OF: dict[str, str] = {
    "comp": "comp_label", "poly2": "poly2_label", "metal1": "metal1_label",
    "metal2": "metal2_label", "metal3": "metal3_label", "metal4": "metal4_label",
    "metal5": "metal5_label", "metaltop": "metaltop_label",
}


def layer(name: str) -> Layer:
    try:
        return LAYERS[name]
    except KeyError:
        raise KeyError(f"no GF180MCU layer named {name!r}") from None
