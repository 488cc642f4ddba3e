"""Where simulations run: a local pool, or a dask.distributed cluster, behind one interface.

A job is a deck (text) and the path it was written to. Locally, each of `workers` threads owns an
ngspice child process (`sim.ngspice.Server`), so simulations run in parallel without loading the
simulator into this process. On dask, each task does the same on its worker; `address: local`
starts a cluster of `workers` processes on this machine. Both run the same decks, so the same
seeds give the same numbers on either.

A job whose simulator process died (a crash, a killed worker) is rerun up to `retries` times and
the result says how often; a job that still fails comes back as a failed `SimResult`, so one bad
run never sinks a sweep. An interrupt (Ctrl-C, or SIGTERM turned into an exception by the CLI)
cancels what has not started and kills every simulator child before it propagates.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sgdr_flow.config import ExecutorConfig
from sim.ngspice import SimResult, allow_servers, simulate, stop_servers, stopping

CRASHED = "the simulator process failed"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SimJob:
    """A deck to simulate and the file it was written to (retried decks go beside it)."""

    name: str
    deck: str
    path: str | None = None


class Executor(Protocol):
    kind: str
    workers: int

    def run(self, jobs: Sequence[SimJob], progress: Progress | None = None) -> list[SimResult]:
        """Results in the order of `jobs`."""
        ...

    def close(self) -> None: ...


def run_job(job: SimJob, retries: int) -> SimResult:
    """One job with its restarts; what both executors run (on a dask worker too)."""
    deck = _portable(job.deck)
    path = Path(job.path) if job.path and Path(job.path).parent.is_dir() else None
    result = simulate(deck, path)
    restarts = 0
    while not result.ok and (result.error or "").startswith(CRASHED) and restarts < retries \
            and not stopping():
        restarts += 1
        result = simulate(deck, path)
    result.restarts = restarts
    return result


def _portable(deck: str) -> str:
    """The deck with this machine's PDK model folder, when it was written on another machine
    (a dask worker may have the package installed elsewhere)."""
    from pdk.gf180mcu.models import model_dir

    here = str(model_dir())
    for line in deck.splitlines():
        if line.startswith(".include ") and line.endswith("design.ngspice"):
            there = str(Path(line.split(None, 1)[1]).parent)
            if there != here and not Path(there).is_dir():
                return deck.replace(there, here)
            break
    return deck


def _collect(futures: dict[Any, int], count: int, next_done, result_of,
             progress: Progress | None) -> list[SimResult]:
    results: list[SimResult | None] = [None] * count
    for done, future in enumerate(next_done(futures), 1):
        results[futures[future]] = result_of(future)
        if progress:
            progress(done, count)
    return results  # type: ignore[return-value]


class LocalExecutor:
    """`workers` threads, each with its own ngspice child process."""

    kind = "local"

    def __init__(self, workers: int = 2, retries: int = 2):
        allow_servers()
        self.workers, self.retries = workers, retries
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="ngspice")

    def run(self, jobs: Sequence[SimJob], progress: Progress | None = None) -> list[SimResult]:
        futures = {self.pool.submit(run_job, job, self.retries): k for k, job in enumerate(jobs)}
        try:
            return _collect(futures, len(jobs), as_completed, lambda f: f.result(), progress)
        except BaseException:
            for future in futures:
                future.cancel()
            stop_servers()
            raise

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Tasks on a dask.distributed cluster: a scheduler `address`, `local` for a cluster of
    `workers` processes on this machine, or an existing `client` (tests use an in-process one)."""

    kind = "dask"

    def __init__(self, address: str = "local", workers: int = 2, retries: int = 2,
                 client: Any = None):
        from distributed import Client, LocalCluster

        allow_servers()
        self.workers, self.retries, self.cluster = workers, retries, None
        if client is not None:
            self.client, self.owned = client, False
            return
        if address == "local":
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            self.client = Client(address)
        self.owned = True

    def run(self, jobs: Sequence[SimJob], progress: Progress | None = None) -> list[SimResult]:
        from distributed import as_completed as dask_completed

        futures = {self.client.submit(run_job, job, self.retries, pure=False,
                                      retries=self.retries, key=f"sim-{os.getpid()}-{k}-{id(job)}"):
                   k for k, job in enumerate(jobs)}
        try:
            return _collect(futures, len(jobs), dask_completed, _dask_result, progress)
        except BaseException:
            self.client.cancel(list(futures))
            stop_servers()
            raise

    def close(self) -> None:
        if self.owned:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()


def _dask_result(future: Any) -> SimResult:
    """A task that raised (its worker died more often than the retries allow) is a failed run."""
    try:
        return future.result()
    except Exception as exc:
        return SimResult("<dask task>", error=f"{CRASHED} on the dask cluster: {exc!r}")


def make_executor(config: ExecutorConfig) -> Executor:
    if config.kind == "dask":
        return DaskExecutor(config.address or "local", config.workers, config.retries)
    return LocalExecutor(config.workers, config.retries)
