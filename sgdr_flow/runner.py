"""Runs stages in order, skipping those whose inputs are unchanged, writing each atomically."""

from __future__ import annotations

import json
import os
import shutil
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sgdr_flow.config import LoadedFlow
from sgdr_flow.errors import FlowError
from sgdr_flow.hashing import hash_code, hash_json, hash_tree
from sgdr_flow.progress import Progress
from sgdr_flow.stage import Stage, StageContext, StageResult
from sgdr_flow.stages import STAGES
from sgdr_flow.versions import tool_versions

MANIFEST = "manifest.json"
SUMMARY = "summary.json"


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
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def stage_inputs(flow: LoadedFlow, stage: Stage, build: Path) -> dict[str, Any]:
    """Everything a stage's output depends on; its hash is the cache key."""
    upstream = {}
    for name in stage.upstream:
        manifest = read_manifest(build, name)
        upstream[name] = manifest["output_hash"] if manifest else None
    return {
        "config": {section: flow.config.section(section) for section in stage.sections},
        "upstream": upstream,
        "code": {package: hash_code(package) for package in stage.code},
        "tools": tool_versions(),
    }


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
    return "fresh" if manifest.get("input_hash") == current else "stale"


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace `final` by `tmp` so that readers only ever see a complete folder."""
    old = final.with_name(f".old-{final.name}-{os.getpid()}")
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def _clean_leftovers(build: Path) -> None:
    for path in build.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in build.glob(".old-*"):
        shutil.rmtree(path, ignore_errors=True)


def run_stage(flow: LoadedFlow, stage: Stage, build: Path, progress: Progress,
              force: bool) -> StageRun:
    inputs = stage_inputs(flow, stage, build)
    input_hash = hash_json(inputs)
    manifest = read_manifest(build, stage.name)
    if not force and manifest and manifest.get("input_hash") == input_hash \
            and manifest.get("status") != "error":
        _mark_checked(build / stage.name, manifest)
        return StageRun(stage.name, manifest["status"], True, 0.0, manifest.get("passed"))

    tmp = build / f".tmp-{stage.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    started = time.monotonic()
    try:
        result: StageResult = stage.load()(StageContext(stage, flow, build, tmp, progress))
    except FlowError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except Exception:
        shutil.rmtree(tmp, ignore_errors=True)
        log = build / f"{stage.name}.error.log"
        log.write_text(traceback.format_exc())
        duration = time.monotonic() - started
        progress.info(f"  {stage.name} crashed; traceback in {log}")
        return StageRun(stage.name, "error", False, duration, False)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    duration = time.monotonic() - started
    (tmp / SUMMARY).write_text(json.dumps(result.summary, indent=2, default=str))
    outputs = hash_tree(tmp, frozenset({MANIFEST}))
    manifest = {
        "stage": stage.name,
        "status": result.status,
        "passed": result.passed,
        "input_hash": input_hash,
        "inputs": inputs,
        "tools": inputs["tools"],
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(duration, 3),
        "outputs": outputs,
        "output_hash": hash_json(outputs),
        "last_run": {"at": datetime.now(UTC).isoformat(timespec="seconds"), "skipped": False},
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
    (build / f"{stage.name}.error.log").unlink(missing_ok=True)
    _swap_in(tmp, build / stage.name)
    return StageRun(stage.name, result.status, False, duration, result.passed)


def _mark_checked(folder: Path, manifest: dict[str, Any]) -> None:
    """Record in the manifest that a run found the stage fresh (written atomically)."""
    manifest["last_run"] = {"at": datetime.now(UTC).isoformat(timespec="seconds"),
                            "skipped": True}
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2))
    tmp.replace(folder / MANIFEST)


def select(only: list[str] | None, stages: tuple[Stage, ...] = STAGES) -> list[Stage]:
    if not only:
        return list(stages)
    names = [stage.name for stage in stages]
    unknown = [name for name in only if name not in names]
    if unknown:
        raise FlowError(f"unknown stage {', '.join(unknown)} (stages: {', '.join(names)})")
    return [stage for stage in stages if stage.name in only]


def run_flow(flow: LoadedFlow, build: Path, only: list[str] | None = None, force: bool = False,
             progress: Progress | None = None,
             stages: tuple[Stage, ...] = STAGES) -> list[StageRun]:
    """Run the selected stages in order; a crashed stage blocks the stages that need it."""
    progress = progress or Progress()
    build.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(build)
    chosen = select(only, stages)
    runs: list[StageRun] = []
    broken: set[str] = set()
    for index, stage in enumerate(chosen, 1):
        progress.stage(index, len(chosen), stage.name)
        blocked_by = [name for name in stage.upstream if name in broken]
        if blocked_by:
            broken.add(stage.name)
            runs.append(StageRun(stage.name, "blocked", False, 0.0, False))
            progress.done(f"blocked by {', '.join(blocked_by)}")
            continue
        missing = [name for name in stage.upstream if read_manifest(build, name) is None]
        if missing:
            raise FlowError(f"stage {stage.name!r} needs {', '.join(missing)}: run it first "
                            f"(without --only, or with --only {' '.join(missing)})")
        run = run_stage(flow, stage, build, progress, force)
        if run.status == "error":
            broken.add(stage.name)
        runs.append(run)
        if run.skipped:
            progress.done(f"skipped (fresh, {run.status})")
        else:
            progress.done(run.status, run.duration_s)
    return runs
