"""LVS findings: what differs (device, net, pin), on which layout and schematic objects, with the
parameter values, the nets a short joins or an open splits, and the place in the layout (um).

The same records describe the built-in comparison and a foundry deck's .lvsdb.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import klayout.db as kdb

X = kdb.NetlistCrossReference
BAD = {X.NoMatch: "no match", X.Mismatch: "mismatch", X.Skipped: "skipped"}
Kind = Literal["device", "net", "pin", "circuit"]
# parameter -> (unit, factor from KLayout's value)
UNITS = {"W": ("um", 1.0), "L": ("um", 1.0), "A": ("um^2", 1.0), "P": ("um", 1.0),
         "C": ("fF", 1e15), "R": ("ohm", 1.0), "AS": ("um^2", 1.0), "AD": ("um^2", 1.0),
         "PS": ("um", 1.0), "PD": ("um", 1.0)}


@dataclass(frozen=True)
class Parameter:
    name: str
    layout: float
    schematic: float

    @property
    def unit(self) -> str:
        return UNITS.get(self.name, ("", 1.0))[0]

    def text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.name} {_num(self.layout)} vs {_num(self.schematic)}{unit}"

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "layout": _round(self.layout),
                "schematic": _round(self.schematic), "unit": self.unit}


@dataclass(frozen=True)
class Finding:
    kind: Kind
    problem: str                       # e.g. parameter, unmatched, short, open, wrong net
    message: str
    layout: str | None = None
    schematic: str | None = None
    parameters: tuple[Parameter, ...] = ()
    nets: tuple[str, ...] = ()          # a short: the schematic nets it joins; an open: the
    location_um: tuple[float, float] | None = None  # layout nets it splits into

    def __str__(self) -> str:
        return self.message

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "problem": self.problem, "layout": self.layout,
                "schematic": self.schematic,
                "parameters": [p.as_json() for p in self.parameters],
                "nets": list(self.nets),
                "location_um": list(self.location_um) if self.location_um else None,
                "message": self.message}


def _num(value: float) -> str:
    return f"{value:.4g}"


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def at(location: tuple[float, float] | None) -> str:
    return f" at ({location[0]:.3f}, {location[1]:.3f}) um" if location else ""


# ------------------------------------------------------------------------------ devices
def device_params(device: kdb.Device, every: bool = False) -> dict[str, float]:
    """Parameters in report units (C in fF): the primary ones and a size's W and L, or
    `every` one."""
    out = {}
    for definition in device.device_class().parameter_definitions():
        if every or definition.is_primary or definition.name in ("W", "L"):
            factor = UNITS.get(definition.name, ("", 1.0))[1]
            out[definition.name] = device.parameter(definition.name) * factor
    return out


def device_text(device: kdb.Device) -> str:
    params = ", ".join(f"{k}={_num(v)}" for k, v in device_params(device).items())
    return f"{device.expanded_name()} ({device.device_class().name} {params})"


def device_location(device: kdb.Device) -> tuple[float, float] | None:
    disp = device.trans.disp
    return (round(disp.x, 3), round(disp.y, 3))


Differs = Callable[[str, str, float, float], bool]  # (class, parameter, layout, schematic)


def any_difference(device_class: str, name: str, a: float, b: float) -> bool:
    return abs(a - b) > 1e-9 * max(abs(a), abs(b), 1e-30)


def device_findings(xref: kdb.NetlistCrossReference, pair: Any,
                    differs: Differs = any_difference, every_pair: bool = False) -> list[Finding]:
    """Unmatched devices and parameter differences of one circuit pair; with `every_pair` the
    parameters of matched pairs too (a compare that ignored parameters matched them)."""
    out = []
    for dp in xref.each_device_pair(pair):
        a, b = dp.first(), dp.second()
        if a and b and (every_pair or dp.status() in BAD):
            la, sb = device_params(a, every=True), device_params(b, every=True)
            params = tuple(Parameter(k, la[k], sb[k]) for k in la
                           if k in sb and differs(a.device_class().name, k, la[k], sb[k]))
            where = device_location(a)
            if params:
                text = "; ".join(p.text() for p in params)
                message = (f"device {b.expanded_name()} ({b.device_class().name}): {text} "
                           f"(layout {a.expanded_name()} vs schematic){at(where)}")
                out.append(Finding("device", "parameter", message, a.expanded_name(),
                                   b.expanded_name(), params, location_um=where))
            elif dp.status() in BAD:
                out.append(Finding(
                    "device", "connection", f"device {b.expanded_name()} "
                    f"({b.device_class().name}) and layout {a.expanded_name()} sit on different "
                    f"nets{at(where)}", a.expanded_name(), b.expanded_name(), location_um=where))
        elif dp.status() in BAD:
            device, side = (a, "layout") if a else (b, "schematic")
            where = device_location(a) if a else None
            out.append(Finding(
                "device", "unmatched",
                f"device {device_text(device)} in the {side} has no match{at(where)}",
                a.expanded_name() if a else None, b.expanded_name() if b else None,
                location_um=where))
    return out


def device_nets(xref: kdb.NetlistCrossReference, pair: Any) -> set[str]:
    """Names of the nets on devices that did not match (their nets mismatch as a consequence)."""
    names = set()
    for dp in xref.each_device_pair(pair):
        if dp.status() in BAD:
            for device in (dp.first(), dp.second()):
                if device is None:
                    continue
                for terminal in device.device_class().terminal_definitions():
                    net = device.net_for_terminal(terminal.id())
                    if net is not None:
                        names.add(net.expanded_name().lower())
    return names


# ------------------------------------------------------------------------------ nets
def net_findings(xref: kdb.NetlistCrossReference, pair: Any,
                 skip: Iterable[str] = (),
                 locate: Callable[[kdb.Net], tuple[float, float] | None] | None = None,
                 ) -> list[Finding]:
    """Nets and pins of one circuit pair that did not match (nets named in `skip`, already
    explained by a pin, short or open, are left out)."""
    skipped = {s.lower() for s in skip}
    out = []
    for np in xref.each_net_pair(pair):
        if np.status() not in BAD:
            continue
        a, b = np.first(), np.second()
        names = [n.expanded_name() for n in (a, b) if n]
        if any(n.lower() in skipped for n in names):
            continue
        where = locate(a) if a and locate else None
        sides = " / ".join(f"{n.expanded_name()} ({side})" for n, side in
                           ((a, "layout"), (b, "schematic")) if n)
        out.append(Finding("net", BAD[np.status()].replace(" ", "-"),
                           f"net {sides}: {BAD[np.status()]}{at(where)}",
                           a.expanded_name() if a else None, b.expanded_name() if b else None,
                           location_um=where))
    for pp in xref.each_pin_pair(pair):
        if pp.status() in BAD:
            pin = pp.first() or pp.second()
            if pin.name().lower() in skipped:
                continue
            out.append(Finding("pin", BAD[pp.status()].replace(" ", "-"),
                               f"pin {pin.name()}: {BAD[pp.status()]}",
                               pp.first().name() if pp.first() else None,
                               pp.second().name() if pp.second() else None))
    return out


def describe(xref: kdb.NetlistCrossReference) -> list[Finding]:
    """Every device, net and pin of every circuit pair that did not match."""
    out: list[Finding] = []
    for pair in xref.each_circuit_pair():
        out += device_findings(xref, pair)
        out += net_findings(xref, pair)
    return out
