"""`sgdr-flow drc` and `sgdr-flow lvs`: the built-in checks on any GF180MCU GDS.

Exit codes: 0 clean / match, 1 violations / mismatch, 2 bad input (unreadable GDS or netlist,
a GDS with nothing on any GF180MCU layer, unknown cell, rule or device model, an impossible
metal stack, a missing KLayout application).
With --external DECK the command runs a KLayout sign-off deck (e.g. the foundry's) instead of
the built-in checks and reads its report into the same JSON. --junit writes JUnit XML for CI.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extraction.extent import read_checked
from extraction.junit import Case, drc_cases, lvs_case, write_junit
from pdk.gf180mcu.stack import MetalStack
from sgdr_flow.config import ExternalDeck, LvsTolerances
from sgdr_flow.errors import Exit, FlowError

LISTED_MISMATCHES = 20  # mismatch lines printed; the JSON has them all
VARIANT_FIELDS = (("metal_levels", "metal_levels"), ("top_metal", "top_metal_thickness"),
                  ("mim_option", "mim_option"), ("mim_density", "mim_cap_density"))


def register(sub: argparse._SubParsersAction) -> None:
    """Add the extraction commands to the main parser."""
    drc = sub.add_parser("drc", help="GF180MCU design-rule check of a GDS cell",
                         description="Built-in GF180MCU DRC (rule IDs of the design manual). "
                                     "Exit 0 clean, 1 violations, 2 bad input.")
    drc.add_argument("gds", type=Path)
    drc.add_argument("--cell", help="cell to check (default: the GDS's only top cell)")
    drc.add_argument("--json", type=Path, metavar="OUT", help="write the results as JSON")
    drc.add_argument("--lyrdb", type=Path, metavar="OUT",
                     help="write a KLayout marker database (one category per rule ID)")
    drc.add_argument("--junit", type=Path, metavar="OUT",
                     help="write JUnit XML for CI (one test case per rule)")
    _variant_options(drc)
    drc.add_argument("--density", action="store_true",
                     help="also run the whole-die density rules (M1.4, ..., PL.8)")
    drc.add_argument("--rules", nargs="+", metavar="ID", help="check only these rule IDs")
    drc.add_argument("--skip", nargs="+", metavar="ID", default=[],
                     help="rule IDs not to check")
    mode = drc.add_mutually_exclusive_group()
    mode.add_argument("--flat", action="store_true",
                      help="flat processing (default: chosen from how much the cell tree "
                           "reuses cells)")
    mode.add_argument("--deep", action="store_true", help="hierarchical (deep) processing")
    drc.add_argument("--threads", type=int, default=0, metavar="N",
                     help="worker threads of the hierarchical engine (default 0: every "
                          "operation in this thread, the fastest on the machines measured)")
    _external_options(drc)
    drc.set_defaults(func=cmd_drc)

    lvs = sub.add_parser("lvs", help="layout versus schematic of a GDS cell",
                         description="Built-in GF180MCU LVS against a SPICE or CDL netlist "
                                     "(foundry CDL, xschem, the PDK's or ngspice's device "
                                     "names). Exit 0 match, 1 mismatch, 2 bad input.")
    lvs.add_argument("gds", type=Path)
    lvs.add_argument("netlist", type=Path, help="reference SPICE/CDL netlist")
    lvs.add_argument("--cell", help="cell to compare (default: the GDS's only top cell); the "
                                    "netlist's subcircuit of the same name is the reference "
                                    "(else the netlist's only top circuit, with a warning)")
    lvs.add_argument("--json", type=Path, metavar="OUT", help="write the results as JSON")
    lvs.add_argument("--lvsdb", type=Path, metavar="OUT",
                     help="write KLayout's LVS database (netlist browser; klayout-pex input)")
    lvs.add_argument("--junit", type=Path, metavar="OUT",
                     help="write JUnit XML for CI (one test case per circuit)")
    lvs.add_argument("--substrate", metavar="NET",
                     help="schematic net of the substrate (NMOS bulks, substrate taps; default: "
                          "the pin most NMOS bulks connect to); the foundry deck's lvs_sub")
    _variant_options(lvs, from_netlist=True)
    defaults = LvsTolerances()
    lvs.add_argument("--w-tol", type=float, default=defaults.w_rel, metavar="REL",
                     help=f"relative MOS and resistor width tolerance (default {defaults.w_rel})")
    lvs.add_argument("--l-tol", type=float, default=defaults.l_rel, metavar="REL",
                     help=f"relative MOS and resistor length tolerance (default {defaults.l_rel})")
    lvs.add_argument("--c-tol", type=float, default=defaults.c_rel, metavar="REL",
                     help=f"relative capacitance tolerance (default {defaults.c_rel})")
    _external_options(lvs)
    lvs.set_defaults(func=cmd_lvs)


def _variant_options(parser: argparse.ArgumentParser, from_netlist: bool = False) -> None:
    """Metal-stack options; for LVS, those not given follow the netlist's foundry MIM names
    (cap_mim_1f5_m3m4_noshield: 4 metals, option B, 1.5 fF/um^2), then the defaults."""
    fields = MetalStack.model_fields
    hint = " or as the netlist's MIMs say" if from_netlist else ""

    def default(name: str) -> Any:
        return None if from_netlist else fields[name].default

    shown = {name: fields[name].default for _, name in VARIANT_FIELDS}
    parser.add_argument("--metal-levels", type=int, choices=[3, 4, 5, 6],
                        default=default("metal_levels"),
                        help=f"metal levels of the stack (default {shown['metal_levels']}{hint})")
    parser.add_argument("--top-metal", choices=["6K", "9K", "11K", "30K"],
                        default=default("top_metal_thickness"),
                        help=f"top-metal thickness (default {shown['top_metal_thickness']})")
    parser.add_argument("--mim-option", choices=["A", "B"], default=default("mim_option"),
                        help=f"MIM option (default {shown['mim_option']}{hint})")
    parser.add_argument("--mim-density", type=float, choices=[1.0, 1.5, 2.0],
                        default=default("mim_cap_density"),
                        help=f"MIM capacitance in fF/um^2 (default {shown['mim_cap_density']}"
                             f"{hint})")


def _external_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("external sign-off deck")
    group.add_argument("--external", type=Path, metavar="DECK",
                       help="run this KLayout deck (e.g. the foundry's) instead of the "
                            "built-in checks")
    group.add_argument("--klayout", default="klayout", metavar="PATH",
                       help="KLayout application for --external (default: klayout on PATH)")
    group.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                       help="extra -rd variable for the deck (repeatable)")
    group.add_argument("--timeout", type=float, default=3600.0, metavar="S",
                       help="give up on the external deck after S seconds")


def _variant(args: argparse.Namespace, inferred: dict[str, Any] | None = None) -> MetalStack:
    given = {name: getattr(args, option) for option, name in VARIANT_FIELDS
             if getattr(args, option) is not None}
    try:
        return MetalStack(**{**(inferred or {}), **given})
    except ValidationError as exc:
        raise FlowError(f"metal stack: {_first_error(exc)}") from exc


def _first_error(exc: ValidationError) -> str:
    return "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())


def _external(args: argparse.Namespace) -> ExternalDeck:
    variables = {}
    for item in args.var:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise FlowError(f"--var {item!r}: expected NAME=VALUE")
        variables[name] = value
    return ExternalDeck(klayout=Path(args.klayout), deck=args.external, variables=variables)


def _describe(variant: MetalStack) -> str:
    return (f"{variant.metal_levels}LM, {variant.top_metal_thickness}, MIM "
            f"{variant.mim_option}")


class _Ticker:
    """A progress line on stderr for runs that take more than a moment."""

    def __init__(self, label: str, after_s: float = 2.0):
        self.label = label
        self.after_s = after_s
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.shown = False

    def __call__(self, rule: str, index: int, total: int) -> None:
        now = time.monotonic() - self.started
        if now < self.after_s or (now - self.last < (0.2 if self.tty else 5.0)):
            return
        self.last = now
        self.shown = True
        line = f"{self.label}: rule {index}/{total} ({rule}), {now:.0f} s"
        if self.tty:
            sys.stderr.write(f"\r\033[K{line}")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown and self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


# ----------------------------------------------------------------------------------------- DRC
def cmd_drc(args: argparse.Namespace) -> int:
    variant = _variant(args)
    if args.threads < 0:
        raise FlowError("--threads must be 0 or more")
    read_checked(args.gds)
    if args.external:
        return _external_drc(args, variant)

    from extraction.drc.deck import DENSITY, deck_for
    from extraction.drc.engine import run_drc

    known = {c.name for c in deck_for(variant, density=True)}
    unknown = sorted(set(args.rules or []) - known) + sorted(set(args.skip) - known)
    if unknown:
        raise FlowError(f"no rule {', '.join(unknown)} in the deck for {_describe(variant)} "
                        f"(e.g. {', '.join(sorted(known)[:5])}, ...)")
    density = args.density or any(DENSITY.match(rule) for rule in args.rules or [])
    _require_gf180(args.gds, args.cell)
    ticker = _Ticker(f"DRC {args.gds.name}")
    try:
        result = run_drc(args.gds, args.cell, variant, skip=args.skip, only=args.rules,
                         density=density, deep=_mode(args), threads=args.threads,
                         progress=ticker)
    finally:
        ticker.close()
    _write(args.json, result.write_json)
    _write(args.lyrdb, result.write_lyrdb)
    described: dict[str, str] = {}
    for r in sorted(result.results, key=lambda r: r.count):  # a rule ID's flagging check last
        described[r.check.name] = r.check.description
    _write_junit(args.junit, "sgdr-flow drc", drc_cases(result.as_json(), described))
    workers = f"{args.threads} worker thread{'s' * (args.threads > 1)}" if args.threads else (
        "no worker threads")
    chosen = "" if args.flat or args.deep else "auto: "
    mode = f"{chosen}flat" if result.mode == "flat" else f"{chosen}deep, {workers}"
    ids = len({r.check.name for r in result.results})
    ran = sum(1 for r in result.results if r.seconds > 0)
    print(f"DRC {result.cell} in {args.gds} ({_describe(variant)}; {mode}): {ids} rules, "
          f"{ran} checks on drawn layers, in {result.seconds:.2f} s")
    _print_rules(result.by_rule(), described)
    if args.json:
        print(f"JSON: {args.json}")
    if args.lyrdb:
        print(f"marker database: {args.lyrdb}")
    if args.junit:
        print(f"JUnit: {args.junit}")
    return _verdict(result.violations, len(result.by_rule()))


def _mode(args: argparse.Namespace) -> bool | None:
    """True deep, False flat, None: let the engine choose from the hierarchy."""
    return True if args.deep else False if args.flat else None


def _external_drc(args: argparse.Namespace, variant: MetalStack) -> int:
    from extraction.external import run_external_drc

    spec = _external(args)
    if (args.flat or args.deep) and "run_mode" not in spec.variables:
        spec = spec.model_copy(update={"variables": {
            **spec.variables, "run_mode": "flat" if args.flat else "deep"}})
    report = args.lyrdb or (args.json.with_suffix(".lyrdb") if args.json else None)
    result = run_external_drc(spec, args.gds, args.cell, variant, report=report,
                              timeout=args.timeout)
    _write(args.json, result.write_json)
    _write_junit(args.junit, "sgdr-flow drc", drc_cases(result.as_json(), result.descriptions))
    print(f"DRC {result.cell} in {args.gds} by {spec.deck} ({_describe(variant)}): "
          f"{len(result.rules_checked)} rules in {result.seconds:.2f} s")
    _print_rules(result.by_rule(), result.descriptions)
    print(f"marker database: {result.report}")
    return _verdict(result.violation_count, len(result.by_rule()))


def _print_rules(by_rule: dict[str, int], described: dict[str, str]) -> None:
    width = max((len(name) for name in by_rule), default=0)
    for name, count in sorted(by_rule.items()):
        text = described.get(name, "")
        print(f"  {name:<{width}}  {count:>6}  {text[:90]}")


def _verdict(violations: int, rules: int) -> int:
    if violations:
        print(f"FAIL: {violations} violation{'s' * (violations > 1)} of {rules} "
              f"rule{'s' * (rules > 1)}")
        return Exit.GATE_FAILED
    print("PASS: no violations")
    return Exit.OK


def _require_gf180(gds: Path, cell: str | None) -> None:
    from extraction.drc.engine import pick_cell
    from extraction.extent import read_layout
    from extraction.gds_input import require_gf180_shapes

    layout = read_layout(gds)
    require_gf180_shapes(layout, pick_cell(layout, cell, gds), gds)


def _write_junit(path: Path | None, name: str, cases: list[Case]) -> None:
    _write(path, lambda out: write_junit(out, name, cases))


def _write(path: Path | None, writer: Any) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer(path)
    except OSError as exc:
        raise FlowError(f"{path}: cannot write: {exc}") from exc


# ----------------------------------------------------------------------------------------- LVS
def cmd_lvs(args: argparse.Namespace) -> int:
    from extraction.lvs.schematic import netlist_stack

    variant = _variant(args, netlist_stack(args.netlist) if args.netlist.is_file() else {})
    try:
        tolerances = LvsTolerances(w_rel=args.w_tol, l_rel=args.l_tol, c_rel=args.c_tol)
    except ValidationError as exc:
        raise FlowError(f"tolerances: {_first_error(exc)}") from exc
    read_checked(args.gds)
    if args.external:
        from extraction.external import run_external_lvs
        from extraction.lvs.engine import reference_substrate

        spec = _external(args)
        report = args.lvsdb or (args.json.with_suffix(".lvsdb") if args.json else None)
        substrate = args.substrate
        if substrate is None:
            try:
                substrate = reference_substrate(args.gds, args.netlist, args.cell, variant)
            except FlowError as exc:  # a netlist only the deck reads: its own lvs_sub default
                print(f"note: lvs_sub left to the deck: {exc}")
        result = run_external_lvs(spec, args.gds, args.netlist, args.cell, variant,
                                  report=report, timeout=args.timeout, substrate=substrate)
        source, warnings = f" by {spec.deck}", []
    else:
        from extraction.lvs.engine import run_lvs

        result = run_lvs(args.gds, args.netlist, args.cell, variant, tolerances,
                         args.substrate)
        _write(args.lvsdb, result.write_lvsdb)
        source, warnings = "", result.warnings
    _write(args.json, result.write_json)
    _write_junit(args.junit, "sgdr-flow lvs", [lvs_case(result.as_json())])
    print(f"LVS {result.cell} in {args.gds} against {args.netlist}{source} "
          f"({_describe(variant)}): {result.seconds:.2f} s")
    print(f"  devices: {result.devices_layout} in the layout, {result.devices_schematic} in "
          f"the schematic; {result.nets} nets")
    _print_findings(result.mismatches, "")
    _print_findings(warnings, "warning: ")
    for label, path in (("JSON", args.json), ("LVS database", args.lvsdb),
                        ("JUnit", args.junit)):
        if path:
            print(f"{label}: {path}")
    if result.match:
        print("PASS: layout matches the schematic")
        return Exit.OK
    print("FAIL: layout and schematic differ")
    return Exit.GATE_FAILED


def _print_findings(findings: list[Any], prefix: str) -> None:
    for finding in findings[:LISTED_MISMATCHES]:
        print(f"  {prefix}[{finding.kind}] {finding.message}")
    if len(findings) > LISTED_MISMATCHES:
        print(f"  ... and {len(findings) - LISTED_MISMATCHES} more (see the JSON)")
