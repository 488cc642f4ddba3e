"""MIM capacitor rules, option A (MIM.*, table 34) and option B (MIMTM.*, table 35).

Option A: bottom plate Metal2, top plate FuseTop, Via2 up to Metal3.
Option B: bottom plate on the last-but-one metal, Via(n-1) up to the top metal.
"""

from pdk.gf180mcu.rules.base import r

VIRTUAL_PLATE_GROW = 1.06  # the bottom plate counted for MIM rules: FuseTop grown by this
AREA_CAP_FF_PER_UM2 = {1.0: 0.987, 1.5: 1.47, 2.0: 1.99}      # model c_cox
PERIMETER_CAP_FF_PER_UM = {1.0: 0.33, 1.5: 0.379, 2.0: 0.2383}  # model c_capsw


def bottom_plate_level(metal_levels: int, option: str) -> int:
    """Metal level of the MIM bottom plate: Metal2 (option A) or the last-but-one metal (B).

    The via up from that level contacts both plates; the via below it must not touch the plate.
    """
    return 2 if option == "A" else metal_levels - 1


def _mim(prefix: str) -> list:
    return [
        r(f"{prefix}.1", "Min. MIM bottom plate spacing to the bottom-plate metal", 1.2),
        r(f"{prefix}.2", "Min. MIM bottom plate overlap of the via up from it", 0.4),
        r(f"{prefix}.3", "Min. MIM bottom plate overlap of the top plate", 0.6),
        r(f"{prefix}.4", "Min. MIM top plate (FuseTop) overlap of the via on it", 0.4),
        r(f"{prefix}.5", "Min. space between top plate and a via on the bottom-plate metal", 0.4),
        r(f"{prefix}.6", "Min. space between unrelated top plates", 0.6),
        r(f"{prefix}.7", "Min. CAP_MK enclosure of the top plate", 0.0),
        r(f"{prefix}.8a", "Min. MIM area (um^2)", 25.0),
        r(f"{prefix}.8b", "Max. single MIM area (um^2)", 10000.0),
        r(f"{prefix}.9", "Min. space of the vias on the MIM top plate", 0.5),
        r(f"{prefix}.10", "No via from below on the MIM bottom plate under the top plate"),
        r(f"{prefix}.11", "Max. total MIM area on one bottom plate (um^2)", 10000.0),
    ]


RULES = [*_mim("MIM"), *_mim("MIMTM")]
