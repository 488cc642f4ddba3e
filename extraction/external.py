"""External sign-off decks: a KLayout application runs a DRC or LVS runset (e.g. the foundry's
gf180mcu.drc / gf180mcu.lvs) and its report is read into the JSON shape of the built-in checks.

The command line follows the foundry runners' conventions:

    klayout -b -r DECK -rd input=GDS -rd topcell=CELL -rd report=OUT.lyrdb
            -rd metal_level=5LM -rd metal_top=9K -rd mim_option=B -rd thr=1 -rd run_mode=deep
            -rd feol=true -rd beol=true -rd offgrid=true -rd conn_drc=false -rd density=false
            [-rd name=value from the config]                                            (DRC)
    klayout -b -r DECK -rd input=GDS -rd topcell=CELL -rd schematic=NETLIST -rd report=OUT.lvsdb
            -rd target_netlist=OUT.cir -rd metal_level=... -rd mim_cap=2 -rd poly_res=1K
            -rd schematic_simplify=true [-rd lvs_sub=SUBSTRATE]                           (LVS)

The LVS deck combines the reference's parallel devices (`schematic_simplify`; it always does so
for the layout's) and names the substrate net as the reference does (`lvs_sub`).

Variables from the config (`ExternalDeck.variables`) override these defaults. A deck ignores
variables it does not read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import klayout.db as kdb
import klayout.rdb as rdb

from extraction.drc.engine import MAX_LISTED, pick_cell
from extraction.extent import read_layout
from extraction.gds_input import require_gf180_shapes
from extraction.lvs.findings import Finding, describe
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.config import ExternalDeck
from sgdr_flow.errors import FlowError

INSTALL_HINT = ("install a KLayout application (Debian/Ubuntu: `apt-get install klayout`, "
                "or `bash scripts/setup.sh` as root) or set `klayout:` of the external deck "
                "in flow.yaml to its path")
LOG_TAIL = 2000  # characters of the application's output quoted when it fails


# ---------------------------------------------------------------------------- the application
def find_klayout(path: Path | str) -> str:
    """The KLayout executable: a path, or a name looked up on PATH. FlowError when absent."""
    text = str(path)
    found = shutil.which(text) if os.sep not in text else (
        text if os.path.isfile(text) and os.access(text, os.X_OK) else None)
    if not found:
        raise FlowError(f"KLayout application {text!r} not found: {INSTALL_HINT}")
    return found


def klayout_version(path: Path | str) -> str:
    """`klayout -v`, e.g. "KLayout 0.28.5"."""
    exe = find_klayout(path)
    done = subprocess.run([exe, "-v"], capture_output=True, text=True, timeout=60,
                          env=_environment())
    return done.stdout.strip() or done.stderr.strip()


def _environment() -> dict[str, str]:
    """Headless: no display needed (Qt's offscreen platform), and no user macros/settings."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("DISPLAY", None)
    return env


def variant_variables(variant: MetalStack) -> dict[str, str]:
    """The foundry decks' switches for a metal stack (metal_level=5LM, metal_top=9K, ...)."""
    return {"metal_level": f"{variant.metal_levels}LM",
            "metal_top": variant.top_metal_thickness,
            "mim_option": variant.mim_option}


def run_klayout(spec: ExternalDeck, variables: dict[str, str], log: Path,
                timeout: float) -> float:
    """Run `klayout -b -r DECK -rd k=v ...`; returns the wall time. FlowError on failure."""
    exe = find_klayout(spec.klayout)
    if not spec.deck.is_file():
        raise FlowError(f"{spec.deck}: no such KLayout deck")
    command = [exe, "-b", "-r", str(spec.deck.resolve())]
    for name, value in variables.items():
        command += ["-rd", f"{name}={value}"]
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("w") as out:
        out.write(" ".join(command) + "\n")
        out.flush()
        try:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=timeout,
                                  env=_environment(), cwd=log.parent)
        except subprocess.TimeoutExpired as exc:
            raise FlowError(f"{spec.deck}: KLayout did not finish within {timeout:g} s "
                            f"(log: {log})") from exc
    seconds = time.monotonic() - started
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-LOG_TAIL:]
        raise FlowError(f"{spec.deck}: KLayout exited with {done.returncode} "
                        f"(log: {log}):\n{tail}")
    return seconds


def _report_path(report: Path | None, gds: Path, suffix: str) -> Path:
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        return report.resolve()
    folder = Path(tempfile.mkdtemp(prefix="sgdr-external-"))
    return folder / f"{gds.stem}{suffix}"


def _prepare_input(gds: Path, cell: str | None, folder: Path) -> tuple[Path, str]:
    """Check the GDS and cell here, so that bad input is exit 2 before KLayout starts; returns
    the GDS to hand over and the top cell's name.

    GDS files written by KLayout >= 0.29 (and so by gdsfactory) may carry a context-info cell
    whose records KLayout 0.28 (Debian's application) refuses to read; such a file is handed
    over as a copy without that cell (same shapes, cells and layers).
    """
    layout = read_layout(gds)
    top = pick_cell(layout, cell, gds).name
    require_gf180_shapes(layout, layout.cell(top), gds)
    if not _has_context_info(gds):
        return gds.resolve(), top
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{gds.stem}.portable.gds"
    options = kdb.SaveLayoutOptions()
    options.write_context_info = False
    layout.write(str(copy), options)
    return copy.resolve(), top


def _has_context_info(gds: Path) -> bool:
    import mmap

    if gds.suffix.lower() not in (".gds", ".gds2", ".gdsii"):
        return False
    with gds.open("rb") as handle:
        try:
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return data.find(b"$$$CONTEXT_INFO$$$") >= 0
        except ValueError:  # empty file
            return False


# ----------------------------------------------------------------------------------------- DRC
@dataclass
class ExternalDrcResult:
    cell: str
    gds: str
    deck: str
    report: Path
    rules_checked: list[str]
    violations: list[dict[str, Any]]   # listed markers (at most MAX_LISTED per rule)
    counts: dict[str, int]             # rule -> markers (flat count, complete)
    descriptions: dict[str, str]
    seconds: float                     # wall time of the application, start-up included
    variant: MetalStack = field(default_factory=MetalStack)

    @property
    def log(self) -> Path:
        """The application's output (the foundry deck logs its own run time there)."""
        return self.report.with_suffix(".log")

    @property
    def violation_count(self) -> int:
        return sum(self.counts.values())

    @property
    def clean(self) -> bool:
        return self.violation_count == 0

    def by_rule(self) -> dict[str, int]:
        return {name: n for name, n in self.counts.items() if n}

    def as_json(self) -> dict[str, Any]:
        return {"cell": self.cell, "gds": self.gds, "deck": self.deck,
                "variant": self.variant.model_dump(), "rules_checked": self.rules_checked,
                "violations": self.violations, "violation_count": self.violation_count,
                "by_rule": self.by_rule(), "seconds": round(self.seconds, 3),
                "report": str(self.report)}

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=1))


def run_external_drc(spec: ExternalDeck, gds: Path, cell: str | None = None,
                     variant: MetalStack | None = None, report: Path | None = None,
                     timeout: float = 3600.0) -> ExternalDrcResult:
    """Run a DRC deck on one cell and read its marker database."""
    variant = variant or MetalStack()
    out = _report_path(report, gds, ".lyrdb")
    source, top = _prepare_input(gds, cell, out.parent)
    variables = {"input": str(source), "topcell": top, "report": str(out),
                 "run_mode": "deep", "thr": "1", "feol": "true", "beol": "true",
                 "offgrid": "true", "conn_drc": "false", "density": "false",
                 **variant_variables(variant), **spec.variables}
    seconds = run_klayout(spec, variables, out.with_suffix(".log"), timeout)
    if not out.is_file():
        raise FlowError(f"{spec.deck} wrote no report {out} (does it read $report?)")
    result = read_lyrdb(out)
    return ExternalDrcResult(cell=top, gds=str(gds), deck=str(spec.deck), report=out,
                             seconds=seconds, variant=variant, **result)


def read_lyrdb(path: Path) -> dict[str, Any]:
    """Rules, markers (bounding boxes in um, in top-cell coordinates) and counts of a KLayout
    marker database. Markers stored in a subcell count once per placement of that cell."""
    db = rdb.ReportDatabase("")
    try:
        db.load(str(path))
    except RuntimeError as exc:
        raise FlowError(f"{path}: cannot read marker database: {exc}") from exc
    names: dict[int, str] = {}
    descriptions: dict[str, str] = {}

    def visit(category, prefix: str = "") -> None:
        name = prefix + category.name()
        names[category.rdb_id()] = name
        descriptions[name] = category.description or ""
        for child in category.each_sub_category():
            visit(child, name + ".")

    for category in db.each_category():
        visit(category)
    placements = _placements(db)
    counts = dict.fromkeys(names.values(), 0)
    listed: dict[str, list[dict[str, Any]]] = {}
    for item in db.each_item():
        rule = names.get(item.category_id(), str(item.category_id()))
        boxes = [_bbox(value) for value in item.each_value()]
        boxes = [b for b in boxes if b is not None]
        if not boxes:
            continue
        box = boxes[0]
        for extra in boxes[1:]:
            box = box + extra
        transforms = placements.get(item.cell_id(), [kdb.DCplxTrans()])
        counts[rule] = counts.get(rule, 0) + len(transforms)
        bucket = listed.setdefault(rule, [])
        for trans in islice(transforms, max(0, MAX_LISTED - len(bucket))):
            placed = box.transformed(trans)
            bucket.append({"rule": rule, "message": descriptions.get(rule, ""),
                           "bbox": [round(placed.left, 4), round(placed.bottom, 4),
                                    round(placed.right, 4), round(placed.top, 4)]})
    return {"rules_checked": sorted(names.values()), "counts": counts,
            "violations": [v for rule in sorted(listed) for v in listed[rule]],
            "descriptions": descriptions}


def _bbox(value) -> kdb.DBox | None:
    for test, get in (("is_box", "box"), ("is_polygon", "polygon"),
                      ("is_edge_pair", "edge_pair"), ("is_edge", "edge"),
                      ("is_path", "path"), ("is_text", "text")):
        if getattr(value, test)():
            return getattr(value, get)().bbox()
    return None


def _placements(db) -> dict[int, list[kdb.DCplxTrans]]:
    """Cell id -> transformations into the top cell, through the cells' references (a cell
    without references is the top, or was written flat)."""
    cells = {cell.rdb_id(): cell for cell in db.each_cell()}
    memo: dict[int, list[kdb.DCplxTrans]] = {}

    def paths(cell_id: int, depth: int = 0) -> list[kdb.DCplxTrans]:
        if cell_id in memo:
            return memo[cell_id]
        cell = cells.get(cell_id)
        refs = list(cell.each_reference()) if cell is not None else []
        if not refs or depth > 64:
            found = [kdb.DCplxTrans()]
        else:
            found = [parent * ref.trans for ref in refs
                     for parent in paths(ref.parent_cell_id, depth + 1)]
        memo[cell_id] = found
        return found

    return {cell_id: paths(cell_id) for cell_id in cells}


# ----------------------------------------------------------------------------------------- LVS
@dataclass
class ExternalLvsResult:
    cell: str
    deck: str
    report: Path
    match: bool
    devices_layout: int
    devices_schematic: int
    nets: int
    mismatches: list[Finding]
    seconds: float
    variables: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"cell": self.cell, "deck": self.deck, "match": self.match,
                "devices_layout": self.devices_layout,
                "devices_schematic": self.devices_schematic, "nets": self.nets,
                "mismatches": [m.as_json() for m in self.mismatches],
                "seconds": round(self.seconds, 3), "report": str(self.report),
                "variables": self.variables}

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=1))


def run_external_lvs(spec: ExternalDeck, gds: Path, netlist: Path, cell: str | None = None,
                     variant: MetalStack | None = None, report: Path | None = None,
                     timeout: float = 3600.0, substrate: str | None = None) -> ExternalLvsResult:
    """Run an LVS deck on one cell against a reference netlist and read its .lvsdb."""
    variant = variant or MetalStack()
    if not netlist.is_file():
        raise FlowError(f"{netlist}: no such netlist")
    out = _report_path(report, gds, ".lvsdb")
    source, top = _prepare_input(gds, cell, out.parent)
    variables = {"input": str(source), "topcell": top,
                 "schematic": str(netlist.resolve()), "report": str(out),
                 "target_netlist": str(out.with_suffix(".cir")), "run_mode": "deep",
                 "thr": "1", "mim_cap": f"{variant.mim_cap_density:g}", "poly_res": "1K",
                 "schematic_simplify": "true", **({"lvs_sub": substrate} if substrate else {}),
                 **variant_variables(variant), **spec.variables}
    seconds = run_klayout(spec, variables, out.with_suffix(".log"), timeout)
    if not out.is_file():
        raise FlowError(f"{spec.deck} wrote no LVS database {out} (does it read $report?)")
    found = read_lvsdb(out, top)
    shown = {k: v for k, v in variables.items() if k not in ("input", "report", "schematic",
                                                              "target_netlist")}
    return ExternalLvsResult(cell=top, deck=str(spec.deck), report=out, seconds=seconds,
                             variables=shown, **found)


def read_lvsdb(path: Path, cell: str | None = None) -> dict[str, Any]:
    """Verdict, device and net counts and mismatches of a KLayout LVS database."""
    lvs = kdb.LayoutVsSchematic()
    try:
        lvs.read(str(path))
    except RuntimeError as exc:
        raise FlowError(f"{path}: cannot read LVS database: {exc}") from exc
    xref = lvs.xref()
    layout, reference = lvs.netlist(), lvs.reference
    if xref is None or layout is None or reference is None:
        raise FlowError(f"{path}: no comparison in the LVS database")
    good = {kdb.NetlistCrossReference.Match, kdb.NetlistCrossReference.MatchWithWarning}
    pairs = list(xref.each_circuit_pair())
    match = bool(pairs) and all(pair.status() in good for pair in pairs)
    mismatches = describe(xref)
    for pair in pairs:
        if pair.status() not in good:
            a, b = pair.first(), pair.second()
            name = (a or b).name
            if not a or not b:
                side = "layout" if a else "schematic"
                mismatches.insert(0, Finding("circuit", "unmatched",
                                             f"circuit {name} of the {side} has no counterpart",
                                             a.name if a else None, b.name if b else None))
            elif not mismatches:
                mismatches.insert(0, Finding("circuit", "no match",
                                             f"circuit {name}: {_status(pair.status())}",
                                             a.name, b.name))
    layout_top = _top_circuit(layout, cell)
    schematic_top = _top_circuit(reference, cell)
    return {"match": match and not mismatches,
            "devices_layout": _devices(layout_top), "devices_schematic": _devices(schematic_top),
            "nets": _nets(layout_top), "mismatches": mismatches}


def _status(status) -> str:
    x = kdb.NetlistCrossReference
    return {x.NoMatch: "no match", x.Mismatch: "mismatch", x.Skipped: "skipped (the "
            "comparison could not be made, e.g. a subcircuit did not match)"}.get(status,
                                                                                    str(status))


def _top_circuit(netlist: kdb.Netlist, name: str | None) -> kdb.Circuit | None:
    if name:
        found = netlist.circuit_by_name(name)
        if found is not None:
            return found
    return next(iter(netlist.each_circuit_top_down()), None)


def _devices(circuit: kdb.Circuit | None) -> int:
    """Devices of a circuit, those of its subcircuits counted once per instance."""
    if circuit is None:
        return 0
    memo: dict[str, int] = {}

    def count(c: kdb.Circuit) -> int:
        if c.name not in memo:
            memo[c.name] = sum(1 for _ in c.each_device()) + sum(
                count(sc.circuit_ref()) for sc in c.each_subcircuit())
        return memo[c.name]

    return count(circuit)


def _nets(circuit: kdb.Circuit | None) -> int:
    """Nets of a circuit as if flattened: a subcircuit's nets that leave it through a pin are
    the parent's."""
    if circuit is None:
        return 0

    def count(c: kdb.Circuit, top: bool) -> int:
        own = sum(1 for net in c.each_net() if top or net.pin_count() == 0)
        return own + sum(count(sc.circuit_ref(), False) for sc in c.each_subcircuit())

    return count(circuit, True)
