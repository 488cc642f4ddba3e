"""klayout-pex runs side by side: independent extractions in worker processes.

klayout-pex runs in-process (Python and KLayout's C++), so only processes run two at once. A
worker (`python -m extraction.pex_pool`) reads one job per line on its stdin and answers with
one line of JSON on a pipe of its own (KLayout may write to stdout). Each extraction writes its
own files, the same bytes whichever worker runs it and in whatever order, and the results come
back in the order of the jobs: the stage stays deterministic. The largest databases start
first, so the last to finish is a small one.

Interrupts (see `sgdr_flow/runner.py`): the workers ignore SIGINT (a Ctrl-C reaches the whole
process group; the parent decides), and whatever ends the wait (an interrupt, a failed
extraction) terminates every worker and reaps it before it propagates. Plain child processes
rather than a `multiprocessing` pool: nothing else (no resource tracker) is left to outlive
the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from extraction.pex import PexResult, run_kpex
from extraction.pex_hier import KpexJob
from sgdr_flow.errors import FlowError

POLL_S = 0.5     # how often the parent looks up from waiting
STOP_S = 5.0     # how long a terminated worker may take before it is killed
Running = Callable[[list[KpexJob], int], None]  # (the jobs running now, how many are done)


def machine_cores() -> int:
    return len(os.sched_getaffinity(0))


def _job_json(job: KpexJob, resistance: bool) -> str:
    return json.dumps({"lvsdb": str(job.lvsdb), "cell": job.cell, "out_dir": str(job.out_dir),
                       "resistance": resistance})


def _result_json(result: PexResult) -> dict[str, Any]:
    return {"cell": result.cell, "netlist": str(result.netlist), "seconds": result.seconds,
            "couplings": [[a, b, c] for (a, b), c in result.couplings.items()],
            "resistors": result.resistors, "warnings": result.warnings}


def _result(data: dict[str, Any]) -> PexResult:
    return PexResult(data["cell"], Path(data["netlist"]), data["seconds"],
                     {(a, b): c for a, b, c in data["couplings"]}, data["resistors"],
                     data["warnings"])


class _Worker:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "extraction.pex_pool"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.job: int | None = None

    def send(self, index: int, line: str) -> None:
        self.job = index
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        """Close its input, terminate it if it is still working, and reap it."""
        process = self.process
        with contextlib.suppress(OSError):  # a dead worker's pipe
            process.stdin.close()
        if self.job is not None and process.poll() is None:
            process.terminate()
        try:
            process.wait(STOP_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def run_jobs(jobs: Sequence[KpexJob], resistance: bool, workers: int,
             running: Running) -> list[PexResult]:
    """Extract every job, `workers` at a time (1: in this process), telling `running` what runs
    whenever that changes; results in the order of `jobs`."""
    if workers <= 1 or len(jobs) <= 1:
        results = []
        for count, job in enumerate(jobs):
            running([job], count)
            results.append(run_kpex(job.lvsdb, job.cell, job.out_dir, resistance))
        running([], len(jobs))
        return results
    todo = sorted(range(len(jobs)), key=lambda k: -jobs[k].lvsdb.stat().st_size)
    results: dict[int, PexResult] = {}
    pool = [_Worker() for _ in range(min(workers, len(jobs)))]
    selector = selectors.DefaultSelector()
    try:
        for worker in pool:
            selector.register(worker.process.stdout, selectors.EVENT_READ, worker)
            _start(worker, todo, jobs, resistance)
        running([jobs[w.job] for w in pool if w.job is not None], 0)
        while len(results) < len(jobs):
            for key, _ in selector.select(POLL_S):
                worker: _Worker = key.data
                results[worker.job] = _answer(worker, jobs)
                worker.job = None
                _start(worker, todo, jobs, resistance)
                running([jobs[w.job] for w in pool if w.job is not None], len(results))
    finally:
        selector.close()
        for worker in pool:
            worker.stop()
    return [results[k] for k in range(len(jobs))]


def _start(worker: _Worker, todo: list[int], jobs: Sequence[KpexJob], resistance: bool) -> None:
    if todo:
        index = todo.pop(0)
        worker.send(index, _job_json(jobs[index], resistance))


def _answer(worker: _Worker, jobs: Sequence[KpexJob]) -> PexResult:
    line = worker.process.stdout.readline()
    job = jobs[worker.job]
    if not line:
        code = worker.process.wait()
        raise FlowError(f"the klayout-pex worker died (exit {code}) on {job.lvsdb}")
    answer = json.loads(line)
    if "error" in answer:
        raise FlowError(answer["error"])
    if "crash" in answer:
        raise RuntimeError(f"klayout-pex on {job.lvsdb} crashed in its worker:\n"
                           f"{answer['crash']}")
    return _result(answer)


def serve() -> None:
    """A worker: one job per line in, one answer per line out, until its input closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever else writes to stdout (KLayout, klayout-pex) goes elsewhere
    for line in sys.stdin:
        job = json.loads(line)
        try:
            result = run_kpex(Path(job["lvsdb"]), job["cell"], Path(job["out_dir"]),
                              job["resistance"])
            answer = _result_json(result)
        except FlowError as exc:
            answer = {"error": str(exc)}
        except Exception:  # a crash: its traceback goes to the stage's error log
            answer = {"crash": traceback.format_exc()}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()
