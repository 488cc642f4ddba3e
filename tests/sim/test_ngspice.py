"""ngspice runs in real ngspice: failures come back as ngspice's message with the netlist's path
(never a traceback), and convergence failures are retried with relaxed options and every attempt
is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from cells.circuit import sim_netlist
from cells.translinear import translinear_loop
from sgdr_flow.config import TranslinearTestbench
from sim.executor import LocalExecutor, SimJob
from sim.netlists import CellNetlist, schematic_netlist
from sim.ngspice import RELAXATIONS, Relaxation, SimResult, simulate, spice_number
from sim.stage import run_entries, slug
from sim.testbenches import Bench, Job, measure_step, translinear_step

# Absurdly tight tolerances: a relative error of 1e-12 on nA currents is below what double
# precision resolves, so the transient gives up ("timestep too small"); reltol 1e-2 cures it.
TIGHT = ".option reltol=1e-12 abstol=1e-20 vntol=1e-15"
# Two ideal voltage sources in parallel: singular for every option set.
UNSOLVABLE = "* two voltage sources in parallel\nV1 a 0 1\nV2 a 0 2\nR1 a 0 1k\n.op\n.end\n"


@pytest.fixture(scope="module")
def tl_schematic(tmp_path_factory) -> CellNetlist:
    """The translinear loop's schematic netlist (no layout needed)."""
    folder = tmp_path_factory.mktemp("tl")
    circuit = translinear_loop(2.0, 2.0, 1)
    circuit.name = "tl"
    (folder / "tl.sim.spice").write_text(sim_netlist(circuit))
    return schematic_netlist(folder, "tl")


def step_job(cell: CellNetlist) -> Job:
    return translinear_step(cell, TranslinearTestbench(), Bench(), 0.1e-9, 1e-9,
                            t_step=1e-6, duration=10e-6)


def run_files(paths: list[Path]) -> list[SimResult]:
    """The deck files through the flow's executor, one simulator."""
    executor = LocalExecutor(1)
    try:
        return executor.run([SimJob(p.name, p.read_text(), str(p)) for p in paths])
    finally:
        executor.close()


def with_options(netlist: str, card: str) -> str:
    """The deck with `card` right after the testbench's own .option line."""
    lines = netlist.split("\n")
    at = max(i for i, line in enumerate(lines) if line.startswith(".option"))
    return "\n".join([*lines[:at + 1], card, *lines[at + 1:]])


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# -------------------------------------------------------------------------------- failures
def test_failure_is_reported_with_path_and_ngspice_message(tmp_path: Path):
    deck = write(tmp_path / "loop.cir", UNSOLVABLE)
    [result] = run_files([deck])  # no exception: a result
    assert not result.ok
    assert result.netlist == str(deck)
    assert "singular matrix" in result.error.lower()
    assert "aborted" in result.error  # ngspice's own words, not Python's
    assert "Traceback" not in result.error
    assert str(deck) in result.describe() and result.error in result.describe()


def test_every_attempt_is_recorded_when_all_fail(tmp_path: Path):
    deck = write(tmp_path / "loop.cir", UNSOLVABLE)
    [result] = run_files([deck])
    attempts = result.attempts
    assert len(attempts) == 1 + len(RELAXATIONS)
    assert attempts[0].relaxation is None and attempts[0].netlist == str(deck)
    assert [a.relaxation for a in attempts[1:]] == list(RELAXATIONS)
    for k, attempt in enumerate(attempts[1:], 1):
        assert not attempt.ok and "singular matrix" in attempt.message.lower()
        rerun = Path(attempt.netlist)
        assert rerun == tmp_path / f"loop.retry{k}.cir"  # each relaxed deck can be rerun
        assert attempt.relaxation.option_card() in rerun.read_text()
        record = attempt.as_json()
        assert record["options"]["options"] == attempt.relaxation.options
        assert record["ok"] is False and record["message"] == attempt.message
    # the result's message is the deck's own failure
    assert result.error == attempts[0].message


def test_deck_errors_are_not_retried(tmp_path: Path):
    deck = write(tmp_path / "broken.cir",
                 "* broken\nXM1 d g 0 0 no_such_model w=1u l=1u\n.op\n.end\n")
    [result] = run_files([deck])
    assert not result.ok and "no_such_model" in result.error
    assert len(result.attempts) == 1  # relaxed tolerances cannot fix a deck ngspice rejects
    assert not (tmp_path / "broken.retry1.cir").exists()


def test_tight_tolerances_fail_then_converge_with_relaxed_options(tmp_path: Path,
                                                                  tl_schematic):
    job = step_job(tl_schematic)
    normal = write(tmp_path / "step.cir", job.netlist)
    tight = write(tmp_path / "step_tight.cir", with_options(job.netlist, TIGHT))
    reference, relaxed = run_files([normal, tight])

    # the happy path: one attempt, the deck as written, nothing else written
    assert reference.ok and not reference.retried
    assert [a.relaxation for a in reference.attempts] == [None]
    assert not list(tmp_path.glob("step.retry*.cir"))

    # the tight deck: fails as written, succeeds on a relaxed retry, every attempt on record
    assert relaxed.ok and relaxed.retried
    first, *retries = relaxed.attempts
    assert not first.ok and "timestep too small" in first.message.lower()
    assert first.netlist == str(tight)
    assert retries[-1].ok and all(not a.ok for a in retries[:-1])
    assert [a.relaxation for a in retries] == list(RELAXATIONS[:len(retries)])
    assert "reltol" in retries[-1].relaxation.options  # looser tolerances are what cure it

    # and the relaxed answer is the same physics as the normal one
    expected, found = measure_step(reference.vectors, job.meta), \
        measure_step(relaxed.vectors, job.meta)
    assert found["i_after"] == pytest.approx(expected["i_after"], rel=0.02)
    assert found["t50_s"] == pytest.approx(expected["t50_s"], rel=0.1)


def test_stage_report_entries_carry_path_message_and_attempts(tmp_path: Path):
    """What sim/stage.py puts in the report's `failures` and `retries`."""
    solvable = UNSOLVABLE.replace("V2 a 0 2", "V2 b 0 2")
    jobs = [Job("translinear_dc/extracted", UNSOLVABLE),
            Job("memory_hold/schematic/27C", solvable)]
    paths = [write(tmp_path / f"{slug(job.name)}.cir", job.netlist) for job in jobs]
    assert paths[0].name == "translinear_dc_extracted.cir"
    results = run_files(paths)
    assert not results[0].ok and results[1].ok
    failures, retries = run_entries(jobs, results, where=lambda p: p.replace(
        str(tmp_path), "build/sim"))
    [failure] = failures
    assert failure["job"] == "translinear_dc/extracted"
    assert failure["netlist"] == "build/sim/translinear_dc_extracted.cir"
    assert "singular matrix" in failure["error"].lower()
    assert len(failure["attempts"]) == 1 + len(RELAXATIONS)
    assert failure["attempts"][1]["netlist"] == "build/sim/translinear_dc_extracted.retry1.cir"
    [retry] = retries  # the job that ran first time is not listed
    assert retry["job"] == failure["job"] and retry["ok"] is False


# ------------------------------------------------------------------------------ relaxations
def test_relaxation_appends_options_before_end_and_shrinks_the_max_step():
    deck = "* t\nV1 a 0 1\nR1 a 0 1k\n.option reltol=1e-9\n.tran 1u 100u\n.end\n"
    relaxation = Relaxation("x", {"reltol": "0.01"}, max_step_scale=0.1)
    lines = relaxation.apply(deck).strip().split("\n")
    assert lines[-1] == ".end" and lines[-2] == ".option reltol=0.01"
    assert lines.index(".option reltol=1e-9") < lines.index(".option reltol=0.01")
    tran = next(line for line in lines if line.startswith(".tran")).split()
    # without a tmax ngspice takes min(tstep, tstop/50) = 1 us; a tenth of that
    assert [float(v) for v in tran[1:]] == pytest.approx([1e-6, 100e-6, 0.0, 1e-7])
    kept = Relaxation("y", {"itl4": "50"}).apply(deck)
    assert ".tran 1u 100u" in kept  # no max-step change asked: the analysis card is untouched
    uic = Relaxation("z", {}, max_step_scale=0.5).apply("* t\n.tran 1n 10n 0 0.2n uic\n.end\n")
    assert ".tran 1.000000e-09 1.000000e-08 0.000000e+00 1.000000e-10 uic" in uic


@pytest.mark.parametrize(("text", "value"), [("1u", 1e-6), ("2.5meg", 2.5e6), ("10n", 1e-8),
                                             ("3e-9", 3e-9), ("1.5", 1.5), ("4ms", 4e-3),
                                             ("abc", None)])
def test_spice_numbers(text: str, value: float | None):
    assert spice_number(text) == (pytest.approx(value) if value is not None else None)


def test_simulate_without_a_path_names_the_netlist_generically():
    result = simulate(UNSOLVABLE, relaxations=())
    assert not result.ok and result.netlist == "<netlist>" and len(result.attempts) == 1
