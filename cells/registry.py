"""Name -> cell registry. A cell is a circuit builder (typed parameters -> Circuit) and the
gdsfactory cell function made from it (same parameters plus the PDK variant and how rows are
dressed): the layout and the reference schematic always come from the same parameters.
flow.yaml's `design.cells` entries are checked against the builders' signatures.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from cells.circuit import Circuit
from sgdr_flow.config import MetalStack

if typing.TYPE_CHECKING:
    from cells.place_route import Routed

DEFAULT_VARIANT = MetalStack()


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
        CELLS[name] = AnalogCell(name, build, _layout_function(name, build),
                                 (build.__doc__ or "").strip().splitlines()[0])
        return build

    return wrap


@cache
def params_model(name: str) -> type[BaseModel]:
    """A strict pydantic model of a cell's parameters (the builder's signature)."""
    build = CELLS[name].circuit
    hints = typing.get_type_hints(build)
    fields: dict[str, Any] = {}
    for pname, param in inspect.signature(build).parameters.items():
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[pname] = (hints.get(pname, Any), default)
    return create_model(f"{name}_params", __config__=ConfigDict(extra="forbid"), **fields)


def check_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Validated parameters of cell `name`; KeyError for an unknown cell, ValidationError else."""
    load_cells()
    if name not in CELLS:
        known = ", ".join(sorted(CELLS)) or "none"
        raise KeyError(f"unknown cell {name!r} (known: {known})")
    return params_model(name).model_validate(params).model_dump()


def load_cells() -> dict[str, AnalogCell]:
    """Import the modules whose @analog_cell decorators fill CELLS."""
    import cells.library  # noqa: F401

    return CELLS
