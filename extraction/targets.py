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
    """The cells and the top level as the upstream stages built them (their summaries name
    them, so the checks depend on flow.yaml's design only through those outputs)."""
    cells_dir, layout_dir = ctx.stage_dir("cells"), ctx.stage_dir("layout")
    out = [Target(name, cells_dir / f"{name}.gds", cells_dir / f"{name}.spice")
           for name in ctx.summary("cells")["cells"]]
    top = ctx.summary("layout")["top"]
    out.append(Target(top, layout_dir / f"{top}.gds", layout_dir / f"{top}.spice"))
    return out
