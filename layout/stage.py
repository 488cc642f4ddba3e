"""Stage entry point: the top-level learning array (GDS with ports, LVS reference, simulation
netlist, picture) and its layout reports: floorplan, guard rings, power grid, matching."""

from __future__ import annotations

from typing import Any

from cells.preview import preview
from layout.array import Array, array_netlist, array_pins, assemble
from layout.power import report as power_report
from sgdr_flow.stage import StageContext, StageResult


def supply(cells: dict[str, Any], synapse: str, bias: str,
           branch_current_a: float) -> dict[str, tuple[float, float]]:
    """Worst-case current of each rail per synapse and of the bias network: every supply branch
    of the cell at the largest branch current."""
    return {rail: (cells[synapse]["supply_branches"].get(rail, 0) * branch_current_a,
                   cells[bias]["supply_branches"].get(rail, 0) * branch_current_a)
            for rail in ("vss", "vdd")}


def layout_report(array: Array, cells: dict[str, Any], used: list[str],
                  branch_current_a: float) -> dict[str, Any]:
    fp = array.plan
    ports = array.component.ports
    return {
        "floorplan": {
            "rows": array.grid.rows, "columns": array.grid.columns,
            "empty_slots": array.grid.rows * array.grid.columns - len(
                [p for p in array.placed if p.name.startswith("XS")]),
            "channel_width_um": round(fp.cell_x[0] - fp.channels[0].x0, 3),
            "column_pitch_um": round(fp.channels[1].x0, 3) if len(fp.channels) > 1 else None,
            "gap_tracks": [max(g.values(), default=-1) + 1 for g in fp.gap_tracks],
        },
        "ports": {"count": len(ports), "metal": array.component.ports[0].layer_info.to_s()
                  if ports else None, "type": "electrical"},
        "boundary_um": [round(v, 3) for v in array.boundary],
        "rings": array.rings,
        "power_grid": power_report(array.power, branch_current_a),
        "dummies": {name: cells[name]["dummies"] for name in used},
        "matching": {name: cells[name]["matching"] for name in used},
    }


def run(ctx: StageContext) -> StageResult:
    design = ctx.config.design
    cells_dir = ctx.stage_dir("cells")
    cells = ctx.summary("cells")["cells"]
    syn, bias = design.synapse, design.bias
    ctx.progress.step(f"placing {design.n_synapses} synapses and the bias network")
    array = assemble(design.top, cells_dir / f"{syn}.gds", cells_dir / f"{bias}.gds",
                     design.n_synapses, ctx.config.pdk.variant, design.rows, design.columns,
                     design.guard_rings,
                     supply(cells, syn, bias, design.max_branch_current_a))
    gds = ctx.out / f"{design.top}.gds"
    array.write(gds)
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
        **layout_report(array, cells, [syn, bias], design.max_branch_current_a),
    }, passed=None)
