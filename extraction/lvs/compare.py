"""Layout against schematic, names first: what KLayout's topological compare does not check.

KLayout pairs nets by topology, so a pin label on the wrong net (two labels swapped), or a
label that no longer reaches its devices (an open), can still "match": the comparer pairs the
schematic's pin with whatever layout net fits. Here every layout label that names a schematic
net is made that net (`same_nets`, must match), and the layout's substrate the schematic's
substrate net. When that fails, a second, purely topological compare tells what each pin's
net corresponds to, which names the problem: a label on the net the schematic calls otherwise,
an open between a label and its devices, a short between two pins. Device terminals paired by
the compare name the nets a short joins or an open splits. Every net is accounted for: nets
that reach no device are reported (as warnings), never purged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import klayout.db as kdb

from extraction.lvs.findings import (
    BAD,
    Finding,
    X,
    at,
    device_findings,
    device_nets,
    net_findings,
)
from pdk.gf180mcu.layers import LABEL_OF, LAYERS
from sgdr_flow.config import LvsTolerances

SUBSTRATE_NET = "SUB"   # the extraction's global substrate net, while no label names it
MATCHED = (X.Match, X.MatchWithWarning)
ANY_SIZE = LvsTolerances.model_construct(w_rel=1e9, l_rel=1e9, c_rel=1e9)
REPAIR_CANDIDATES = 8  # unpaired nets an open is looked for among (pairs of them are tried)
LISTED_FLOATING = 20   # floating layout nets reported one by one, with their place


def names_of(net: kdb.Net) -> list[str]:
    """The labels of a layout net (KLayout joins several with commas), as written."""
    return [n for n in (net.name or "").split(",") if n]


def key(name: str) -> str:
    """Names compare case-insensitively; a global net's `!` is not part of its name."""
    return name.lower().rstrip("!")


@dataclass
class Comparison:
    match: bool
    findings: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


@dataclass
class Labels:
    """The layout's labels: where each is (the first of a name, in um of the top cell) and
    which the top cell itself carries (a subcell's label names a net of that subcell)."""

    positions: dict[str, tuple[float, float]]
    top: set[str]


def read_labels(layout: kdb.Layout, cell: kdb.Cell) -> Labels:
    found = Labels({}, set())
    for name in set(LABEL_OF.values()):
        index = layout.find_layer(*LAYERS[name])
        if index is None:
            continue
        found.top |= {key(s.text_string) for s in cell.shapes(index).each() if s.is_text()}
        shapes = cell.begin_shapes_rec(index)
        while not shapes.at_end():
            shape = shapes.shape()
            if shape.is_text():
                point = shapes.trans() * shape.text_pos
                found.positions.setdefault(key(shape.text_string), (
                    round(point.x * layout.dbu, 3), round(point.y * layout.dbu, 3)))
            shapes.next()
    return found


class Locator:
    """Where a layout net is: its label, else the centre of its shapes' bounding box (um)."""

    def __init__(self, lvs: kdb.LayoutVsSchematic, labels: Labels | None = None):
        self.lvs = lvs
        self.labels = labels.positions if labels else {}
        self.top_labels = labels.top if labels else set()
        self.layers = [lvs.layer_by_name(n) for n in lvs.layer_names()]
        self.dbu = lvs.internal_layout().dbu

    def __call__(self, net: kdb.Net | None) -> tuple[float, float] | None:
        if net is None:
            return None
        for name in names_of(net):
            if key(name) in self.labels:
                return self.labels[key(name)]
        box = kdb.Box()
        for layer in self.layers:
            if isinstance(layer, kdb.Region):
                box += self.lvs.shapes_of_net(net, layer, True).bbox()
        if box.empty():
            return None
        centre = box.center()
        return (round(centre.x * self.dbu, 3), round(centre.y * self.dbu, 3))


def tolerances_on(netlist: kdb.Netlist, tol: LvsTolerances) -> None:
    """MOS and resistor W and L, capacitor C within the relative tolerances; a resistor's R is
    not compared (it follows from W and L, as in the foundry deck)."""
    for device_class in netlist.each_device_class():
        if isinstance(device_class, kdb.DeviceClassMOS4Transistor | kdb.DeviceClassResistor):
            compared = (kdb.EqualDeviceParameters(device_class.parameter_id("W"), 0.0, tol.w_rel)
                        + kdb.EqualDeviceParameters(device_class.parameter_id("L"), 0.0,
                                                    tol.l_rel))
            if isinstance(device_class, kdb.DeviceClassResistor):
                compared += kdb.EqualDeviceParameters(device_class.parameter_id("R"), 1e30, 0.0)
            device_class.equal_parameters = compared
        elif isinstance(device_class, kdb.DeviceClassCapacitor):
            device_class.equal_parameters = kdb.EqualDeviceParameters(
                device_class.parameter_id("C"), 0.0, tol.c_rel)


def _within(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= rel * 0.5 * (abs(a) + abs(b)) + 1e-12


def differs_with(tol: LvsTolerances):
    """Which parameter differences the comparison counted (so that the report lists them)."""
    compared = {"W": tol.w_rel, "L": tol.l_rel, "C": tol.c_rel}

    def differs(device_class: str, name: str, a: float, b: float) -> bool:
        return name in compared and not _within(a, b, compared[name])

    return differs


class Compare:
    def __init__(self, lvs: kdb.LayoutVsSchematic, layout: kdb.Circuit, schematic: kdb.Circuit,
                 tolerances: LvsTolerances, substrate: str | None, locate: Locator):
        self.lvs = lvs
        self.layout = layout
        self.schematic = schematic
        self.tolerances = tolerances
        self.substrate = substrate
        self.locate = locate
        self.findings: list[Finding] = []
        self.warnings: list[Finding] = []
        self.explained: set[str] = set()   # net names a finding already names
        self.pins_done: set[str] = set()   # schematic names a pin finding covers

    # ------------------------------------------------------------------------ pairing
    def labels(self) -> dict[str, list[kdb.Net]]:
        """Layout nets by label (the substrate's global name is none)."""
        found: dict[str, list[kdb.Net]] = defaultdict(list)
        for net in self.layout.each_net():
            if net.name == SUBSTRATE_NET:
                continue
            for name in names_of(net):
                found[key(name)].append(net)
        return found

    def schematic_nets(self) -> dict[str, kdb.Net]:
        return {key(n.name): n for n in self.schematic.each_net() if n.name}

    def pairs(self) -> list[tuple[kdb.Net, kdb.Net, str]]:
        """(layout net, schematic net, name) for every label that names a schematic net and
        for the substrate; findings for pins without a label, warnings for labels that name
        nothing of the schematic."""
        labels, nets = self.labels(), self.schematic_nets()
        pairs = [(layout, nets[name], name) for name, found in labels.items() if name in nets
                 for layout in found]
        named: dict[int, dict[str, kdb.Net]] = defaultdict(dict)
        for layout, schematic, _ in pairs:
            named[layout.cluster_id][schematic.expanded_name()] = layout
        for joined in named.values():
            if len(joined) > 1:  # labels of two schematic nets on one layout net
                self.short_of_labels(next(iter(joined.values())), sorted(joined))
        pairs = [pair for pair in pairs if len(named[pair[0].cluster_id]) == 1]
        for name, found in labels.items():
            if name not in nets and name in self.locate.top_labels:
                where = self.locate(found[0])
                many = f" (on {len(found)} nets)" if len(found) > 1 else ""
                self.warnings.append(Finding(
                    "net", "unknown label", f"label {name!r}{many} names no net of the "
                    f"schematic{at(where)}", found[0].name, location_um=where))
        for pin in self.schematic.each_pin():
            if key(pin.name()) not in labels and key(pin.name()) != key(self.substrate or ""):
                self.findings.append(Finding("pin", "missing label",
                                             f"pin {pin.name()!r} of the schematic has no "
                                             f"label in the layout", None, pin.name()))
                self.explained.add(pin.name().lower())
                self.pins_done.add(pin.name().lower())
        pairs += self.substrate_pair(labels, nets)
        return pairs

    def substrate_pair(self, labels: dict[str, list[kdb.Net]],
                       nets: dict[str, kdb.Net]) -> list[tuple[kdb.Net, kdb.Net, str]]:
        """The substrate (NMOS bulks, taps) is the schematic's substrate net: by name when
        a label is on it, else the unlabelled global net is given that name."""
        if not self.substrate:
            return []
        sub = next((n for n in self.layout.each_net() if n.name == SUBSTRATE_NET), None)
        target = nets.get(key(self.substrate))
        if sub is None or target is None or sub.terminal_count() == 0:
            return []
        if key(self.substrate) in labels:
            labelled = labels[key(self.substrate)][0]
            self.findings.append(Finding(
                "net", "open",
                f"open: the substrate (bulk of {sub.terminal_count()} device terminals) is not "
                f"connected to the layout net labelled {self.substrate!r}{at(self.locate(sub))}:"
                f" a substrate tap is missing", None, self.substrate,
                nets=(SUBSTRATE_NET, labelled.name), location_um=self.locate(sub)))
            self.explained.add(self.substrate.lower())
            self.pins_done.add(self.substrate.lower())
            return []
        sub.name = target.name
        return [(sub, target, key(self.substrate))]

    # ------------------------------------------------------------------------ compare
    def run(self) -> Comparison:
        tolerances_on(self.lvs.netlist(), self.tolerances)
        tolerances_on(self.lvs.reference, self.tolerances)
        pairs = self.pairs()
        matched = self.lvs.compare(self.comparer(pairs))
        if not matched:
            self.explain(pairs)
        self.floating()
        return Comparison(matched and not self.findings, self.findings, self.warnings)

    def explain(self, pairs: list[tuple[kdb.Net, kdb.Net, str]]) -> None:
        """Name what failed. The names-first compare failed; a compare of the connections only
        (no names, no parameters) tells what each schematic net and device corresponds to:
        then wrong labels show as pins, wrong sizes as parameters, and where the connections
        differ, the devices and nets that do not match name the place."""
        topology, ok = self.topology()
        found = self._pair(topology)
        if not ok and found is not None and self.repaired_open(pairs, topology, found):
            return
        if found is not None:
            self.pin_findings(pairs, self.lvs.xref(), self._pair(self.lvs.xref()), topology)
            self.findings += device_findings(topology, found, differs_with(self.tolerances),
                                             every_pair=True)
        if not ok and found is not None:
            self.short_open_findings(topology, found)
            self.explained |= device_nets(topology, found)
            self.findings += net_findings(topology, found, self.explained, self.locate)
        if not self.findings and found is not None:
            # labels swapped between alike nets (two synapses' inputs): the names-first
            # compare holds every label pair, so each reports a match; the connections alone
            # say which pins differ (of a symmetric swap, either pair is named)
            self.pin_findings(pairs, self.lvs.xref(), None, topology)
        if not self.findings:
            self.findings.append(Finding("circuit", "no match",
                                         f"circuit {self.layout.name}: no match"))

    def repaired_open(self, pairs: list[tuple[kdb.Net, kdb.Net, str]],
                      topology: kdb.NetlistCrossReference, pair: Any) -> bool:
        """An open is the one join of two layout nets that makes the circuits match: tried for
        the few nets the topological compare could not pair (as a designer would: "if these two
        were connected, would it be right?"). Reports it and returns True when found."""
        involved: dict[int, kdb.Net] = {}
        for np in topology.each_net_pair(pair):
            a = np.first()
            if a is not None and a.terminal_count() and np.status() not in MATCHED:
                involved[a.cluster_id] = a
        for dp in topology.each_device_pair(pair):
            device = dp.first()
            if device is not None and dp.status() in BAD:
                for terminal in device.device_class().terminal_definitions():
                    net = device.net_for_terminal(terminal.id())
                    if net is not None:
                        involved[net.cluster_id] = net
        nets = list(involved.values())
        if not 1 < len(nets) <= REPAIR_CANDIDATES:
            return False
        for i, a in enumerate(nets):
            for b in nets[i + 1:]:
                if a.name and b.name:
                    continue  # two labelled nets are two pins, not the halves of an open
                schematic = self.joined_match(pairs, a, b)
                if schematic is not None:
                    places = [self.locate(a), self.locate(b)]
                    text = " and ".join(f"{n.expanded_name()!r}{at(w)}"
                                        for n, w in zip((a, b), places, strict=True))
                    self.findings.append(Finding(
                        "net", "open", f"open: layout nets {text} are one net in the "
                        f"schematic ({schematic!r}) but are not connected",
                        f"{a.expanded_name()}, {b.expanded_name()}", schematic,
                        nets=(a.expanded_name(), b.expanded_name()), location_um=places[0]))
                    return True
        return False

    def joined_match(self, pairs: list[tuple[kdb.Net, kdb.Net, str]], a: kdb.Net,
                     b: kdb.Net) -> str | None:
        """The schematic net two layout nets are, if joining them makes the circuits match."""
        trial = self.lvs.netlist().dup()
        tolerances_on(trial, self.tolerances)
        circuit = trial.circuit_by_name(self.layout.name)
        keep, gone = (circuit.net_by_cluster_id(n.cluster_id) for n in (a, b))
        circuit.join_nets(keep, gone)
        trial.combine_devices()  # joined, the halves' devices may be parallel again
        comparer = kdb.NetlistComparer()
        comparer.same_circuits(circuit, self.schematic)
        for layout, schematic, _ in pairs:
            net = circuit.net_by_cluster_id(layout.cluster_id)
            if net is not None:
                comparer.same_nets(circuit, self.schematic, net, schematic, True)
        xref = kdb.NetlistCrossReference()
        if not comparer.compare(trial, self.lvs.reference, xref):
            return None
        partner = xref.other_net_for(keep)
        return partner.expanded_name() if partner is not None else None

    def _pair(self, xref: kdb.NetlistCrossReference) -> Any:
        return next((p for p in xref.each_circuit_pair()
                     if p.first() is not None and p.first().name == self.layout.name), None)

    def comparer(self, pairs: list[tuple[kdb.Net, kdb.Net, str]]) -> kdb.NetlistComparer:
        comparer = kdb.NetlistComparer()
        comparer.same_circuits(self.layout, self.schematic)
        for layout, schematic, _ in pairs:
            comparer.same_nets(self.layout, self.schematic, layout, schematic, True)
        return comparer

    def topology(self) -> tuple[kdb.NetlistCrossReference, bool]:
        """A compare of the connections alone: no names, every parameter equal."""
        netlists = (self.lvs.netlist(), self.lvs.reference)
        for netlist in netlists:
            tolerances_on(netlist, ANY_SIZE)
        xref = kdb.NetlistCrossReference()
        comparer = kdb.NetlistComparer()
        comparer.same_circuits(self.layout, self.schematic)
        ok = comparer.compare(*netlists, xref)
        for netlist in netlists:
            tolerances_on(netlist, self.tolerances)
        return xref, ok

    # ------------------------------------------------------------------------ findings
    def pin_findings(self, pairs: list[tuple[kdb.Net, kdb.Net, str]],
                     xref: kdb.NetlistCrossReference, pair: Any,
                     topology: kdb.NetlistCrossReference) -> None:
        """Labels whose net is not the schematic net's partner in `topology`; with `pair`,
        those that matched in `xref` are left out."""
        status = {} if pair is None else {
            (np.first().cluster_id if np.first() else None,
             np.second().expanded_name() if np.second() else None): np.status()
            for np in xref.each_net_pair(pair)}
        for layout, schematic, _ in pairs:
            name = schematic.expanded_name()
            found = status.get((layout.cluster_id, name))
            if (found is not None and found in MATCHED) or name.lower() in self.pins_done:
                continue
            self.wrong_net(layout, schematic, topology.other_net_for(schematic))

    def short_of_labels(self, layout: kdb.Net, names: list[str]) -> None:
        where = self.locate(layout)
        self.findings.append(Finding(
            "net", "short", f"short: {' and '.join(repr(n) for n in names)} are one net in the "
            f"layout{at(where)}",
            layout.name, ", ".join(names), nets=tuple(names), location_um=where))
        self.explained.update(n.lower() for n in names)
        self.pins_done.update(n.lower() for n in names)
        self.explained.add(layout.expanded_name().lower())

    def wrong_net(self, labelled: kdb.Net, schematic: kdb.Net, partner: kdb.Net | None) -> None:
        """A label whose net is not the one the schematic's net corresponds to."""
        name = schematic.expanded_name()
        where, there = self.locate(labelled), self.locate(partner)
        if partner is not None and partner.cluster_id != labelled.cluster_id:
            others = names_of(partner)
            if others:
                message = (f"pin {name!r}: its label is on the wrong net: the schematic's "
                           f"{name!r} is the layout net labelled {partner.name!r}{at(there)}, "
                           f"the label {name!r} is{at(where) or ' elsewhere'}")
                problem = "wrong net"
            else:
                reach = ("connects no device" if labelled.terminal_count() == 0
                         else f"connects {labelled.terminal_count()} other device terminals")
                message = (f"open: the label {name!r}{at(where)} does not reach its devices "
                           f"(its net {reach}); the schematic's {name!r} is an unlabelled "
                           f"layout net{at(there)}")
                problem = "open"
            self.findings.append(Finding("pin", problem, message, labelled.name, name,
                                         nets=(labelled.expanded_name(),
                                               partner.expanded_name()), location_um=where))
            self.explained.update({name.lower(), labelled.expanded_name().lower(),
                                   partner.expanded_name().lower()})
            self.pins_done.add(name.lower())
        # else: the pin's net is the right one; its devices say what differs

    def short_open_findings(self, xref: kdb.NetlistCrossReference, pair: Any) -> None:
        """Device terminals the compare paired tell which schematic nets a layout net joins
        (a short) and into which layout nets a schematic net is split (an open)."""
        to_schematic: dict[int, dict[str, kdb.Net]] = defaultdict(dict)
        to_layout: dict[str, dict[int, kdb.Net]] = defaultdict(dict)
        nets = {n.cluster_id: n for n in self.layout.each_net()}
        for a, b in self._paired_terminals(xref, pair):
            to_schematic[a.cluster_id][b.expanded_name()] = b
            to_layout[b.expanded_name()][a.cluster_id] = a
        for cluster, joined in to_schematic.items():
            names = sorted(joined)
            layout = nets.get(cluster)
            if len(names) > 1 and layout is not None and not (
                    {n.lower() for n in names} <= self.explained):
                where = self.locate(layout)
                self.findings.append(Finding(
                    "net", "short", f"short: layout net {layout.expanded_name()!r} joins the "
                    f"schematic's {', '.join(repr(n) for n in names)}{at(where)}",
                    layout.expanded_name(), ", ".join(names), nets=tuple(names),
                    location_um=where))
                self.explained.update(n.lower() for n in names)
                self.explained.add(layout.expanded_name().lower())
        for name, split in to_layout.items():
            parts = [split[c] for c in sorted(split)]
            if len(parts) > 1 and name.lower() not in self.explained:
                where = [self.locate(p) for p in parts]
                places = "; ".join(f"{p.expanded_name()!r}{at(w)}" for p, w in zip(parts, where,
                                                                                 strict=True))
                self.findings.append(Finding(
                    "net", "open", f"open: the schematic's {name!r} is split into layout nets "
                    f"{places}", ", ".join(p.expanded_name() for p in parts), name,
                    nets=tuple(p.expanded_name() for p in parts), location_um=where[0]))
                self.explained.add(name.lower())
                self.explained.update(p.expanded_name().lower() for p in parts)

    @staticmethod
    def _paired_terminals(xref: kdb.NetlistCrossReference,
                          circuits: Any) -> Iterable[tuple[kdb.Net, kdb.Net]]:
        for dp in xref.each_device_pair(circuits):
            a, b = dp.first(), dp.second()
            if a is None or b is None:
                continue
            terminals = [t.name for t in a.device_class().terminal_definitions()]
            ends = [(a.net_for_terminal(a.device_class().terminal_id(t)),
                     b.net_for_terminal(b.device_class().terminal_id(t))) for t in terminals]
            if "S" in terminals and "D" in terminals:
                i, j = terminals.index("S"), terminals.index("D")
                (sa, sb), (da, db) = ends[i], ends[j]
                if sa and db and (xref.other_net_for(sa) == db or
                                  xref.other_net_for(da) == sb if da and sb else False):
                    ends[i], ends[j] = (sa, db), (da, sb)
            yield from ((x, y) for x, y in ends if x is not None and y is not None)

    def floating(self) -> None:
        """Nets that reach no device, on both sides: reported, not purged (the first ones with
        their place, the rest counted: metal fill alone can be thousands)."""
        pins = {key(p.name()) for p in self.schematic.each_pin()}
        floating = [net for net in self.layout.each_net()
                    if not (net.terminal_count() or net.subcircuit_pin_count()
                            or net.name == SUBSTRATE_NET
                            or any(key(n) in pins for n in names_of(net)))]
        for net in floating[:LISTED_FLOATING]:
            where = self.locate(net)
            label = f" {net.name!r}" if net.name else ""
            self.warnings.append(Finding("net", "floating",
                                         f"layout net{label} connects no device{at(where)}",
                                         net.expanded_name(), location_um=where))
        if len(floating) > LISTED_FLOATING:
            self.warnings.append(Finding(
                "net", "floating", f"... and {len(floating) - LISTED_FLOATING} more layout "
                f"nets that connect no device", nets=tuple(
                    n.expanded_name() for n in floating[LISTED_FLOATING:])))
        for net in self.schematic.each_net():
            if not (net.terminal_count() or net.subcircuit_pin_count() or net.pin_count()):
                self.warnings.append(Finding(
                    "net", "floating", f"schematic net {net.expanded_name()!r} connects no "
                    f"device", None, net.expanded_name()))

