"""Stage cache: skip fresh stages, re-run exactly those downstream of a change, write atomically.

The stages here are small real stages that write files derived from their config slice and
upstream outputs, so the cache logic is exercised without the heavy EDA stages.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sgdr_flow.config import load_flow
from sgdr_flow.progress import Progress
from sgdr_flow.runner import read_manifest, run_flow, stage_state
from sgdr_flow.stage import Stage, StageContext, StageResult


def _copy_stage(source_key: str):
    """A stage writing its config value plus its upstream outputs into out.txt."""

    def run(ctx: StageContext) -> StageResult:
        section, key = source_key.split(".")
        value = ctx.config.section(section)[key]
        upstream = "".join((ctx.stage_dir(n) / "out.txt").read_text() for n in ctx.stage.upstream)
        (ctx.out / "out.txt").write_text(f"{value}|{upstream}")
        return StageResult({"value": value}, passed=True)

    return run


# a <- pdk.corner ; b <- extraction.min_coupling_ff ; c <- a, b ; d <- a only
SPEC = {"a": ("pdk.corner", ()), "b": ("extraction.min_coupling_ff", ()),
        "c": ("report.title", ("a", "b")), "d": ("report.html", ("a",))}
STAGES = tuple(Stage(name, name, (key.split(".")[0],), upstream, ("sgdr_flow",), _copy_stage(key))
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

    def good(ctx: StageContext) -> StageResult:
        (ctx.out / "x.txt").write_text("ok")
        return StageResult({}, passed=True)

    def bad(ctx: StageContext) -> StageResult:
        (ctx.out / "half.txt").write_text("half")
        raise RuntimeError("boom")

    first = (Stage("a", "a", ("pdk",), (), (), good), Stage("b", "b", ("pdk",), ("a",), (), good))
    run_flow(load_flow(path), build, stages=first, progress=Progress())
    before = json.loads((build / "a" / "manifest.json").read_text())

    second = (Stage("a", "a", ("pdk",), (), (), bad), Stage("b", "b", ("pdk",), ("a",), (), good))
    runs = run_flow(load_flow(path), build, stages=second, force=True, progress=Progress())
    assert [r.status for r in runs] == ["error", "blocked"]
    assert json.loads((build / "a" / "manifest.json").read_text()) == before
    assert not (build / "a" / "half.txt").exists()
    assert not list(build.glob(".tmp-*"))
    assert "boom" in (build / "a.error.log").read_text()


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
