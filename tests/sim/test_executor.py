"""The executors in real ngspice: one worker, two workers and a dask cluster give the same
vectors for the same decks (Monte Carlo samples included), a killed simulator is restarted and
reported, and an interrupt leaves no simulator process behind."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from pdk.gf180mcu import DEVICES, model_deck
from pdk.gf180mcu.models import Statistical
from sim import ngspice
from sim.executor import DaskExecutor, LocalExecutor, SimJob, run_job


def nmos_sweep(vd: float, sample: Statistical | None = None) -> str:
    """Two unit NMOS swept together (a Monte Carlo sample makes them differ)."""
    return "\n".join([
        f"* nmos_3p3 sweep at VD = {vd}", *model_deck("typical", sample), f"VD d 0 {vd}",
        "VG g 0 0.4", f"XM1 d g 0 0 {DEVICES['nfet_03v3'].model} w=1u l=1u",
        f"XM2 d g 0 0 {DEVICES['nfet_03v3'].model} w=1u l=1u",
        ".dc VG 0.25 0.55 0.01", ".end"]) + "\n"


def slow_deck(seconds_of_work: int = 400000) -> str:
    """An RC transient with many forced time steps: long enough to be interrupted."""
    return (f"* slow\nV1 a 0 SIN(0 1 1k)\nR1 a b 1k\nC1 b 0 1u\n"
            f".tran 1n {seconds_of_work}n 0 1n\n.end\n")


JOBS = [SimJob(f"sweep{k}", nmos_sweep(vd, sample))
        for k, (vd, sample) in enumerate([(0.1, None), (0.5, None), (1.0, None),
                                          (1.0, Statistical(5)), (1.0, Statistical(6))])]


def run_with(executor) -> list:
    try:
        return executor.run(JOBS)
    finally:
        executor.close()


def assert_same(first: list, second: list) -> None:
    for one, two in zip(first, second, strict=True):
        assert one.ok and two.ok, (one.error, two.error)
        assert one.vectors.keys() == two.vectors.keys()
        for name in one.vectors:
            assert np.array_equal(one.vectors[name], two.vectors[name]), name


@pytest.fixture(scope="module")
def sequential() -> list:
    return run_with(LocalExecutor(1))


def test_two_local_workers_give_what_one_gives(sequential):
    assert_same(sequential, run_with(LocalExecutor(2)))
    # and the runs differ where they should: the drain voltage below saturation, the sample
    assert not np.array_equal(sequential[0]["vd#branch"], sequential[2]["vd#branch"])
    assert not np.array_equal(sequential[3]["vd#branch"], sequential[4]["vd#branch"])


def test_a_dask_cluster_gives_what_the_local_pool_gives(sequential):
    """An in-process LocalCluster (threads, each with its own simulator child)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        found = run_with(DaskExecutor(client=client))
    assert_same(sequential, found)


def test_progress_reports_every_job():
    seen = []
    executor = LocalExecutor(2)
    try:
        executor.run(JOBS[:3], lambda done, total: seen.append((done, total)))
    finally:
        executor.close()
    assert seen == [(1, 3), (2, 3), (3, 3)]


def _kill_simulators_once(after: float) -> threading.Thread:
    def kill() -> None:
        time.sleep(after)
        for server in list(ngspice._SERVERS):
            if server.process is not None and server.process.poll() is None:
                server.process.kill()

    thread = threading.Thread(target=kill)
    thread.start()
    return thread


def test_a_killed_simulator_is_restarted_and_the_run_says_so():
    job = SimJob("slow", slow_deck())
    run_job(SimJob("warm", nmos_sweep(0.5)), retries=0)  # this thread's simulator is up
    killer = _kill_simulators_once(0.5)
    result = run_job(job, retries=2)
    killer.join()
    assert result.ok, result.error
    assert result.restarts == 1


def test_a_simulator_that_keeps_dying_is_a_failed_run_not_an_exception():
    run_job(SimJob("warm", nmos_sweep(0.5)), retries=0)
    killer = _kill_simulators_once(0.5)
    result = run_job(SimJob("slow", slow_deck()), retries=0)
    killer.join()
    assert not result.ok and "simulator process failed" in result.error
    assert result.restarts == 0


def test_an_interrupt_kills_every_simulator_child():
    executor = LocalExecutor(2)
    jobs = [SimJob(f"slow{k}", slow_deck(2000000)) for k in range(4)]

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            # the first quick job finishing raises in the caller, as Ctrl-C would
            executor.run([SimJob("quick", nmos_sweep(0.5)), *jobs], interrupt)
        executor.close()
        assert time.monotonic() - started < 30, "the interrupted run waited for its simulations"
        alive = [s.process for s in ngspice._SERVERS
                 if s.process is not None and s.process.poll() is None]
        assert not alive, "simulator processes outlived the interrupt"
    finally:
        ngspice.allow_servers()
