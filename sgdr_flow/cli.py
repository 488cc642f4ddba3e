"""`sgdr-flow`: run the flow, list its stages, print tool versions; single-tool commands too.

Exit codes everywhere: 0 all gates pass, 1 a gate failed, 2 bad input, config or missing tool,
130 / 143 stopped by Ctrl-C (SIGINT) / SIGTERM (outputs and report left as they were).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from sgdr_flow.config import LoadedFlow, load_flow
from sgdr_flow.errors import ConfigError, Exit, FlowError
from sgdr_flow.progress import Progress
from sgdr_flow.signals import Interrupted, handled
from sgdr_flow.stages import STAGE_NAMES, STAGES


def _flow(path: str | None) -> LoadedFlow:
    return load_flow(Path(path or "flow.yaml"))


def _build_dir(flow: LoadedFlow, out: str | None) -> Path:
    return Path(out).resolve() if out else flow.path.parent / "build"


def cmd_run(args: argparse.Namespace) -> int:
    from sgdr_flow.build_folder import locked
    from sgdr_flow.report import publish
    from sgdr_flow.runner import run_flow

    flow = _flow(args.flow)
    build = _build_dir(flow, args.out)
    progress = Progress()
    with locked(build, progress.info):  # this run's report is published before the next run
        runs = run_flow(flow, build, only=args.only, force=args.force, progress=progress)
        report = publish(build, runs, flow)
    if report is None:
        ok = all(run.status in ("ok", "disabled") for run in runs)
        progress.info(f"no report yet; stages {'passed' if ok else 'did not all pass'}")
        return Exit.OK if ok else Exit.GATE_FAILED
    failed = [name for name, t in report["targets"].items() if not t["pass"]]
    bad = [f"{n} ({s['status']})" for n, s in report["stages"].items()
           if s["status"] not in ("ok", "disabled")]
    progress.info(f"report: {build / 'report.json'}  {build / 'report.html'}")
    if bad:
        progress.info(f"stages not passing: {', '.join(bad)}")
    if failed:
        progress.info(f"targets missed: {', '.join(failed)}")
    progress.info("PASS" if report["pass"] else "FAIL")
    return Exit.OK if report["pass"] else Exit.GATE_FAILED


def cmd_stages(args: argparse.Namespace) -> int:
    from sgdr_flow.runner import read_manifest, stage_state

    flow = _flow(args.flow)
    build = _build_dir(flow, args.out)
    print(f"{'stage':<8} {'state':<10} {'last status':<16} description")
    for stage in STAGES:
        manifest = read_manifest(build, stage.name) or {}
        print(f"{stage.name:<8} {stage_state(flow, stage, build):<10} "
              f"{manifest.get('status', '-'):<16} {stage.description}")
    return Exit.OK


def cmd_version(args: argparse.Namespace) -> int:
    from sgdr_flow.versions import tool_versions

    versions = tool_versions()
    path = Path(args.flow or "flow.yaml")
    variant = _flow(str(path)).config.pdk if path.is_file() else None
    if args.json:
        print(json.dumps({"tools": versions,
                          "pdk": variant.model_dump() if variant else None}, indent=2))
        return Exit.OK
    for name, version in versions.items():
        print(f"{name:<12} {version}")
    if variant:
        v = variant.variant
        print(f"{'pdk':<12} {variant.name} {v.metal_levels}LM, MetalTop {v.top_metal_thickness}, "
              f"MIM option {v.mim_option} ({v.mim_cap_density} fF/um^2), corner {variant.corner}")
    return Exit.OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sgdr-flow", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the flow's stages on FLOW (default flow.yaml)")
    run.add_argument("flow", nargs="?")
    run.add_argument("--only", nargs="+", metavar="STAGE", choices=STAGE_NAMES,
                     help="run only these stages, using the others' existing outputs")
    run.add_argument("--out", metavar="DIR", help="build folder (default: build/ beside FLOW)")
    run.add_argument("--force", action="store_true", help="re-run stages even when fresh")
    run.set_defaults(func=cmd_run)

    stages = sub.add_parser("stages", help="list stages and their state")
    stages.add_argument("flow", nargs="?")
    stages.add_argument("--out", metavar="DIR")
    stages.set_defaults(func=cmd_stages)

    version = sub.add_parser("version", help="print tool versions and the PDK variant")
    version.add_argument("flow", nargs="?")
    version.add_argument("--json", action="store_true")
    version.set_defaults(func=cmd_version)

    from cells.cli import register as register_cells
    from extraction.cli import register as register_extraction
    from sim.cli import register as register_sim

    register_cells(sub)
    register_extraction(sub)
    register_sim(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with handled():
            return int(args.func(args))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return Exit.BAD_INPUT
    except FlowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt as exc:
        code = exc.exit_code if isinstance(exc, Interrupted) else 128 + signal.SIGINT
        print(f"\ninterrupted ({signal.Signals(code - 128).name}); no output was left "
              "half-written", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
