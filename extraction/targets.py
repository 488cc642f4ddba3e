"""What the verification stages check: every design cell and the top level, with their files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sgdr_flow.stage import StageContext


@dataclass(frozen=True)
class Target:
    name: str
    gds: Path
    netlist: Path


def targets(ctx: StageContext) -> list[Target]:
    cells_dir, layout_dir = ctx.stage_dir("cells"), ctx.stage_dir("layout")
    out = [Target(name, cells_dir / f"{name}.gds", cells_dir / f"{name}.spice")
           for name in ctx.config.design.cells]
    top = ctx.config.design.top
    out.append(Target(top, layout_dir / f"{top}.gds", layout_dir / f"{top}.spice"))
    return out
