"""Helpers shared by the benchmark scripts: a measurement in a process of its own."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path


def own_peak_mb() -> float:
    """This process's peak resident memory (VmHWM; getrusage's maxrss keeps the parent's
    peak across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(script: Path, args: list[str]) -> dict:
    """Run `script` on one measurement in a fresh process; the JSON of its last output line."""
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"measurement {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
