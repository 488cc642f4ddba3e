"""The flow's stages in order. Entries are imported lazily so `sgdr-flow stages` stays fast."""

from sgdr_flow.stage import Stage

STAGES: tuple[Stage, ...] = (
    Stage(name="cells", description="layout and schematic of every design cell",
          sections=("pdk", "design"), upstream=(), code=("pdk", "cells"),
          entry="cells.stage:run"),
    Stage(name="layout", description="top-level array GDS and schematic",
          sections=("pdk", "design"), upstream=("cells",), code=("pdk", "cells", "layout"),
          entry="layout.stage:run"),
    Stage(name="drc", description="design-rule check of every cell and the top level",
          sections=("pdk", "checks"), upstream=("cells", "layout"), code=("pdk", "extraction"),
          entry="extraction.drc_stage:run"),
    Stage(name="lvs", description="layout versus schematic of every cell and the top level",
          sections=("pdk", "checks"), upstream=("cells", "layout"), code=("pdk", "extraction"),
          entry="extraction.lvs_stage:run"),
    Stage(name="pex", description="parasitic extraction (klayout-pex 2.5D) into netlists",
          sections=("pdk", "extraction"), upstream=("lvs",), code=("pdk", "extraction"),
          entry="extraction.pex_stage:run"),
    Stage(name="sim", description="testbenches on schematic and extracted netlists, metrics",
          sections=("pdk", "design", "simulation"), upstream=("cells", "layout", "pex"),
          code=("pdk", "sim"), entry="sim.stage:run"),
    Stage(name="report", description="report.json, report.html and plots, judged on targets",
          sections=("targets", "report", "simulation"),
          upstream=("cells", "layout", "drc", "lvs", "pex", "sim"), code=("sgdr_flow", "sim"),
          entry="sgdr_flow.report:run"),
)

STAGE_NAMES = tuple(stage.name for stage in STAGES)
