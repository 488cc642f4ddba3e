"""Stage entry point: the top-level learning array (GDS, LVS reference, simulation netlist)."""

from __future__ import annotations

from cells.build import save_options
from cells.preview import preview
from cells.tech import tech
from layout.array import array_netlist, array_pins, assemble
from sgdr_flow.stage import StageContext, StageResult

CELL_GAP_UM = 2.0  # between stacked cells: MIM plates of neighbours stay > MIMTM.1 apart


def run(ctx: StageContext) -> StageResult:
    design = ctx.config.design
    cells_dir = ctx.stage_dir("cells")
    cells = ctx.summary("cells")["cells"]
    syn, bias = design.synapse, design.bias
    t = tech()
    ctx.progress.step(f"placing {design.n_synapses} synapses and the bias network")
    array = assemble(design.top, cells_dir / f"{syn}.gds", cells_dir / f"{bias}.gds",
                     design.n_synapses, t.wire, t.pitch, CELL_GAP_UM)
    gds = ctx.out / f"{design.top}.gds"
    array.layout.write(str(gds), save_options())
    if ctx.config.report.plots:
        preview(gds, ctx.out / "plots" / f"{design.top}.png", width=1200)
    for suffix in ("spice", "sim.spice"):
        subckts = [(cells_dir / f"{name}.{suffix}").read_text() for name in (syn, bias)]
        (ctx.out / f"{design.top}.{suffix}").write_text(array_netlist(
            design.top, design.n_synapses, syn, cells[syn]["pins"], bias, cells[bias]["pins"],
            subckts))
    box = array.top.dbbox()
    cell_area = design.n_synapses * cells[syn]["area_um2"] + cells[bias]["area_um2"]
    return StageResult({
        "status": "ok", "top": design.top, "gds": gds.name, "pins": array_pins(
            design.n_synapses), "n_synapses": design.n_synapses,
        "width_um": round(box.width(), 3), "height_um": round(box.height(), 3),
        "bbox_area_um2": round(box.width() * box.height(), 2),
        "cell_area_um2": round(cell_area, 2),
        "bbox_area_per_synapse_um2": round(box.width() * box.height() / design.n_synapses, 2),
        "synapse_area_um2": cells[syn]["area_um2"], "bias_area_um2": cells[bias]["area_um2"],
    }, passed=None)
