"""A build folder shared by several runs: one writer at a time, and each run's temporary
folders left alone by the others."""

from __future__ import annotations

import subprocess
import sys
import time

from sgdr_flow.build_folder import clean_leftovers
from sgdr_flow.cli import main
from tests.conftest import REPO


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_cleanup_spares_a_live_runs_temporary_folders(tmp_path):
    build = tmp_path / "build"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = build / f".tmp-pex-{other.pid}"
        (live / ".kpex-synapse").mkdir(parents=True)
        dead = build / f".tmp-pex-{_dead_pid()}"
        dead.mkdir()
        old = build / f".old-sim-{_dead_pid()}"
        old.mkdir()
        clean_leftovers(build)
        assert live.is_dir(), "another run's work was deleted"
        assert not dead.exists() and not old.exists()
    finally:
        other.kill()
        other.wait()


HOLD = """
import sys, time
from pathlib import Path
from sgdr_flow.build_folder import locked
with locked(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_second_run_waits_for_the_first(flow_file, tmp_path, capsys):
    """A second run on the same build folder waits, saying for whom, then proceeds."""
    build = tmp_path / "build"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(build), "2"], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        assert main(["stages", str(flow_file()), "--out", str(build)]) == 0  # reads: no lock
        assert time.monotonic() - started < 1.5
        code = main(["run", str(flow_file()), "--out", str(build), "--only", "cells"])
        waited = time.monotonic() - started
    finally:
        holder.wait()
    assert code == 0
    assert waited > 1.0
    err = capsys.readouterr().err
    assert f"pid {holder.pid}" in err and "waiting" in err
