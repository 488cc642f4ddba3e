"""Progress lines: a heartbeat names the item that has run for long without a word."""

from __future__ import annotations

import io
import time

from sgdr_flow.progress import Progress


def test_heartbeat_names_the_long_item():
    stream = io.StringIO()
    progress = Progress(stream, min_interval_s=0, heartbeat_s=0.3)
    progress.stage(5, 7, "pex")
    progress.step("klayout-pex synapse", 1, 4)
    time.sleep(1.0)
    progress.done("ok", 1.0)
    time.sleep(0.5)
    lines = stream.getvalue().splitlines()
    beats = [line for line in lines if "still running" in line]
    assert beats and all("klayout-pex synapse (1/4): still running" in b for b in beats)
    assert lines[-1].startswith("[5/7] pex") and lines[-1].endswith("ok in 1.0 s")


def test_no_heartbeat_while_output_flows():
    stream = io.StringIO()
    progress = Progress(stream, min_interval_s=0, heartbeat_s=0.5)
    progress.stage(1, 1, "drc")
    for i in range(8):
        progress.step("rule", i + 1, 8)
        time.sleep(0.1)
    progress.done("ok")
    assert "still running" not in stream.getvalue()
