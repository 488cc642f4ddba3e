"""report.html for people: the verdict and every target with value, limit and margin in
engineering units first, then the pictures, then the tables; raw data folded away. One page,
plots embedded, rendered from `templates/report.html.j2`."""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
SI = ((1e-15, "f"), (1e-12, "p"), (1e-9, "n"), (1e-6, "µ"), (1e-3, "m"), (1.0, ""),
      (1e3, "k"), (1e6, "M"))
# metric -> (label, unit, how to print); units "W", "J", "s" take an SI prefix
METRICS: dict[str, tuple[str, str, str]] = {
    "mse_percent": ("Output MSE", "%", "sig"),
    "weight_mse_percent": ("Weight MSE", "%", "sig"),
    "precision_bits": ("Precision", "bits", "fixed2"),
    "exercised_fraction": ("Exercised fraction of W_FS", "%", "percent"),
    "power_w": ("Power, array + bias", "W", "si"),
    "power_per_synapse_w": ("Power per synapse", "W", "si"),
    "energy_per_update_j": ("Energy per weight update", "J", "si"),
    "time_constant_s": ("Learning time constant", "s", "si"),
    "area_um2": ("Area, array bounding box", "µm²", "grouped"),
    "area_per_synapse_um2": ("Area per synapse", "µm²", "grouped"),
    "tl_max_error_percent": ("Translinear loop error", "%", "fixed2"),
    "droop_mv_per_ms": ("Weight droop", "mV/ms", "sig"),
    "yield_fraction": ("Monte Carlo yield", "%", "percent"),
    "bias_range_decades": ("Bias range where every target holds", "decades", "fixed2"),
}
PICTURES = ["layout/plots/{top}.png", "sim/plots/weights_vs_time.png",
            "sim/plots/output_vs_time.png", "report/plots/variation_sources.png",
            "report/plots/monte_carlo.png", "report/plots/bias_scaling.png",
            "sim/plots/translinear_error.png", "sim/plots/memory_droop.png"]
CAPTIONS = {
    "layout": "The top level",
    "weights_vs_time": "Every weight (thin) against the golden SGDr model (wide, underneath)",
    "output_vs_time": "The array's sum output against the golden model",
    "variation_sources": "Each variation source, every scoring seed, against the targets",
    "monte_carlo": "Monte Carlo chips: worst precision and output MSE over the task seeds",
    "bias_scaling": "All bias currents scaled together: precision, power, time constant",
    "translinear_error": "Translinear loop error over three decades, corners, temperatures "
                         "and Monte Carlo dies",
    "memory_droop": "Weight memory hold, every input and bias off",
}
SENSITIVE_ROWS = 15
NONE, MINUS = "\u2013", "\u2212"  # an en dash for "no value", a true minus sign


def eng(value: Any, unit: str = "", how: str = "sig") -> str:
    """A number for people: SI prefixes for W, J, s; grouped thousands for areas."""
    if value is None:
        return NONE
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if not math.isfinite(value):
        return f"{value} {unit}".strip()
    if how == "si":
        scale, prefix = next(((s, p) for s, p in reversed(SI) if abs(value) >= s), SI[0])
        return f"{value / scale:.3g} {prefix}{unit}"
    text = {"grouped": f"{value:,.0f}", "fixed2": f"{value:.2f}",
            "percent": f"{100 * value:.1f}"}.get(how, f"{value:.3g}")
    return f"{text} {unit}".strip()


def _fmt(metric: str, value: Any) -> str:
    _, unit, how = METRICS.get(metric, (metric, "", "sig"))
    return eng(value, unit, how)


def _limit(metric: str, limit: dict[str, Any]) -> str:
    parts = [f"≥ {_fmt(metric, limit['min'])}" if limit.get("min") is not None else "",
             f"≤ {_fmt(metric, limit['max'])}" if limit.get("max") is not None else ""]
    return ", ".join(p for p in parts if p)


def _margin(metric: str, value: Any, limit: dict[str, Any]) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return NONE
    margins = [value - limit["min"] if limit.get("min") is not None else math.inf,
               limit["max"] - value if limit.get("max") is not None else math.inf]
    margin = min(margins)
    sign = "+" if margin >= 0 else MINUS
    return f"{sign}{_fmt(metric, abs(margin))}"


def _image(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def _summary(report: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for name, target in report.get("targets", {}).items():
        worst = target.get("worst_value")
        note = target.get("judged_on", "")
        if target.get("worst_run"):
            note = f"worst {_fmt(name, worst)} in {target['worst_run']}"
        if target.get("ci95"):
            low, high = target["ci95"]
            note = (f"{target.get('samples')} chips, estimate "
                    f"{_fmt(name, target.get('yield_estimate'))}, 95 % interval "
                    f"{100 * low:.0f} to {100 * high:.0f} %; judged on the lower bound"
                    if target.get("judged_on", "").endswith("ci95_low") else note)
        judged = worst if target.get("worst_run") and worst is not None else target.get("value")
        status = target.get("status") or {True: "pass", False: "FAIL"}.get(
            target.get("pass"), "not measured")
        rows.append({"label": METRICS.get(name, (name,))[0],
                     "value": _fmt(name, target.get("value")),
                     "limit": _limit(name, target.get("limit", {})),
                     "margin": _margin(name, judged, target.get("limit", {})),
                     "status": status, "css": status.replace(" ", "-"), "note": note})
    return rows


def _figures(report: dict[str, Any], build: Path) -> tuple[list[dict], list[dict]]:
    top = report.get("layout", {}).get("top", "")
    figures = []
    for pattern in PICTURES:
        path = build / pattern.format(top=top)
        if path.is_file():
            key = path.parent.parent.name if path.parent.parent.name == "layout" else path.stem
            figures.append({"data": _image(path), "caption": CAPTIONS.get(key, path.stem),
                            "css": "wide" if path.stem == "variation_sources" else ""})
    cells = [{"data": _image(p), "caption": p.stem, "css": ""}
             for p in sorted((build / "cells" / "plots").glob("*.png"))]
    return figures, cells


def _metric_rows(metrics: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    kinds = [k for k in ("schematic", "extracted", "layout_change") if k in metrics]
    names = list(dict.fromkeys(n for k in kinds for n in metrics[k]))
    definitions = metrics.get("definitions", {})
    rows = [{"label": METRICS.get(n, (n,))[0], "definition": definitions.get(n, ""),
             "cols": [_fmt(n, metrics[k].get(n)) for k in kinds]} for n in names]
    return kinds, rows


def _variation(sweeps: dict[str, Any]) -> dict[str, Any]:
    heads = ["precision_bits", "mse_percent", "power_w", "exercised_fraction"]
    rows = []
    for source, points in sweeps.items():
        if source in ("monte_carlo", "task_seeds", "worst"):
            continue
        points = points.get("points", {}) if source == "bias_scaling" else points
        for point, data in points.items():
            rows.append({"source": source, "point": point,
                         "verdict": "pass" if data["pass"] else "FAIL",
                         "css": "pass" if data["pass"] else "FAIL",
                         "cols": [_fmt(h, data["worst"].get(h)) for h in heads]})
    out: dict[str, Any] = {"variation": rows,
                           "variation_heads": [METRICS[h][0] for h in heads]}
    mc = sweeps.get("monte_carlo")
    if mc:
        low, high = mc["ci95"]
        out["monte_carlo"] = (f"Monte Carlo: {mc['good']} of {mc['samples']} chips good "
                              f"(Wilson 95 % interval {100 * low:.0f} to {100 * high:.0f} %), "
                              f"criteria: {', '.join(METRICS[c][0] for c in mc['criteria'])} "
                              "on every scoring seed.")
        criteria = list(mc["criteria"])
        out["chip_heads"] = [METRICS[c][0] for c in criteria]
        out["chips"] = [{"name": name, "seed": c["ngspice_seed"],
                         "verdict": "good" if c["good"] else "bad",
                         "css": "pass" if c["good"] else "FAIL",
                         "cols": [_fmt(k, c["worst"].get(k)) for k in criteria]}
                        for name, c in mc["chips"].items()]
    bias = sweeps.get("bias_scaling")
    if bias:
        out["bias_range"] = (f"Bias scaling: every per-run target holds over "
                             f"{bias['range_decades']:.2f} decades of bias"
                             + (f" (x{bias['holds_from']:g} to x{bias['holds_to']:g})."
                                if bias.get("holds_from") else "."))
    return out


def _stages(report: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for name, stage in report.get("stages", {}).items():
        status = stage.get("status", "?")
        took = stage.get("last_duration_s", stage.get("duration_s"))
        rows.append({"name": name, "status": status,
                     "css": "pass" if status in ("ok", "disabled") else "FAIL",
                     "run": "cached (inputs unchanged)" if stage.get("skipped") else "ran",
                     "took": eng(took, "s", "si") if took else NONE})
    return rows


def _checks(report: dict[str, Any]) -> list[dict[str, str]]:
    drc = report.get("drc", {}).get("cells", {})
    lvs = report.get("lvs", {}).get("cells", {})
    rows = []
    for cell in dict.fromkeys([*drc, *lvs]):
        d, v = drc.get(cell, {}), lvs.get(cell, {})
        rows.append({
            "cell": cell,
            "drc": "clean" if d.get("clean") else f"{d.get('violations', '?')} violations"
            if d else NONE, "drc_css": "pass" if d.get("clean") else "FAIL",
            "lvs": "match" if v.get("match") else f"{len(v.get('mismatches', []))} findings"
            if v else NONE, "lvs_css": "pass" if v.get("match") else "FAIL",
            "devices": f"{v.get('devices_layout', NONE)} / {v.get('devices_schematic', NONE)}"})
    return rows


def _sensitive(report: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for cell, data in report.get("pex", {}).get("cells", {}).items():
        for net, node in (data.get("sensitive_nodes") or {}).items():
            couplings = sorted(node.get("couplings_ff", {}).items(), key=lambda kv: -kv[1])[:4]
            rows.append({"cell": cell, "net": net, "total_ff": node.get("total_ff", 0.0),
                         "couplings": ", ".join(f"{k} {v:.3g} fF" for k, v in couplings)})
    rows.sort(key=lambda r: -r["total_ff"])
    return [{**r, "total": f"{r['total_ff']:.3g} fF"} for r in rows[:SENSITIVE_ROWS]]


def _trims(report: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for chip, trim in report.get("sim", {}).get("trims", {}).items():
        gains = trim.get("measured_gains") or [{}]
        last = gains[-1]
        rows.append({
            "chip": chip, "rounds": str(len(trim.get("measured_gains", []))),
            "gains": ", ".join(f"{last.get(k, math.nan):.3f}" for k in ("eta", "lam",
                                                                          "forward")),
            "tracking": ", ".join(f"{v:.3g}" for v in trim.get("tracking_rms", [])),
            "ratios": ", ".join(f"{k} x{v:.3g}" for k, v in trim.get("trim", {}).items()),
            "note": trim.get("error") or (f"kept round {trim['kept_round']} (best measured)"
                                          if trim.get("kept_round") is not None else "")})
    return rows


def _baseline(report: dict[str, Any]) -> list[tuple[str, str]]:
    data = report.get("digital_baseline") or {}
    labels = {"placed_area_um2": ("placed area", "µm²", "grouped"),
              "energy_per_update_j": ("energy per update", "J", "si"),
              "leakage_w": ("leakage", "W", "si"),
              "analog_area_per_synapse_um2": ("analog area per synapse", "µm²", "grouped"),
              "analog_energy_per_update_j": ("analog energy per update", "J", "si"),
              "area_ratio_digital_over_analog": ("area, digital / analog", "x", "sig"),
              "energy_ratio_digital_over_analog": ("energy, digital / analog", "x", "sig")}
    rows = [(label, eng(data[k], unit, how)) for k, (label, unit, how) in labels.items()
            if k in data]
    if data.get("cells"):
        rows.append(("cells", ", ".join(f"{n} {c}" for c, n in data["cells"].items())))
    if data.get("description"):
        rows.insert(0, ("datapath", data["description"]))
    return rows


def render_html(report: dict[str, Any], build: Path) -> str:
    verdict = "pass" if report.get("pass") else "FAIL"
    figures, cell_figures = _figures(report, build)
    kinds, metric_rows = _metric_rows(report.get("metrics") or {})
    pdk = report.get("pdk", {})
    variant = pdk.get("variant", {})
    failed = [row["label"] for row in _summary(report) if row["status"] == "FAIL"]
    bad_stages = [n for n, s in report.get("stages", {}).items()
                  if s.get("status") not in ("ok", "disabled")]
    problems = "; ".join(p for p in (
        f"targets missed: {', '.join(failed)}" if failed else "",
        f"stages not passing: {', '.join(bad_stages)}" if bad_stages else "") if p)
    raw_keys = ("targets", "metrics", "sweeps", "sim", "pex", "lvs", "drc", "layout", "cells",
                "digital_baseline")
    context = {
        "title": report.get("title", "report"), "verdict": verdict,
        "scored_on": report.get("scored_on", "scoring seeds"),
        "flow_path": report.get("flow", {}).get("path", ""),
        "pdk_line": f"{pdk.get('name', '')} {variant.get('metal_levels', '?')}LM, MIM option "
                    f"{variant.get('mim_option', '?')}, nominal {pdk.get('corner', '')} "
                    f"{pdk.get('temperature_c', '')} C",
        "problems": problems, "summary": _summary(report),
        "figures": figures, "cell_figures": cell_figures,
        "metric_kinds": kinds, "metric_rows": metric_rows,
        **_variation(report.get("sweeps") or {}),
        "stages": _stages(report), "checks": _checks(report),
        "sensitive": _sensitive(report), "trims": _trims(report),
        "baseline": _baseline(report),
        "tools": [*report.get("tools", {}).items(),
                  *((f"pdk {k}", json.dumps(v)) for k, v in pdk.items())],
        "raw": [(k, json.dumps(report[k], indent=1, default=str)[:400_000])
                for k in raw_keys if k in report],
    }
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    return env.get_template("report.html.j2").render(**context)
