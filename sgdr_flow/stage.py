"""What a stage is, what it gets to work with, and what it hands back."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sgdr_flow.config import FlowConfig, LoadedFlow
from sgdr_flow.errors import FlowError
from sgdr_flow.progress import Progress


@dataclass(frozen=True)
class Stage:
    """One step of the flow: the config sections, upstream stages and code it depends on."""

    name: str
    description: str
    sections: tuple[str, ...]
    upstream: tuple[str, ...]
    code: tuple[str, ...]
    entry: str | Callable[[StageContext], StageResult]  # or "module:function", imported late

    def load(self) -> Callable[[StageContext], StageResult]:
        if callable(self.entry):
            return self.entry
        module, func = self.entry.split(":")
        return getattr(importlib.import_module(module), func)


@dataclass
class StageResult:
    """Summary for the report (JSON-able) and whether the stage's gate passed (None: no gate)."""

    summary: dict[str, Any]
    passed: bool | None = None
    status: str = ""

    def __post_init__(self) -> None:
        if not self.status:
            self.status = {True: "ok", False: "failed", None: "ok"}[self.passed]


def not_implemented(what: str) -> StageResult:
    return StageResult({"status": "not implemented", "note": what}, passed=False,
                       status="not implemented")


def disabled(key: str) -> StageResult:
    return StageResult({"status": "disabled", "note": f"{key} is false"}, passed=None,
                       status="disabled")


@dataclass
class StageContext:
    stage: Stage
    flow: LoadedFlow
    build: Path
    out: Path
    progress: Progress = field(default_factory=Progress)

    @property
    def config(self) -> FlowConfig:
        return self.flow.config

    def stage_dir(self, name: str) -> Path:
        """Output folder of an upstream stage (always complete: stages are written atomically)."""
        path = self.build / name
        if not (path / "manifest.json").is_file():
            raise FlowError(f"stage {self.stage.name!r} needs stage {name!r}, which has no output "
                            f"in {self.build}; run it first")
        return path

    def summary(self, name: str) -> dict[str, Any]:
        return json.loads((self.stage_dir(name) / "summary.json").read_text())
