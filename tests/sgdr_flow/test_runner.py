"""Stage cache: skip fresh stages, re-run exactly those downstream of a change, write atomically.

The stages here are small real stages that write files derived from their config slice and
upstream outputs, so the cache logic is exercised without the heavy EDA stages.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from sgdr_flow.config import load_flow
from sgdr_flow.errors import FlowError
from sgdr_flow.progress import Progress
from sgdr_flow.runner import read_manifest, run_flow, stage_state
from sgdr_flow.signals import Interrupted, handled
from sgdr_flow.stage import Stage, StageContext, StageResult


def _good(ctx: StageContext) -> StageResult:
    (ctx.out / "x.txt").write_text("ok")
    return StageResult({}, passed=True)


def _copy_stage(source_key: str):
    """A stage writing its config value plus its upstream outputs into out.txt."""

    def run(ctx: StageContext) -> StageResult:
        section, key = source_key.split(".")
        value = getattr(getattr(ctx.config, section), key)
        upstream = "".join((ctx.stage_dir(n) / "out.txt").read_text() for n in ctx.stage.upstream)
        (ctx.out / "out.txt").write_text(f"{value}|{upstream}")
        return StageResult({"value": value}, passed=True)

    return run


# a <- pdk.corner ; b <- extraction.min_coupling_ff ; c <- a, b ; d <- a only
SPEC = {"a": ("pdk.corner", ()), "b": ("extraction.min_coupling_ff", ()),
        "c": ("report.title", ("a", "b")), "d": ("report.html", ("a",))}
STAGES = tuple(Stage(name, name, (key,), upstream, ("sgdr_flow",), _copy_stage(key))
               for name, (key, upstream) in SPEC.items())


@pytest.fixture
def staged(tmp_path):
    """Run helper returning the stages that actually ran (not skipped)."""
    build = tmp_path / "build"

    def run(flow_path: Path, **kwargs) -> list[str]:
        runs = run_flow(load_flow(flow_path), build, progress=Progress(min_interval_s=0),
                        stages=STAGES, **kwargs)
        return [r.name for r in runs if not r.skipped]

    run.build = build
    run.stages = STAGES
    return run


def test_second_run_skips_everything(staged, flow_file):
    path = flow_file()
    assert staged(path) == ["a", "b", "c", "d"]
    assert staged(path) == []
    manifest = read_manifest(staged.build, "c")
    assert manifest["last_run"]["skipped"] is True
    assert set(manifest["outputs"]) == {"out.txt", "summary.json"}
    flow = load_flow(path)
    assert {stage_state(flow, s, staged.build, staged.stages) for s in staged.stages} == {"fresh"}


def test_change_reruns_exactly_downstream(staged, flow_file, default_flow_text):
    path = flow_file()
    staged(path)
    path.write_text(default_flow_text.replace("extraction:\n",
                                              "extraction:\n  min_coupling_ff: 0.5\n"))
    flow = load_flow(path)
    states = {s.name: stage_state(flow, s, staged.build, staged.stages) for s in staged.stages}
    assert states == {"a": "fresh", "b": "stale", "c": "stale", "d": "fresh"}
    assert staged(path) == ["b", "c"]
    assert (staged.build / "c" / "out.txt").read_text().endswith("0.5|")
    assert staged(path) == []


def test_upstream_change_propagates(staged, flow_file, default_flow_text):
    path = flow_file()
    staged(path)
    path.write_text(default_flow_text.replace("corner: typical", "corner: ff"))
    assert staged(path) == ["a", "c", "d"]


def test_stage_reruns_only_for_the_keys_it_reads(staged, flow_file, default_flow_text):
    """`a` reads pdk.corner only: the rest of the pdk section is none of its business."""
    path = flow_file()
    staged(path)
    path.write_text(default_flow_text.replace("temperature_c: 27", "temperature_c: 85"))
    assert staged(path) == []


def test_reading_an_undeclared_key_is_an_error(tmp_path, flow_file):
    """A stage that reads a key it did not declare would be called fresh after that key
    changed; the config it is handed refuses the read instead."""

    def sneaky(ctx: StageContext) -> StageResult:
        return StageResult({"t": ctx.config.pdk.temperature_c})

    runs = run_flow(load_flow(flow_file()), tmp_path / "build", progress=Progress(),
                    stages=(Stage("a", "a", ("pdk.corner",), (), (), sneaky),))
    assert runs[0].status == "error"
    log = (tmp_path / "build" / "a.error.log").read_text()
    assert "pdk.temperature_c" in log and "does not declare" in log


def test_reading_an_undeclared_stage_is_an_error(tmp_path, flow_file):
    def sneaky(ctx: StageContext) -> StageResult:
        return StageResult(ctx.summary("a"))

    stages = (Stage("a", "a", (), (), (), _good), Stage("b", "b", (), (), (), sneaky))
    runs = run_flow(load_flow(flow_file()), tmp_path / "build", progress=Progress(), stages=stages)
    assert [r.status for r in runs] == ["ok", "error"]
    assert "upstream" in (tmp_path / "build" / "b.error.log").read_text()


def test_missing_output_reruns_the_stage(staged, flow_file):
    path = flow_file()
    staged(path)
    (staged.build / "b" / "out.txt").unlink()
    flow = load_flow(path)
    states = {s.name: stage_state(flow, s, staged.build, staged.stages) for s in staged.stages}
    assert states == {"a": "fresh", "b": "stale", "c": "stale", "d": "fresh"}
    assert staged(path) == ["b"]  # same output again: c stays fresh
    assert (staged.build / "b" / "out.txt").is_file()


def test_altered_output_reruns_the_stage(staged, flow_file):
    path = flow_file()
    staged(path)
    (staged.build / "a" / "out.txt").write_text("edited by hand")
    assert staged(path) == ["a"]
    assert (staged.build / "a" / "out.txt").read_text() != "edited by hand"


def test_edited_output_hash_in_a_manifest_is_not_trusted(staged, flow_file):
    path = flow_file()
    staged(path)
    manifest_path = staged.build / "a" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["output_hash"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest))
    assert staged(path) == ["a"]


def test_only_refuses_an_upstream_with_a_missing_output(staged, flow_file):
    path = flow_file()
    staged(path)
    (staged.build / "a" / "out.txt").unlink()
    with pytest.raises(FlowError, match=r"stage 'd' needs a.*out\.txt missing.*run it first"):
        staged(path, only=["d"], force=True)


def test_timings_go_to_the_manifest_not_the_outputs(tmp_path, flow_file):
    def timed(ctx: StageContext) -> StageResult:
        (ctx.out / "x.txt").write_text("same every time")
        return StageResult({"n": 1}, timings={"x": 1.25})

    build = tmp_path / "build"
    run_flow(load_flow(flow_file()), build, progress=Progress(),
             stages=(Stage("a", "a", (), (), (), timed),))
    manifest = read_manifest(build, "a")
    assert manifest["timings"] == {"x": 1.25}
    assert "1.25" not in (build / "a" / "summary.json").read_text()


def test_force_reruns_everything(staged, flow_file):
    path = flow_file()
    staged(path)
    assert staged(path, force=True) == ["a", "b", "c", "d"]


def test_only_runs_named_stage_on_existing_inputs(staged, flow_file):
    path = flow_file()
    staged(path)
    assert staged(path, only=["c"], force=True) == ["c"]


def test_crash_leaves_previous_output_and_blocks_downstream(tmp_path, flow_file):
    path = flow_file()
    build = tmp_path / "build"

    def bad(ctx: StageContext) -> StageResult:
        (ctx.out / "half.txt").write_text("half")
        raise RuntimeError("boom")

    first = (Stage("a", "a", ("pdk",), (), (), _good), Stage("b", "b", ("pdk",), ("a",), (), _good))
    run_flow(load_flow(path), build, stages=first, progress=Progress())
    before = json.loads((build / "a" / "manifest.json").read_text())

    second = (Stage("a", "a", ("pdk",), (), (), bad), Stage("b", "b", ("pdk",), ("a",), (), _good))
    runs = run_flow(load_flow(path), build, stages=second, force=True, progress=Progress())
    assert [r.status for r in runs] == ["error", "blocked"]
    assert json.loads((build / "a" / "manifest.json").read_text()) == before
    assert not (build / "a" / "half.txt").exists()
    assert not list(build.glob(".tmp-*"))
    assert "boom" in (build / "a.error.log").read_text()


def test_interrupt_wrapped_by_a_library_is_still_an_interrupt(tmp_path, flow_file):
    """KLayout turns an exception raised in a Python callback into a RuntimeError: a Ctrl-C
    during klayout-pex arrives as one. The run must end as interrupted, not as a crash."""
    path = flow_file()
    build = tmp_path / "build"

    def wrapped(ctx: StageContext) -> StageResult:
        (ctx.out / "half.txt").write_text("half")
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        except BaseException as exc:
            raise RuntimeError(f"KeyboardInterrupt: {exc} in EdgeNeighborhoodVisitor") from None
        raise AssertionError("no signal arrived")

    run_flow(load_flow(path), build, stages=(Stage("a", "a", (), (), (), _good),),
             progress=Progress())
    before = (build / "a" / "manifest.json").read_bytes()
    with handled(), pytest.raises(Interrupted) as info:
        run_flow(load_flow(path), build, stages=(Stage("a", "a", (), (), (), wrapped),),
                 force=True, progress=Progress())
    assert info.value.exit_code == 143
    assert (build / "a" / "manifest.json").read_bytes() == before
    assert not (build / "a.error.log").exists()
    assert not list(build.glob(".tmp-*"))


def test_interrupt_leaves_no_half_written_stage(tmp_path, flow_file):
    path = flow_file()
    build = tmp_path / "build"

    def interrupted(ctx: StageContext) -> StageResult:
        (ctx.out / "half.txt").write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_flow(load_flow(path), build, progress=Progress(),
                 stages=(Stage("a", "a", ("pdk",), (), (), interrupted),))
    assert not (build / "a").exists()
    assert not list(build.glob(".tmp-*"))
