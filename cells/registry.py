"""Name -> cell function registry; flow.yaml's `design.cells` entries are checked against it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

CELLS: dict[str, Callable[..., Any]] = {}


def register(func: Callable[..., Any]) -> Callable[..., Any]:
    """Make a cell function available to flow.yaml under its own name."""
    CELLS[func.__name__] = func
    return func


@cache
def params_model(name: str) -> type[BaseModel]:
    """A strict pydantic model of a cell function's keyword parameters."""
    func = CELLS[name]
    fields: dict[str, Any] = {}
    for pname, param in inspect.signature(func).parameters.items():
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[pname] = (param.annotation, default)
    return create_model(f"{name}_params", __config__=ConfigDict(extra="forbid"), **fields)


def check_params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Validated parameters of cell `name`; KeyError for an unknown cell, ValidationError else."""
    _load_cells()
    if name not in CELLS:
        known = ", ".join(sorted(CELLS)) or "none"
        raise KeyError(f"unknown cell {name!r} (known: {known})")
    return params_model(name).model_validate(params).model_dump()


def _load_cells() -> None:
    """Import the modules whose @register calls fill CELLS."""
    import cells.library  # noqa: F401
