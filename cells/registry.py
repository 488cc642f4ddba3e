"""Name -> cell registry. A cell is a circuit builder (typed parameters -> Circuit) and the
gdsfactory cell function made from it (same parameters plus the PDK variant): the layout and the
reference schematic always come from the same parameters. flow.yaml's `design.cells` entries are
checked against the builders' signatures.
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

Order = Callable[[Circuit], dict[str, list[str]]]
DEFAULT_VARIANT = MetalStack()


@dataclass(frozen=True)
class AnalogCell:
    name: str
    circuit: Callable[..., Circuit]
    layout: Callable[..., Any]  # a gdsfactory cell function
    doc: str


CELLS: dict[str, AnalogCell] = {}


def _layout_function(name: str, build: Callable[..., Circuit], order: Order | None):
    import gdsfactory as gf

    from cells.place_route import place_and_route

    def layout(*args: Any, variant: MetalStack = DEFAULT_VARIANT, **params: Any) -> gf.Component:
        circuit = build(*args, **params)
        return place_and_route(circuit, variant, order(circuit) if order else None).component

    signature = inspect.signature(build)
    variant = inspect.Parameter("variant", inspect.Parameter.KEYWORD_ONLY,
                                default=DEFAULT_VARIANT, annotation=MetalStack)
    layout.__signature__ = signature.replace(
        parameters=[*signature.parameters.values(), variant], return_annotation=gf.Component)
    layout.__name__ = layout.__qualname__ = name
    layout.__doc__ = build.__doc__
    return gf.cell(layout)


def analog_cell(order: Order | None = None) -> Callable[[Callable[..., Circuit]],
                                                        Callable[..., Circuit]]:
    """Register a circuit builder; its gdsfactory cell is `CELLS[name].layout`."""

    def wrap(build: Callable[..., Circuit]) -> Callable[..., Circuit]:
        name = build.__name__
        CELLS[name] = AnalogCell(name, build, _layout_function(name, build, order),
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
