"""ngspice through PySpice's shared-library binding: one simulator per process.

ngspice's shared library holds global state, so a process runs one simulation at a time and
independent simulations go to separate worker processes (`simulate_many`).
"""

from __future__ import annotations

import logging
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

FATAL = re.compile(r"(?i)(error|timestep too small|no convergence|singular matrix|aborted)")


@dataclass
class SimResult:
    """Vectors of the last analysis (lower-case names), or ngspice's own failure message."""

    netlist: str
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    error: str | None = None
    log: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def __getitem__(self, name: str) -> np.ndarray:
        return self.vectors[name.lower()]


_LOADED: list[str] = []  # the circuit this process's ngspice holds, if any


@cache
def _shared() -> Any:
    logging.getLogger("PySpice").setLevel(logging.CRITICAL)  # we report ngspice's messages
    from PySpice.Spice.NgSpice.Shared import NgSpiceShared

    return NgSpiceShared.new_instance()


def simulate(netlist: str, netlist_path: Path | None = None) -> SimResult:
    """Run `netlist` (with its analysis card) and return the last plot's vectors."""
    ng = _shared()
    where = str(netlist_path) if netlist_path else "<netlist>"
    ng.destroy()
    log: list[str] = []
    try:
        if _LOADED:
            ng.remove_circuit()
            _LOADED.clear()
        ng.load_circuit(netlist)
        log += ng._stderr + ng._stdout
        if _message(ng._stderr):  # a failed load keeps the old circuit: never run a stale one
            return SimResult(where, error=_message(ng._stderr), log=log)
        _LOADED.append(where)
        try:
            ng.run()
        except Exception as exc:  # PySpice also raises on ngspice's harmless "Note:" lines
            if _message(ng._stderr) or ng.last_plot == "const":
                log += ng._stderr + ng._stdout
                return SimResult(where, error=_message(log) or str(exc), log=log)
        log += ng._stderr + ng._stdout
    except Exception as exc:  # PySpice raises bare NameError / NgSpice*Error without the text
        log += ng._stderr + ng._stdout
        return SimResult(where, error=_message(log) or str(exc), log=log)
    if ng.last_plot == "const":
        return SimResult(where, error=_message(log) or "no analysis ran", log=log)
    plot = ng.plot(None, ng.last_plot)
    vectors = {name.lower(): np.asarray(vec._data) for name, vec in plot.items()}
    return SimResult(where, vectors, None, log)


def _message(lines: list[str]) -> str:
    hits = [line.strip() for line in lines if FATAL.search(line)]
    return "; ".join(dict.fromkeys(hits))[:2000]


def _worker(args: tuple[str, str | None]) -> SimResult:
    netlist, path = args
    return simulate(netlist, Path(path) if path else None)


def simulate_many(jobs: list[tuple[str, Path | None]], parallel: int) -> list[SimResult]:
    """Run independent netlists in `parallel` worker processes (one ngspice each)."""
    args = [(netlist, str(path) if path else None) for netlist, path in jobs]
    if parallel <= 1 or len(jobs) <= 1:
        return [_worker(a) for a in args]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=parallel, mp_context=context) as pool:
        return list(pool.map(_worker, args))
