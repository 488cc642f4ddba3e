"""Hierarchical extraction of an array: every distinct cell once, the top level's own wiring
once, and the array's post-layout netlist assembled from them by copying, its seams measured.

* Units: the design cells the array places (at any depth of its GDS hierarchy). A unit whose
  shapes are those of the cells stage's cell reuses that cell's extraction; otherwise the
  array's own copy of it is extracted once.
* Wiring: the top cell without its units (its own shapes and any other subcell, flattened).
* Assembly: one copy of a unit's devices and couplings per placement, and the wiring's, under
  the array's net names (`pex_nets`): a synapse's `vc` becomes `s3.vc`, its pin `y` the array's
  `y`. The devices must be the array's LVS devices, or the assembly fails.
* Seams: what separate extractions miss is what the pieces do to each other: coupling across
  the gap between neighbouring units, and between the wiring and a unit's inside (plus the
  shielding each gives the other's capacitance to the substrate). Each kind of neighbourhood
  (two cells at one relative placement; a cell with the same wiring around it) is measured
  once, on a window of the shapes within klayout-pex's halo of each other: the window extracted
  flat minus its pieces extracted alone. That difference is added at every placement of its
  kind; the parts smaller than `min_coupling_ff` are left out, and the report says how large
  the largest one left out is.

The cost grows with the number of placements only through probing and copying: the extractions
are one per distinct cell, one of the wiring and two or three small ones per kind of seam.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import klayout.db as kdb

from extraction.extent import read_layout
from extraction.pex import PexResult
from extraction.pex_netlist import (
    SUBSTRATE,
    Device,
    PexNetlist,
    read_pex_netlist,
    write_pex_netlist,
)
from extraction.pex_nets import Nets, Probes, net_map
from extraction.pex_views import (
    Placement,
    Shapes,
    as_layout,
    cell_shapes,
    clipped,
    fingerprint,
    merged,
    placements,
    same_shapes,
    transformed,
    write_lvsdb,
)
from pdk.gf180mcu.device_names import lookup
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.errors import FlowError

Couplings = dict[tuple[str, str], float]
REPORTED = 5  # largest seam corrections listed per kind of seam


@dataclass(frozen=True)
class KpexJob:
    """One klayout-pex run: the LVS database, its top cell, where the netlist goes."""

    lvsdb: Path
    cell: str
    out_dir: Path


@dataclass
class Seam:
    """One kind of neighbourhood: its window (extracted flat), its pieces (extracted alone) and
    where it occurs (the window's frame -> the array, once per occurrence)."""

    kind: str                 # "cells" or "wiring"
    label: str                # e.g. "synapse|synapse" or "wiring|synapse"
    window: KpexJob
    pieces: list[KpexJob]
    members: list[kdb.ICplxTrans] = field(default_factory=list)


@dataclass
class Plan:
    top: str
    array_lvsdb: Path
    units: dict[str, KpexJob]          # unit cell -> its extraction
    placements: list[Placement]
    wiring: KpexJob | None
    seams: list[Seam]

    def jobs(self) -> list[KpexJob]:
        """Every extraction the assembly needs, once (a unit's may be the cells stage's own,
        a seam's piece may be a whole unit)."""
        wiring = [self.wiring] if self.wiring else []
        every = [*self.units.values(), *wiring,
                 *(job for s in self.seams for job in (s.window, *s.pieces))]
        return list({job.cell: job for job in every}.values())


# ------------------------------------------------------------------------------------ planning
def plan(gds: Path, top: str, array_lvsdb: Path, cells: dict[str, tuple[Path, KpexJob]],
         variant: MetalStack, halo_um: float, out_dir: Path) -> Plan | None:
    """What to extract for the array in `gds`: `cells` maps each design cell to its GDS and
    the cells stage's extraction job. None when the array places none of them."""
    layout, top_cell = _read_cell(gds, top)
    names = {c.name for c in layout.each_cell()} & set(cells)
    placed = placements(layout, top_cell, names)
    if not placed:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    dbu, halo = layout.dbu, round(halo_um / layout.dbu)
    used = sorted({p.cell for p in placed})
    shapes = {name: cell_shapes(layout, layout.cell(name)) for name in used}

    extracted: dict[str, KpexJob] = {}  # exact fingerprint -> extraction: each piece once

    def job(name: str, piece: Shapes) -> KpexJob:
        key = fingerprint(piece)
        if key not in extracted:
            cell = f"{top}__{name}"
            path = out_dir / f"{cell}.lvsdb"
            write_lvsdb(piece, cell, dbu, variant, path)
            extracted[key] = KpexJob(path, cell, out_dir)
        return extracted[key]

    units = {}
    for name in used:
        source, reused = cells[name]
        if same_shapes(shapes[name], _gds_shapes(source, name)):
            extracted[fingerprint(shapes[name])] = reused
        units[name] = job(name, shapes[name])
    wiring_shapes = cell_shapes(layout, top_cell, tuple(used))
    wiring = job("wiring", wiring_shapes) if wiring_shapes else None
    seams = _cell_seams(placed, shapes, halo, job) + _wiring_seams(
        placed, shapes, wiring_shapes, halo, job)
    return Plan(top, array_lvsdb, units, placed, wiring, seams)


def _read_cell(gds: Path, name: str) -> tuple[kdb.Layout, kdb.Cell]:
    layout = read_layout(gds)
    found = layout.cell(name)
    if found is None:
        raise FlowError(f"{gds}: no cell {name!r}")
    return layout, found


def _gds_shapes(gds: Path, cell: str) -> Shapes:
    return cell_shapes(*_read_cell(gds, cell))


def _near(shapes: Shapes, halo: int) -> kdb.Region:
    """Everything within the halo of a piece's shapes (on any layer)."""
    region = kdb.Region()
    for part in shapes.values():
        region += part
    return region.merged().sized(halo)


def _neighbours(placed: list[Placement], halo: int) -> Iterator[tuple[int, int]]:
    """Pairs (i < j) of placements whose boxes come within the halo: boxes are binned on a grid
    as coarse as the largest box, so each is compared with its bins' few others only."""
    step = max(max(p.box.width(), p.box.height()) for p in placed) + 2 * halo
    bins: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, p in enumerate(placed):
        grown = p.box.enlarged(halo, halo)
        for bx in range(grown.left // step, grown.right // step + 1):
            for by in range(grown.bottom // step, grown.top // step + 1):
                bins[(bx, by)].append(i)
    pairs = set()
    for members in bins.values():
        for a, i in enumerate(members):
            grown = placed[i].box.enlarged(halo, halo)
            pairs.update((i, j) for j in members[a + 1:] if grown.overlaps(placed[j].box))
    return iter(sorted((i, j) for i, j in pairs if not _shielded(i, j, placed, bins, step)))


def _shielded(i: int, j: int, placed: list[Placement], bins: dict[tuple[int, int], list[int]],
              step: int) -> bool:
    """Is a third placement in the gap between two? Then it stands between them (klayout-pex
    couples a shape to its nearest neighbours), and their window without it would count a
    coupling the array does not have."""
    a, b = placed[i].box, placed[j].box
    gap = kdb.Box(min(a.right, b.right), min(a.top, b.top), max(a.left, b.left),
                  max(a.bottom, b.bottom))
    near = {k for bx in range(gap.left // step, gap.right // step + 1)
            for by in range(gap.bottom // step, gap.top // step + 1)
            for k in bins.get((bx, by), ())}
    return any(placed[k].box.overlaps(gap) and (placed[k].box & gap).area() > 0
               for k in near - {i, j})


def _cell_seams(placed: list[Placement], shapes: dict[str, Shapes], halo: int,
                job) -> list[Seam]:
    """A window per kind of neighbouring pair (two cells at one relative placement)."""
    kinds: dict[tuple[str, str, str], Seam | None] = {}
    for i, j in _neighbours(placed, halo):
        a, b = placed[i], placed[j]
        relative = a.trans.inverted() * b.trans
        key = (a.cell, b.cell, str(relative))
        if key not in kinds:
            first = shapes[a.cell]
            second = transformed(shapes[b.cell], relative)
            near_a = clipped(first, _near(second, halo))
            near_b = clipped(second, _near(first, halo))
            kinds[key] = None if not near_a or not near_b else _seam(
                "cells", f"{a.cell}|{b.cell}", f"seam{len(kinds) + 1}", [near_a, near_b], job)
        if kinds[key] is not None:
            kinds[key].members.append(a.trans)
    return [seam for seam in kinds.values() if seam is not None]


def _wiring_seams(placed: list[Placement], shapes: dict[str, Shapes], wiring: Shapes,
                  halo: int, job) -> list[Seam]:
    """A window per kind of cell-and-its-wiring (a cell with the same wiring shapes within
    the halo, in the cell's own frame)."""
    if not wiring:
        return []
    view = as_layout(wiring, "wiring", 1.0)  # integer coordinates: the unit does not matter
    index = {key: view.layer(*key) for key in wiring}
    near = {name: _near(cell, halo) for name, cell in shapes.items()}
    kinds: dict[tuple[str, str], Seam] = {}
    for p in placed:
        area = kdb.Region(p.box.enlarged(halo, halo))
        local = {}
        for key, layer in index.items():
            found = kdb.Region(view.top_cell().begin_shapes_rec_overlapping(
                layer, kdb.Box(area.bbox())))
            if not found.is_empty():
                local[key] = found
        inside = clipped(transformed(local, p.trans.inverted()), near[p.cell])
        if not inside:
            continue
        key = (p.cell, fingerprint(inside, cuts=False))
        if key not in kinds:
            cell = clipped(shapes[p.cell], _near(inside, halo))
            kinds[key] = _seam("wiring", f"wiring|{p.cell}", f"seam{len(kinds) + 1}w",
                               [cell, inside], job)
        kinds[key].members.append(p.trans)
    return list(kinds.values())


def _seam(kind: str, label: str, name: str, pieces: list[Shapes], job) -> Seam:
    window = job(name, merged(*pieces))
    return Seam(kind, label, window, [job(f"{name}_{k}", piece) for k, piece
                                      in enumerate(pieces, 1)])


# ------------------------------------------------------------------------------------ assembly
@dataclass
class Piece:
    """One extraction as the assembly uses it."""

    name: str
    netlist: PexNetlist
    couplings: Couplings
    probes: dict[str, Probes]
    nets: Nets
    warnings: list[str]

    @classmethod
    def of(cls, job: KpexJob, result: PexResult) -> Piece:
        nets = Nets(job.lvsdb, job.cell)
        return cls(job.cell, read_pex_netlist(result.netlist), result.couplings, nets.probes(),
                   nets, result.warnings)

    def names(self) -> set[str]:
        used = {n for d in self.netlist.devices for n in d.nets}
        return used | {n for pair in self.couplings for n in pair} | set(self.netlist.ports)

    def into(self, nets: Nets, trans: kdb.ICplxTrans) -> dict[str, str]:
        return net_map(self.name, self.probes, self.names(), trans, nets)


def add(total: Couplings, couplings: Couplings, mapping: dict[str, str]) -> None:
    """Add couplings under other names; a pair that becomes one net is dropped (two pieces of
    a net joined outside the piece, the substrate's own metal)."""
    for (a, b), cap in couplings.items():
        a, b = mapping[a], mapping[b]
        if a != b:
            key = (a, b) if a < b else (b, a)
            total[key] = total.get(key, 0.0) + cap


def seam_difference(window: Piece, pieces: list[Piece]) -> Couplings:
    """The window extracted flat minus its pieces extracted alone, under the window's names."""
    difference: Couplings = {}
    add(difference, window.couplings, {n: n for n in window.names()})
    identity = kdb.ICplxTrans()
    for piece in pieces:
        add(difference, {k: -v for k, v in piece.couplings.items()},
            piece.into(window.nets, identity))
    return difference


@dataclass
class Assembled:
    result: PexResult
    report: dict[str, Any]


def assemble(plan: Plan, pieces: dict[str, Piece], array: Nets, out: Path,
             min_coupling_ff: float, sensitive: set[str], seconds: float) -> Assembled:
    """The array's netlist from its pieces (`pieces` by extraction cell name), written to
    `out`; the report of its units and seams."""
    devices: list[Device] = []
    couplings: Couplings = {}
    parts = [(plan.wiring.cell, kdb.ICplxTrans())] if plan.wiring else []
    parts += [(plan.units[p.cell].cell, p.trans) for p in plan.placements]
    for name, trans in parts:
        piece = pieces[name]
        mapping = piece.into(array, trans)
        devices += [d.renamed(f"X${len(devices) + k}", mapping)
                    for k, d in enumerate(piece.netlist.devices, 1)]
        add(couplings, piece.couplings, mapping)
    check_devices(devices, array)
    seams = [_apply(seam, pieces, array, couplings, min_coupling_ff, sensitive)
             for seam in plan.seams]
    negative = sorted(k for k, v in couplings.items() if v < 0)
    if negative:
        raise FlowError(f"seam corrections made {len(negative)} couplings negative (first: "
                        f"{negative[0]}): the seam windows do not describe the array")
    couplings = dict(sorted(couplings.items()))
    # the substrate is a port also when no pin reaches it, as klayout-pex makes it
    ports = array.pins() + ([] if array.substrate in array.pins() else [array.substrate])
    write_pex_netlist(out, plan.top, ports, devices, couplings, array.substrate, [
        f"{plan.top}: post-layout netlist assembled by sgdr-flow from klayout-pex 2.5D "
        "extractions (one per distinct cell, the top-level wiring, the seam windows)"])
    warnings = sorted({f"{name}: {w}" for name, piece in pieces.items() for w in piece.warnings})
    result = PexResult(plan.top, out, seconds, couplings, 0, warnings)
    report = {
        "units": {cell: {"extraction": job.cell, "placements":
                         sum(1 for p in plan.placements if p.cell == cell)}
                  for cell, job in plan.units.items()},
        "wiring": plan.wiring.cell if plan.wiring else None,
        "devices": len(devices),
        "seams": seams,
        "largest_left_out_ff": max((s["largest_left_out_ff"] for s in seams), default=0.0),
        "missed_by_net_class_ff": _by_class(seams),
    }
    return Assembled(result, report)


def _apply(seam: Seam, pieces: dict[str, Piece], array: Nets, couplings: Couplings,
           min_ff: float, sensitive: set[str]) -> dict[str, Any]:
    window = pieces[seam.window.cell]
    difference = seam_difference(window, [pieces[job.cell] for job in seam.pieces])
    kept = {k: v for k, v in difference.items() if abs(v) >= min_ff}
    left = [abs(v) for k, v in difference.items() if abs(v) < min_ff]
    first = window.into(array, seam.members[0])
    for trans in seam.members:
        add(couplings, kept, window.into(array, trans))
    by_pair: Couplings = {}
    add(by_pair, difference, first)
    named = list(by_pair.items())
    largest = sorted(named, key=lambda kv: (-abs(kv[1]), kv[0]))
    pins = set(array.pins())
    return {
        "kind": seam.kind, "between": seam.label, "window": seam.window.cell,
        "occurrences": len(seam.members),
        "largest_ff": [[a, b, round(v, 4)] for (a, b), v in largest[:REPORTED]],
        "added": len(kept), "left_out": len(left),
        "largest_left_out_ff": round(max(left, default=0.0), 6),
        "by_net_class_ff": _classes(named, pins, sensitive),
    }


def net_class(net: str, pins: set[str], sensitive: set[str]) -> str:
    if net == SUBSTRATE:
        return "substrate"
    if net in sensitive:
        return "sensitive"
    return "pin" if net in pins else "internal"


def _classes(named: Iterable[tuple[tuple[str, str], float]], pins: set[str],
             sensitive: set[str]) -> dict[str, float]:
    """The largest correction (by size, with its sign) per pair of net classes."""
    found: dict[str, float] = {}
    for (a, b), value in named:
        key = "~".join(sorted(net_class(n, pins, sensitive) for n in (a, b)))
        if abs(value) > abs(found.get(key, 0.0)):
            found[key] = round(value, 4)
    return dict(sorted(found.items()))


def _by_class(seams: list[dict[str, Any]]) -> dict[str, float]:
    found: dict[str, float] = {}
    for seam in seams:
        for key, value in seam["by_net_class_ff"].items():
            if abs(value) > abs(found.get(key, 0.0)):
                found[key] = value
    return dict(sorted(found.items()))


# ---------------------------------------------------------------------------- device check
def _size(model: str, params: dict[str, float]) -> tuple[float, float]:
    """(length in um, what adds up in parallel): MOS W; a MIM's area; else a count."""
    known = lookup(model)
    kind = known.kind if known else ""
    if kind == "mos":
        si = "l" in params
        scale = 1e6 if si else 1.0
        return round(params["l" if si else "L"] * scale, 4), params["w" if si else "W"] * scale
    if kind == "mim":
        if "c_width" in params:
            return 0.0, params["c_width"] * params["c_length"] * 1e12
        return 0.0, params.get("A", 0.0)
    return 0.0, 1.0


def _key(model: str, nets: tuple[str, ...], length: float) -> tuple:
    known = lookup(model)
    name = known.canonical if known else model
    if len(nets) == 4:
        d, g, s, b = nets
        nets = (*sorted((d, s)), g, b)
    elif len(nets) == 2:
        nets = tuple(sorted(nets))
    return name, nets, length


def _totals(items: Iterable[tuple[str, tuple[str, ...], dict[str, float]]]) -> Counter:
    total: Counter = Counter()
    for model, nets, params in items:
        length, size = _size(model, params)
        total[_key(model, nets, length)] += size
    return total


def _params(text: str) -> dict[str, float]:
    return {k: float(v) for k, v in (item.split("=", 1) for item in text.split())}


def check_devices(devices: list[Device], array: Nets) -> None:
    """The assembled devices must be the array's LVS devices: each kind on the same nets with
    the same total size (parallel devices may be combined on one side only)."""
    lvs = _totals(array.devices())
    ours = _totals((d.model, d.nets, _params(d.params)) for d in devices)
    differ = sorted(k for k in set(lvs) | set(ours)
                    if abs(lvs.get(k, 0.0) - ours.get(k, 0.0)) > 1e-3 * max(lvs.get(k, 0.0), 1.0))
    if differ:
        shown = "; ".join(f"{k}: LVS {lvs.get(k, 0):g}, assembled {ours.get(k, 0):g}"
                          for k in differ[:3])
        raise FlowError(f"the assembled netlist's devices are not the array's LVS devices "
                        f"({array.path}): {shown}{' ...' if len(differ) > 3 else ''}")
