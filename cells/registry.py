"""Name -> cell registry. A cell is a circuit builder (typed parameters -> Circuit) and the
gdsfactory cell function made from it (same parameters plus the PDK variant and how rows are
dressed): the layout and the reference schematic always come from the same parameters.
flow.yaml's `design.cells` entries are checked against the builders' signatures.

The library's own cells register when `cells.library` is imported; a user's cells join from
the Python modules flow.yaml names (`design.cell_modules`, looked up beside flow.yaml first) and
from installed packages that declare an entry point in the group `sgdr_flow.cells`.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import traceback
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from cells.circuit import Circuit, Mos
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.errors import FlowError
from sgdr_flow.hashing import hash_python_source

if typing.TYPE_CHECKING:
    from cells.place_route import Routed

DEFAULT_VARIANT = MetalStack()
ENTRY_POINT_GROUP = "sgdr_flow.cells"


@dataclass(frozen=True)
class AnalogCell:
    name: str
    circuit: Callable[..., Circuit]
    layout: Callable[..., Any]  # a gdsfactory cell function
    doc: str

    def route(self, params: dict[str, Any], variant: MetalStack = DEFAULT_VARIANT,
              guard_rings: bool = True, row_dummies: bool = True) -> Routed:
        """The placed and routed cell: its component and the circuit as drawn (dummies too)."""
        return _route(self.circuit, params, variant, guard_rings, row_dummies)


def _route(build: Callable[..., Circuit], params: dict[str, Any], variant: MetalStack,
           guard_rings: bool, row_dummies: bool) -> Routed:
    from cells.place_route import Style, place_and_route

    return place_and_route(build(**params), variant, style=Style(guard_rings, row_dummies))


CELLS: dict[str, AnalogCell] = {}


def _layout_function(name: str, build: Callable[..., Circuit]):
    import gdsfactory as gf

    def layout(variant: MetalStack = DEFAULT_VARIANT, guard_rings: bool = True,
               row_dummies: bool = True, **params: Any) -> gf.Component:
        return _route(build, params, variant, guard_rings, row_dummies).component

    signature = inspect.signature(build)
    extra = [inspect.Parameter("variant", inspect.Parameter.KEYWORD_ONLY,
                               default=DEFAULT_VARIANT, annotation=MetalStack),
             *(inspect.Parameter(flag, inspect.Parameter.KEYWORD_ONLY, default=True,
                                 annotation=bool) for flag in ("guard_rings", "row_dummies"))]
    layout.__signature__ = signature.replace(
        parameters=[*signature.parameters.values(), *extra], return_annotation=gf.Component)
    layout.__name__ = layout.__qualname__ = name
    layout.__doc__ = build.__doc__
    return gf.cell(layout)


def analog_cell() -> Callable[[Callable[..., Circuit]], Callable[..., Circuit]]:
    """Register a circuit builder; its gdsfactory cell is `CELLS[name].layout`."""

    def wrap(build: Callable[..., Circuit]) -> Callable[..., Circuit]:
        name = build.__name__
        known = CELLS.get(name)
        if known is not None and known.circuit.__module__ != build.__module__:
            raise ValueError(f"cell {name!r} of {build.__module__} is already defined by "
                             f"{known.circuit.__module__}; give it another name")
        CELLS[name] = AnalogCell(name, build, _layout_function(name, build),
                                 (build.__doc__ or "").strip().splitlines()[0])
        params_model.cache_clear()
        return build

    return wrap


@cache
def params_model(name: str) -> type[BaseModel]:
    """A strict pydantic model of a cell's parameters (the builder's signature and its
    parameter types, e.g. `cells.params.GateLength` with the rule minimum)."""
    build = CELLS[name].circuit
    hints = typing.get_type_hints(build, include_extras=True)
    fields: dict[str, Any] = {}
    for pname, param in inspect.signature(build).parameters.items():
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[pname] = (hints.get(pname, Any), default)
    return create_model(f"{name}_params",
                        __config__=ConfigDict(extra="forbid", allow_inf_nan=False), **fields)


def check_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Validated parameters of cell `name`. KeyError for an unknown cell, pydantic's
    ValidationError for a bad parameter, ValueError (or FlowError) naming the problem for a
    combination the builder or the device drawing refuses (checked here by building the circuit
    and planning every transistor, which draws nothing)."""
    from cells.mos import mos_geometry

    load_cells()
    if name not in CELLS:
        known = ", ".join(sorted(CELLS)) or "none"
        raise KeyError(f"unknown cell {name!r} (known: {known})")
    checked = params_model(name).model_validate(params).model_dump()
    for device in CELLS[name].circuit(**checked).flat():
        if isinstance(device, Mos):
            mos_geometry(device)
    return checked


def load_cells() -> dict[str, AnalogCell]:
    """The library's cells and those of installed packages' `sgdr_flow.cells` entry points."""
    import cells.library  # noqa: F401

    _load_entry_points()
    return CELLS


@cache
def _load_entry_points() -> None:
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            point.load()
        except Exception as exc:
            raise FlowError(f"entry point {point.name} = {point.value} (group "
                            f"{ENTRY_POINT_GROUP}): {_failure(exc)}") from exc


def _failure(exc: BaseException) -> str:
    """The exception and where in the user's code it was raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def import_cell_module(name: str, base: Path) -> None:
    """Import a module of @analog_cell builders: from `base` (flow.yaml's folder) when it is
    there, else an installed one. A module from `base` is imported afresh, so that an edited
    file, or a same-named module of another flow, never stands in for it.
    Raises ValueError with the cause."""
    load_cells()  # the library first: a user's cell may not take a library cell's name
    top = name.partition(".")[0]
    local = (base / f"{top}.py").is_file() or (base / top / "__init__.py").is_file()
    if local:
        for loaded in [m for m in sys.modules if m == top or m.startswith(f"{top}.")]:
            del sys.modules[loaded]
        sys.path.insert(0, str(base))
    try:
        importlib.import_module(name)
    except Exception as exc:
        raise ValueError(f"cannot import {name}: {_failure(exc)}") from exc
    finally:
        if local:
            sys.path.remove(str(base))


def source_hashes(cells: Iterable[str]) -> dict[str, str]:
    """Source hash of every module outside this repository that defines one of `cells` (the
    whole package when it is one), so that editing a user's cell makes its stage stale."""
    out: dict[str, str] = {}
    for name in cells:
        top_name = CELLS[name].circuit.__module__.partition(".")[0]
        if top_name == __name__.partition(".")[0]:
            continue  # the library's own cells: part of the stage's code hash already
        top = sys.modules[top_name]
        root = Path(inspect.getfile(top)).resolve()
        root = root.parent if root.name == "__init__.py" else root
        out[top.__name__] = hash_python_source(root)
    return out
