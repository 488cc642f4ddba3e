"""Renders the report document as one self-contained HTML page (plots embedded)."""

from __future__ import annotations

import base64
import json
from html import escape
from pathlib import Path
from typing import Any

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{margin-bottom:.2em} h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4} .pass{color:#0a7d27;font-weight:600} .fail{color:#b3261e;font-weight:600}
.muted{color:#777} pre{background:#f7f7f7;padding:.6em;overflow:auto;font-size:.85em}
.badge{display:inline-block;padding:.2em .8em;border-radius:1em;color:#fff;font-weight:700}
.badge.pass{background:#0a7d27;color:#fff} .badge.fail{background:#b3261e;color:#fff}
figure{display:inline-block;margin:.5em} figcaption{text-align:center;font-size:.85em}
img{max-width:520px;border:1px solid #ddd}
"""


VERDICTS = {"pass", "passed", "clean", "match"}


def _cell(value: Any, column: str = "") -> str:
    if isinstance(value, bool):
        if column not in VERDICTS:
            return "yes" if value else "no"
        return f'<span class="{"pass" if value else "fail"}">{"pass" if value else "FAIL"}</span>'
    if isinstance(value, float):
        return escape(f"{value:.4g}")
    if isinstance(value, dict | list):
        return f"<code>{escape(json.dumps(value, default=str))}</code>"
    return escape("" if value is None else str(value))


def table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    if not rows:
        return '<p class="muted">none</p>'
    columns = columns or list(dict.fromkeys(k for row in rows for k in row))
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(row.get(c), c)}</td>" for c in columns)
                   + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def key_values(data: dict[str, Any]) -> str:
    rows = "".join(f"<tr><td>{escape(str(k))}</td><td>{_cell(v, str(k))}</td></tr>"
                   for k, v in data.items())
    return f"<table><tr><th>key</th><th>value</th></tr>{rows}</table>"


def metrics_table(metrics: dict[str, Any]) -> str:
    """One row per metric: schematic, extracted, their change and the definition."""
    kinds = [k for k in ("schematic", "extracted", "layout_change") if k in metrics]
    definitions = metrics.get("definitions", {})
    names = list(dict.fromkeys(n for k in kinds for n in metrics[k]))
    rows = [{"metric": n, **{k: metrics[k].get(n) for k in kinds},
             "definition": definitions.get(n, "")} for n in names]
    extra = {k: v for k, v in metrics.items() if k not in (*kinds, "definitions")}
    return "<h2>Metrics</h2>" + table(rows, ["metric", *kinds, "definition"]) + (
        key_values(extra) if extra else "") + (
        f"<p class='muted'>{escape(definitions['weights'])}</p>"
        if "weights" in definitions else "")


def _section(title: str, data: Any) -> str:
    if not isinstance(data, dict):
        return f"<h2>{escape(title)}</h2><pre>{escape(json.dumps(data, indent=2))}</pre>"
    parts = [f"<h2>{escape(title)}</h2>"]
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict | list)}
    if scalars:
        parts.append(key_values(scalars))
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            parts.append(f"<h3>{escape(key)}</h3>{table(value)}")
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            rows = [{"name": k, **v} for k, v in value.items()]
            parts.append(f"<h3>{escape(key)}</h3>{table(rows)}")
        elif isinstance(value, dict | list) and value:
            parts.append(f"<h3>{escape(key)}</h3><pre>{escape(json.dumps(value, indent=2))}</pre>")
    return "".join(parts)


def sweeps_html(sweeps: dict[str, Any]) -> str:
    """Variation sources: each point's verdict and worst values; Monte Carlo yield; bias
    range."""
    parts = ["<h2>Variation (extracted, every scoring seed)</h2>"]
    mc = sweeps.get("monte_carlo")
    if mc:
        low, high = mc["ci95"]
        parts.append(f"<p>Monte Carlo: <b>{mc['good']} of {mc['samples']}</b> chips good "
                     f"(yield {_cell(mc['yield'])}, Wilson 95 % interval {low:.3f} to "
                     f"{high:.3f}; judged on {escape(mc['judged_on'])}).</p>")
        parts.append(table([{"chip": name, "ngspice seed": c["ngspice_seed"], "good": c["good"],
                             **c["worst"]} for name, c in mc["chips"].items()]))
    bias = sweeps.get("bias_scaling")
    if bias:
        parts.append(f"<p>Bias scaling: every per-run target holds over "
                     f"<b>{bias['range_decades']:.3g} decades</b> "
                     f"(scales {escape(json.dumps(bias['scales']))}).</p>")
    rows = [{"source": source, "point": point, "pass": data["pass"], **data["worst"]}
            for source, points in sweeps.items()
            if source not in ("monte_carlo", "task_seeds", "worst", "bias_scaling")
            for point, data in points.items()]
    rows += [{"source": "bias", "point": point, "pass": data["pass"], **data["worst"]}
             for point, data in (bias or {}).get("points", {}).items()]
    parts.append("<h3>Worst value per point (over the task seeds)</h3>" + table(rows))
    return "".join(parts)


def _plots(build: Path) -> str:
    figures = []
    for png in sorted(build.glob("*/plots/*.png")):
        data = base64.b64encode(png.read_bytes()).decode()
        caption = escape(f"{png.parent.parent.name}: {png.stem.replace('_', ' ')}")
        figures.append(f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
                       f"<figcaption>{caption}</figcaption></figure>")
    return "<h2>Plots</h2>" + "".join(figures) if figures else ""


def render_html(report: dict[str, Any], build: Path) -> str:
    verdict = "pass" if report.get("pass") else "fail"
    stages = [{"stage": k, **v} for k, v in report.get("stages", {}).items()]
    targets = [{"target": k, "value": v.get("value"), "worst": v.get("worst_value"),
                "worst run": v.get("worst_run"), "min": v["limit"].get("min"),
                "max": v["limit"].get("max"), "status": v.get("status"),
                "judged on": v.get("judged_on")}
               for k, v in report.get("targets", {}).items()]
    body = [
        f"<h1>{escape(report.get('title', 'report'))}</h1>",
        f'<p><span class="badge {verdict}">{verdict.upper()}</span> '
        f'<span class="muted">{escape(report.get("flow", {}).get("path", ""))}</span></p>',
        "<h2>Targets (post-layout)</h2>", table(targets),
        "<h2>Stages</h2>", table(stages),
    ]
    if isinstance(report.get("metrics"), dict) and "definitions" in report["metrics"]:
        body.append(metrics_table(report["metrics"]))
    if report.get("sweeps"):
        body.append(sweeps_html(report["sweeps"]))
    sim = report.get("sim", {})
    if isinstance(sim, dict) and sim.get("runs"):
        report = {**report, "sim": {k: v for k, v in sim.items()
                                    if k not in ("runs", "trims", "cell_testbenches")}}
    titles = {"digital_baseline": "Digital baseline", "drc": "DRC", "lvs": "LVS", "pex": "PEX",
              "cells": "Cells", "layout": "Layout", "sim": "Simulation"}
    for key, title in titles.items():
        if key in report:
            body.append(_section(title, report[key]))
    body.append(_plots(build))
    body.append("<h2>Tools and PDK</h2>" + key_values(report.get("tools", {}))
                + key_values(report.get("pdk", {})))
    return ("<!doctype html><html><head><meta charset='utf-8'><title>"
            f"{escape(report.get('title', 'report'))}</title><style>{STYLE}</style></head><body>"
            + "".join(body) + "</body></html>")
