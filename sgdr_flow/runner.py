"""Runs stages in order, skipping those whose inputs are unchanged and whose outputs are intact,
writing each atomically.

A stage is fresh when its manifest records the hash of its current inputs (the flow.yaml keys it
declares, the output hashes of its upstream stages, its code, the tool versions) and every file
of its folder still has the hash the manifest lists: a deleted or edited output, or a manifest
edited by hand, makes the stage stale. One run at a time writes a build folder (`locked`).

Interrupts, the contract every stage and every executor a stage uses must honour:

* Under `sgdr-flow`, SIGINT and SIGTERM raise `sgdr_flow.signals.Interrupted` (a
  KeyboardInterrupt) in the main thread, wherever it is. Let it propagate: never catch it (nor
  BaseException) without re-raising it, and never turn it into a result, a failed run or a
  retry.
* Before it propagates out of the code that started them, stop every child process and thread
  you started: terminate, wait a moment, kill what is left, and reap them, so nothing outlives
  the run. (`subprocess.run` does this for its child; a pool of simulator processes must do it
  itself: shut the pool down with its workers terminated, in a `finally` or an
  `except BaseException: ...; raise`.)
* Write only inside the stage's `ctx.out`; the runner deletes it on an interrupt, so the stage's
  previous output, `build/report.json` and the other stages' folders stay as they were.
* A library may deliver the interrupt as another exception (KLayout turns one raised in a Python
  callback into a RuntimeError). The runner checks `signals.received()` whatever arrives, so such
  a stage still ends as interrupted, never as crashed. Code that catches exceptions itself and
  carries on (a retry loop, a per-job error list) should call `signals.check()` in its handler.

The CLI then exits with 130 (SIGINT) or 143 (SIGTERM); the next run reruns the interrupted stage,
and only that one when the stages before it reproduce their outputs (they are deterministic).
"""

from __future__ import annotations

import json
import shutil
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sgdr_flow import signals
from sgdr_flow.build_folder import clean_leftovers, locked, owned_name, swap_in, write_atomic
from sgdr_flow.config import LoadedFlow
from sgdr_flow.errors import FlowError
from sgdr_flow.hashing import hash_code, hash_json, hash_tree
from sgdr_flow.progress import Progress
from sgdr_flow.stage import ConfigView, Stage, StageContext, StageResult, config_slice, load_entry
from sgdr_flow.stages import STAGES
from sgdr_flow.versions import tool_versions

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
LOG = ".log"  # a tool's console log (clock times, paths): kept for people, not hashed


def outputs(folder: Path) -> dict[str, str]:
    """The hashed files of a stage folder: everything but the manifest, logs, hidden files."""
    return {name: digest for name, digest in hash_tree(folder, frozenset({MANIFEST})).items()
            if not name.endswith(LOG)}


@dataclass
class StageRun:
    name: str
    status: str
    skipped: bool
    duration_s: float
    passed: bool | None

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "skipped": self.skipped,
                "duration_s": round(self.duration_s, 3), "passed": self.passed}


def read_manifest(build: Path, name: str) -> dict[str, Any] | None:
    path = build / name / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def output_problem(build: Path, name: str, manifest: dict[str, Any]) -> str | None:
    """Why the files of a stage's folder are not what its manifest records, or None."""
    recorded = manifest.get("outputs")
    if not isinstance(recorded, dict) or hash_json(recorded) != manifest.get("output_hash"):
        return "its manifest does not match itself"
    actual = outputs(build / name)
    for problem, files in (
            ("missing", sorted(set(recorded) - set(actual))),
            ("altered", sorted(f for f in recorded if f in actual and actual[f] != recorded[f])),
            ("not written by the stage", sorted(set(actual) - set(recorded)))):
        if files:
            more = f" and {len(files) - 3} more" if len(files) > 3 else ""
            return f"{', '.join(files[:3])}{more} {problem}"
    return None


def intact_output_hash(build: Path, name: str) -> str | None:
    """The output hash of a stage whose files are as recorded (None: never run, or not)."""
    manifest = read_manifest(build, name)
    if manifest is None or output_problem(build, name, manifest):
        return None
    return manifest["output_hash"]


def stage_inputs(flow: LoadedFlow, stage: Stage, build: Path) -> dict[str, Any]:
    """Everything a stage's output depends on; its hash is the cache key."""
    code = {package: hash_code(package) for package in stage.code}
    if stage.user_code:
        code["user"] = load_entry(stage.user_code)(
            ConfigView(flow.config, stage.keys, stage.name))
    return {
        "config": config_slice(flow.config, stage.keys),
        "upstream": {name: intact_output_hash(build, name) for name in stage.upstream},
        "code": code,
        "tools": tool_versions(),
    }


def _fresh(manifest: dict[str, Any] | None, input_hash: str, build: Path, name: str) -> bool:
    return (manifest is not None and manifest.get("input_hash") == input_hash
            and manifest.get("status") != "error"
            and output_problem(build, name, manifest) is None)


def stage_state(flow: LoadedFlow, stage: Stage, build: Path,
                stages: tuple[Stage, ...] = STAGES) -> str:
    """fresh, stale or never run, as `sgdr-flow stages` shows it."""
    manifest = read_manifest(build, stage.name)
    if manifest is None:
        return "never run"
    for name in stage.upstream:
        upstream = next(s for s in stages if s.name == name)
        if stage_state(flow, upstream, build, stages) != "fresh":
            return "stale"
    current = hash_json(stage_inputs(flow, stage, build))
    return "fresh" if _fresh(manifest, current, build, stage.name) else "stale"


def run_stage(flow: LoadedFlow, stage: Stage, build: Path, progress: Progress,
              force: bool) -> StageRun:
    inputs = stage_inputs(flow, stage, build)
    input_hash = hash_json(inputs)
    manifest = read_manifest(build, stage.name)
    if not force and _fresh(manifest, input_hash, build, stage.name):
        _mark_checked(build / stage.name, manifest)
        return StageRun(stage.name, manifest["status"], True, 0.0, manifest.get("passed"))

    tmp = build / owned_name("tmp", stage.name)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    started = time.monotonic()
    try:
        result: StageResult = stage.load()(StageContext(stage, flow.config, build, tmp,
                                                        progress))
        signals.check()  # a signal some library swallowed still ends the run
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        signals.check(exc)  # an interrupt in disguise (see the module docstring)
        if isinstance(exc, FlowError) or not isinstance(exc, Exception):
            raise
        log = build / f"{stage.name}.error.log"
        log.write_text(traceback.format_exc())
        duration = time.monotonic() - started
        progress.info(f"  {stage.name} crashed; traceback in {log}")
        return StageRun(stage.name, "error", False, duration, False)
    duration = time.monotonic() - started
    (tmp / SUMMARY).write_text(json.dumps(result.summary, indent=2, default=str))
    written = outputs(tmp)
    manifest = {
        "stage": stage.name,
        "status": result.status,
        "passed": result.passed,
        "input_hash": input_hash,
        "inputs": inputs,
        "tools": inputs["tools"],
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(duration, 3),
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
        "outputs": written,
        "output_hash": hash_json(written),
        "last_run": {"at": datetime.now(UTC).isoformat(timespec="seconds"), "skipped": False},
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
    with signals.deferred():
        (build / f"{stage.name}.error.log").unlink(missing_ok=True)
        swap_in(tmp, build / stage.name)
    return StageRun(stage.name, result.status, False, duration, result.passed)


def _mark_checked(folder: Path, manifest: dict[str, Any]) -> None:
    """Record in the manifest that a run found the stage fresh (written atomically)."""
    manifest["last_run"] = {"at": datetime.now(UTC).isoformat(timespec="seconds"),
                            "skipped": True}
    write_atomic(folder / MANIFEST, json.dumps(manifest, indent=2))


def select(only: list[str] | None, stages: tuple[Stage, ...] = STAGES) -> list[Stage]:
    if not only:
        return list(stages)
    names = [stage.name for stage in stages]
    unknown = [name for name in only if name not in names]
    if unknown:
        raise FlowError(f"unknown stage {', '.join(unknown)} (stages: {', '.join(names)})")
    return [stage for stage in stages if stage.name in only]


def _check_upstream(build: Path, stage: Stage) -> None:
    """Refuse to run a stage on upstream outputs that are missing or not as recorded."""
    for name in stage.upstream:
        manifest = read_manifest(build, name)
        problem = "none yet" if manifest is None else output_problem(build, name, manifest)
        if problem:
            raise FlowError(f"stage {stage.name!r} needs {name}, whose output in {build / name} "
                            f"is not usable ({problem}): run it first (without --only, or with "
                            f"--only {name})")


def run_flow(flow: LoadedFlow, build: Path, only: list[str] | None = None, force: bool = False,
             progress: Progress | None = None,
             stages: tuple[Stage, ...] = STAGES) -> list[StageRun]:
    """Run the selected stages in order; a crashed stage blocks the stages that need it."""
    progress = progress or Progress()
    with locked(build, progress.info):
        clean_leftovers(build)
        chosen = select(only, stages)
        runs: list[StageRun] = []
        broken: set[str] = set()
        try:
            for index, stage in enumerate(chosen, 1):
                progress.stage(index, len(chosen), stage.name)
                blocked_by = [name for name in stage.upstream if name in broken]
                if blocked_by:
                    broken.add(stage.name)
                    runs.append(StageRun(stage.name, "blocked", False, 0.0, False))
                    progress.done(f"blocked by {', '.join(blocked_by)}")
                    continue
                _check_upstream(build, stage)
                run = run_stage(flow, stage, build, progress, force)
                if run.status == "error":
                    broken.add(stage.name)
                runs.append(run)
                if run.skipped:
                    progress.done(f"skipped (fresh, {run.status})")
                else:
                    progress.done(run.status, run.duration_s)
        finally:
            progress.idle()
        return runs
