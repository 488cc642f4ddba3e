"""Which net is where: the bridge between separately extracted pieces of a layout and the nets
of the whole.

Every net of an extracted piece gets one probe: a point inside one of its own shapes on one LVS
layer. Moved by the piece's placement, the probe lands on exactly one net of any database of a
layout that holds the same shapes there (shapes of one layer that touch are one net), so the
array's LVS database names the pieces' nets (a synapse's `vc` is `s3.vc` there, its pin `y` the
array's `y`) with no knowledge of the floorplan.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import klayout.db as kdb

from extraction.lvs.extract import SUBSTRATE as GLOBAL_SUBSTRATE
from extraction.pex_netlist import SUBSTRATE
from sgdr_flow.errors import FlowError

SUBSTRATE_TAPS = "ptap_regular"  # the layer klayout-pex finds the substrate net on


@dataclass(frozen=True)
class Probe:
    layer: str        # an LVS layer name
    point: kdb.Point  # inside one of the net's shapes on that layer (dbu)


Probes = tuple[Probe, ...]  # of one net, in order of preference; empty: a net without shapes
PROBED_LAYERS = 3  # candidates per net: the conductors first (a clipped window can derive a
                   # diffusion differently from the whole, never a metal)


def _preference(layer: str) -> tuple[int, str]:
    return next((k for k, prefix in enumerate(("metal", "via", "poly")) if layer.startswith(
        prefix)), 3), layer


def read_lvsdb(path: Path) -> kdb.LayoutVsSchematic:
    """An LVS database with its nets named as klayout-pex names them (unique; an unnamed net by
    its expanded name), so that the names match those of its extraction."""
    from klayout_pex.klayout.lvsdb_extractor import KLayoutExtractionContext

    lvsdb = kdb.LayoutVsSchematic()
    lvsdb.read(str(path))
    KLayoutExtractionContext.make_net_names_unique(lvsdb.netlist())
    return lvsdb


def inside(region: kdb.Region) -> kdb.Point:
    """A point inside the first polygon of a region: a trapezoid surrounds its vertices' mean."""
    trapezoid = next(iter(region.each())).decompose_trapezoids()[0]
    points = list(trapezoid.each_point())
    return kdb.Point(sum(p.x for p in points) // len(points),
                     sum(p.y for p in points) // len(points))


class Nets:
    """A (flat) LVS database: its nets, where they are, its substrate and its devices."""

    def __init__(self, path: Path, cell: str):
        self.path = path
        self.lvsdb = read_lvsdb(path)
        self.circuit = self.lvsdb.netlist().circuit_by_name(cell)
        if self.circuit is None:
            raise FlowError(f"{path}: no circuit {cell!r}")
        self.layers = {name: self.lvsdb.layer_by_name(name) for name in self.lvsdb.layer_names()
                       if not name.endswith("_label") and name != "sub"}
        self.substrate = self._substrate()

    def pins(self) -> list[str]:
        return [self.circuit.net_for_pin(p.id()).name for p in self.circuit.each_pin()]

    def probes(self) -> dict[str, Probes]:
        """Probes of every net (none for a net without shapes: the global substrate of a piece
        without taps)."""
        order = sorted(self.layers, key=_preference)
        found: dict[str, Probes] = {}
        for net in self.circuit.each_net():
            candidates = []
            for layer in order:
                shapes = self.lvsdb.shapes_of_net(net, self.layers[layer], True)
                if not shapes.is_empty():
                    candidates.append(Probe(layer, inside(shapes)))
                    if len(candidates) == PROBED_LAYERS:
                        break
            found[net.name] = tuple(candidates)
        return found

    def name_at(self, probes: Probes, trans: kdb.ICplxTrans) -> str | None:
        """The net under the probes (a shape on the same layer at the same place is the same
        conductor); None if none finds one. FlowError if they find different nets: the piece
        is not connected as the layout here is."""
        found = set()
        for probe in probes:
            region = self.layers.get(probe.layer)
            net = None if region is None else self.lvsdb.probe_net(region, trans * probe.point)
            if net is not None:
                found.add(net.name)
        if len(found) > 1:
            raise FlowError(f"{self.path}: one net of a piece placed at {trans} is several "
                            f"nets here ({', '.join(sorted(found))}): the piece is connected "
                            "differently from the layout")
        return found.pop() if found else None

    def _substrate(self) -> str:
        """The net klayout-pex puts the substrate capacitances on (its rule): the global
        substrate's, else the net of the first substrate tap, else the global name."""
        if self.circuit.net_by_name(GLOBAL_SUBSTRATE) is not None:
            return GLOBAL_SUBSTRATE
        taps = self.layers.get(SUBSTRATE_TAPS)
        if taps is not None and not taps.is_empty():
            net = self.lvsdb.probe_net(taps, inside(taps))
            if net is not None:
                return net.name
        return GLOBAL_SUBSTRATE

    def devices(self) -> list[tuple[str, tuple[str, ...], dict[str, float]]]:
        """(class, terminal nets, parameters) of every device, sizes in um and um^2."""
        found = []
        for device in self.circuit.each_device():
            cls = device.device_class()
            nets = tuple(device.net_for_terminal(t.id()).name
                         if device.net_for_terminal(t.id()) is not None else ""
                         for t in cls.terminal_definitions())
            found.append((cls.name, nets, {p.name: device.parameter(p.id())
                                           for p in cls.parameter_definitions()}))
        return found


def net_map(piece: str, probes: dict[str, Probes], names: set[str],
            trans: kdb.ICplxTrans, nets: Nets) -> dict[str, str]:
    """Each net name a placed piece uses -> the net of `nets` there: probed nets by their probe,
    nets without shapes -> its substrate, klayout-pex's substrate (VSUBS) stays itself.
    FlowError for a net that is not found (the layouts differ) or a name it does not know."""
    mapping = {SUBSTRATE: SUBSTRATE}
    for net in sorted(names - {SUBSTRATE}):
        if net not in probes and net == GLOBAL_SUBSTRATE:  # the port klayout-pex adds
            mapping[net] = nets.substrate
            continue
        if net not in probes:
            raise FlowError(f"{piece}: klayout-pex's netlist names a net {net!r} its LVS "
                            f"database does not have")
        found = nets.name_at(probes[net], trans) if probes[net] else nets.substrate
        if found is None:
            raise FlowError(f"{nets.path}: the net {net!r} of {piece} (at {trans}) is not in "
                            f"this database: the layouts differ")
        mapping[net] = found
    return mapping
