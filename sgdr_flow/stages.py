"""The flow's stages in order. Entries are imported lazily so `sgdr-flow stages` stays fast.

`keys` are the flow.yaml keys a stage reads (its config, as `ctx.config`, refuses any other):
a change reruns exactly the stages that read the changed key, and those whose upstream output
then changes.
"""

from sgdr_flow.stage import Stage

STAGES: tuple[Stage, ...] = (
    Stage(name="cells", description="layout and schematic of every design cell",
          keys=("design.cells", "design.guard_rings", "design.dummies", "pdk.variant",
                "report.plots"), upstream=(),
          code=("pdk", "cells"), entry="cells.stage:run", user_code="cells.stage:user_code"),
    Stage(name="layout", description="top-level array GDS and schematic",
          keys=("design.top", "design.n_synapses", "design.synapse", "design.bias",
                "design.rows", "design.columns", "design.guard_rings",
                "design.max_branch_current_a", "pdk.variant", "report.plots"),
          upstream=("cells",), code=("pdk", "cells", "layout"), entry="layout.stage:run"),
    Stage(name="drc", description="design-rule check of every cell and the top level",
          keys=("checks.drc", "pdk.variant"), upstream=("cells", "layout"),
          code=("pdk", "extraction"), entry="extraction.drc_stage:run"),
    Stage(name="lvs", description="layout versus schematic of every cell and the top level",
          keys=("checks.lvs", "pdk.variant"), upstream=("cells", "layout"),
          code=("pdk", "extraction"), entry="extraction.lvs_stage:run"),
    Stage(name="pex", description="parasitic extraction (klayout-pex 2.5D) into netlists",
          keys=("extraction", "design.synapse", "design.n_synapses", "pdk.variant"),
          upstream=("cells", "layout", "lvs"),
          code=("pdk", "extraction"), entry="extraction.pex_stage:run"),
    Stage(name="sim", description="testbenches on schematic and extracted netlists, metrics",
          keys=("pdk", "design", "simulation", "report.plots"),
          upstream=("cells", "layout", "pex"), code=("pdk", "sim"), entry="sim.stage:run"),
    Stage(name="report", description="report.json, report.html and plots, judged on targets",
          keys=("targets", "report.title", "report.html", "report.plots", "pdk.name",
                "pdk.variant", "pdk.corner", "pdk.temperature_c",
                "simulation.variation.monte_carlo"),
          upstream=("cells", "layout", "drc", "lvs", "pex", "sim"), code=("sgdr_flow", "sim"),
          entry="sgdr_flow.report:run"),
)

STAGE_NAMES = tuple(stage.name for stage in STAGES)
