"""What a stage is, what it gets to work with, and what it hands back."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel

from sgdr_flow.config import FlowConfig
from sgdr_flow.errors import FlowError
from sgdr_flow.progress import Progress


def load_entry(entry: str | Callable[..., Any]) -> Callable[..., Any]:
    """A callable, or a "module:function" string imported now (stages import late)."""
    if callable(entry):
        return entry
    module, func = entry.split(":")
    return getattr(importlib.import_module(module), func)


@dataclass(frozen=True)
class Stage:
    """One step of the flow and everything its output depends on: the flow.yaml keys it reads
    (dotted, e.g. `pdk.variant` or a whole section `extraction`), the stages whose outputs it
    reads, its code (packages of this repository) and, through `user_code` ("module:function"
    given the stage's config), code from outside the repository such as a user's cells."""

    name: str
    description: str
    keys: tuple[str, ...]
    upstream: tuple[str, ...]
    code: tuple[str, ...]
    entry: str | Callable[[StageContext], StageResult]  # or "module:function", imported late
    user_code: str | None = None

    def load(self) -> Callable[[StageContext], StageResult]:
        return load_entry(self.entry)


def declared(keys: tuple[str, ...], path: str) -> bool:
    """Is `path` one of `keys` or inside one of them?"""
    return any(path == key or path.startswith(f"{key}.") for key in keys)


def config_slice(config: FlowConfig, keys: tuple[str, ...]) -> dict[str, Any]:
    """The JSON values of the declared keys: the config part of a stage's cache key."""
    data = config.model_dump(mode="json")
    out = {}
    for key in sorted(keys):
        value: Any = data
        for part in key.split("."):
            value = value[part]
        out[key] = value
    return out


class ConfigView:
    """flow.yaml as a stage may read it: the keys its Stage declares, and nothing else. A read
    of an undeclared key raises, because the cache would not rerun the stage when it changes."""

    def __init__(self, model: BaseModel, keys: tuple[str, ...], stage: str, prefix: str = ""):
        self._model, self._keys, self._stage, self._prefix = model, keys, stage, prefix

    def __getattr__(self, name: str) -> Any:
        path = f"{self._prefix}{name}"
        if name.startswith("_") or name not in type(self._model).model_fields:
            raise AttributeError(f"flow.yaml has no key {path}")
        value = getattr(self._model, name)
        if declared(self._keys, path):
            return value
        if any(key.startswith(f"{path}.") for key in self._keys):
            return ConfigView(value, self._keys, self._stage, f"{path}.")
        raise UndeclaredInput(f"stage {self._stage!r} reads {path}, which its Stage "
                              f"declaration does not declare (keys: {', '.join(self._keys)})")


class UndeclaredInput(RuntimeError):
    """A stage read a key or a stage's output beyond its declaration: a bug in the stage
    table, which would let the cache call a stale output fresh. (Not an AttributeError, which
    `getattr(..., default)` would silently swallow.)"""


@dataclass
class StageResult:
    """Summary for the report (JSON-able) and whether the stage's gate passed (None: no gate).
    `timings` (seconds of the stage's parts) go to the manifest, not into the outputs: an
    output file must be the same bytes for the same inputs, or every rerun would look like a
    change to the stages downstream."""

    summary: dict[str, Any]
    passed: bool | None = None
    status: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.status:
            self.status = {True: "ok", False: "failed", None: "ok"}[self.passed]


def disabled(key: str) -> StageResult:
    return StageResult({"status": "disabled", "note": f"{key} is false"}, passed=None,
                       status="disabled")


@dataclass
class StageContext:
    """What a stage works with: its part of flow.yaml, the build folder (upstream outputs) and
    its own scratch output folder `out`, which replaces build/<stage>/ when the stage is done."""

    stage: Stage
    flow_config: FlowConfig
    build: Path
    out: Path
    progress: Progress = field(default_factory=Progress)

    @property
    def config(self) -> FlowConfig:
        """The declared keys of flow.yaml (a ConfigView; typed as the config it reads from)."""
        return cast(FlowConfig, ConfigView(self.flow_config, self.stage.keys, self.stage.name))

    def stage_dir(self, name: str) -> Path:
        """Output folder of an upstream stage (always complete: stages are written atomically)."""
        if name not in self.stage.upstream:
            raise UndeclaredInput(f"stage {self.stage.name!r} reads stage {name!r}, which it "
                                  "does not declare upstream")
        path = self.build / name
        if not (path / "manifest.json").is_file():
            raise FlowError(f"stage {self.stage.name!r} needs stage {name!r}, which has no output "
                            f"in {self.build}; run it first")
        return path

    def summary(self, name: str) -> dict[str, Any]:
        return json.loads((self.stage_dir(name) / "summary.json").read_text())

    def relative(self, path: Path | str) -> str:
        """`path` as seen from the stage's output folder: outputs hold no absolute paths (the
        build folder may move, and a rerun must write the same bytes)."""
        return os.path.relpath(path, self.out)
