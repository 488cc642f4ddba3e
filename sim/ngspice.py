"""ngspice through PySpice's shared-library binding: one simulator per process.

ngspice's shared library holds global state, so a process runs one simulation at a time. The
calling process never loads the library: `simulate` hands its deck to a long-lived child process
(`Server`), one per calling thread, so threads run simulations in parallel (`sim.executor`) and
every child can be stopped from the parent (`stop_servers`).

A run fails when ngspice rejects the deck or aborts the analysis; the result then carries
ngspice's own message and the path of the netlist file. A failure to converge (timestep too
small, no convergence, singular matrix, gmin/source stepping failed) is retried with the relaxed
option sets of `RELAXATIONS`, one after the other, until one succeeds; every attempt (its options,
its message, whether it succeeded, the deck it ran) is kept in `SimResult.attempts`. A run that
succeeds the first time runs exactly the deck it was given.
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import re
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

# lines of ngspice's output that make up its message about a failure
FATAL = re.compile(r"(?i)(error|timestep too small|no convergence|singular matrix|aborted|"
                   r"stepping failed|trouble with node|iteration limit)")
# ... and the lines that mean the run did not complete (warnings alone do not)
FAILED = re.compile(r"(?i)(aborted|\berror\b)")
# failures that relaxed options can cure (a deck ngspice cannot parse is not retried)
CONVERGENCE = re.compile(r"(?i)(timestep too small|no convergence|singular matrix|"
                         r"stepping failed|iteration limit|trouble with node|op failed)")
_GMIN_TRIAL = re.compile(r"Trying gmin =\s*\S+\s*")


@dataclass(frozen=True)
class Relaxation:
    """One retry: `.option` settings appended to the deck (ngspice lets a later `.option`
    override an earlier one) and, for a transient, a maximum time step `max_step_scale` times
    the one the deck would otherwise get."""

    name: str
    options: dict[str, str]
    max_step_scale: float | None = None

    def option_card(self) -> str:
        return ".option " + " ".join(f"{k}={v}" for k, v in self.options.items())

    def apply(self, netlist: str) -> str:
        lines = netlist.rstrip("\n").split("\n")
        if self.max_step_scale is not None:
            lines = [_smaller_max_step(line, self.max_step_scale) for line in lines]
        card = [f"* relaxed options ({self.name}), added by sgdr-flow after a failed run",
                self.option_card()]
        end = next((i for i in range(len(lines) - 1, -1, -1)
                    if lines[i].strip().lower() == ".end"), len(lines))
        return "\n".join(lines[:end] + card + lines[end:]) + "\n"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "options": dict(self.options)}
        if self.max_step_scale is not None:
            out["max_step_scale"] = self.max_step_scale
        return out


# Least invasive first: more Newton iterations (the answer's accuracy is unchanged), then looser
# tolerances (abstol stays at 10 fA, small against the pA..nA currents of weak inversion), then a
# smaller transient step with gmin and source stepping ladders, then 1 POhm shunts on every node.
_ITERATIONS = {"method": "gear", "itl1": "500", "itl2": "200", "itl4": "50"}
_TOLERANCES = {"reltol": "0.01", "abstol": "1e-14", "vntol": "1e-5"}
_STEPPING = {"gminsteps": "100", "srcsteps": "100"}
RELAXATIONS: tuple[Relaxation, ...] = (
    Relaxation("gear, more iterations", _ITERATIONS),
    Relaxation("looser tolerances", {**_ITERATIONS, **_TOLERANCES}),
    Relaxation("smaller max step, gmin/source stepping",
               {**_ITERATIONS, **_TOLERANCES, **_STEPPING}, max_step_scale=0.1),
    Relaxation("1e15 ohm node shunts",
               {**_ITERATIONS, **_TOLERANCES, **_STEPPING, "rshunt": "1e15"},
               max_step_scale=0.1),
)

_SUFFIX = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "meg": 1e6,
           "g": 1e9, "t": 1e12, "mil": 25.4e-6}
_NUMBER = re.compile(r"^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(meg|mil|[fpnumkgt])?[a-z]*$",
                     re.IGNORECASE)


def spice_number(text: str) -> float | None:
    """A SPICE number with its scale suffix (1.5u, 2meg, 1e-9), or None."""
    found = _NUMBER.match(text.strip())
    if not found:
        return None
    suffix = (found.group(2) or "").lower()
    return float(found.group(1)) * _SUFFIX.get(suffix, 1.0)


def _smaller_max_step(line: str, scale: float) -> str:
    """`.tran tstep tstop [tstart [tmax]] [uic]` with tmax scaled down; other lines as they are.
    Without a tmax, ngspice uses min(tstep, (tstop - tstart) / 50)."""
    words = line.split()
    if not words or words[0].lower() != ".tran":
        return line
    uic = [w for w in words[1:] if w.lower() == "uic"]
    values = [spice_number(w) for w in words[1:] if w.lower() != "uic"]
    if len(values) < 2 or any(v is None for v in values) or len(values) > 4:
        return line
    tstep, tstop = values[0], values[1]
    tstart = values[2] if len(values) > 2 else 0.0
    tmax = values[3] if len(values) > 3 else min(tstep, (tstop - tstart) / 50)
    return " ".join([".tran", f"{tstep:.6e}", f"{tstop:.6e}", f"{tstart:.6e}",
                     f"{tmax * scale:.6e}", *uic])


@dataclass
class Attempt:
    """One run of a deck: as written (`relaxation` None) or with relaxed options."""

    relaxation: Relaxation | None
    ok: bool
    message: str | None
    netlist: str
    seconds: float

    def as_json(self) -> dict[str, Any]:
        options = self.relaxation.as_json() if self.relaxation else {"name": "as written"}
        return {"options": options, "ok": self.ok, "message": self.message,
                "netlist": self.netlist, "seconds": round(self.seconds, 3)}


@dataclass
class SimResult:
    """Vectors of the last analysis (lower-case names), or ngspice's own failure message.

    `netlist` is the path of the deck file (or "<netlist>"), `error` the message of the run as
    written, `attempts` every run made (the first one as written, then one per relaxation),
    `restarts` how often the simulator process died and the job was run again."""

    netlist: str
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    error: str | None = None
    log: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    restarts: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def retried(self) -> bool:
        return len(self.attempts) > 1

    def describe(self) -> str:
        """One line for a person: the netlist and what ngspice said."""
        if self.ok:
            extra = f" after {len(self.attempts) - 1} relaxed retries" if self.retried else ""
            return f"{self.netlist}: ok{extra}"
        return f"{self.netlist}: {self.error}"

    def __getitem__(self, name: str) -> np.ndarray:
        return self.vectors[name.lower()]


_LOADED: list[str] = []  # the circuit this process's ngspice holds, if any


@cache
def _shared() -> Any:
    """Load ngspice in this (child) process. Its OpenMP threads busy-wait by default, so two
    simulators on two cores starve each other (measured: the sim stage 165 s instead of about
    40 s); a passive wait policy, read when the library loads, lets them share the machine."""
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    logging.getLogger("PySpice").setLevel(logging.CRITICAL)  # we report ngspice's messages
    from PySpice.Spice.NgSpice.Shared import NgSpiceShared

    return NgSpiceShared.new_instance()


def _run_once(netlist: str, where: str) -> SimResult:
    """Run `netlist` (with its analysis card) once and return the last plot's vectors."""
    ng = _shared()
    ng.destroy()
    log: list[str] = []
    try:
        if _LOADED:
            ng.remove_circuit()
            _LOADED.clear()
        ng.load_circuit(netlist)
        log += ng._stderr + ng._stdout
        if _failed(ng._stderr):  # a failed load keeps the old circuit: never run a stale one
            return SimResult(where, error=_message(ng._stderr), log=log)
        _LOADED.append(where)
        raised: Exception | None = None
        try:
            ng.run()
        except Exception as exc:  # PySpice also raises on ngspice's harmless "Note:" lines
            raised = exc
        log += ng._stderr + ng._stdout
        # an aborted analysis can leave a partial plot behind: ngspice's words decide
        if _failed(ng._stderr) or (raised and ng.last_plot == "const"):
            return SimResult(where, error=_message(log) or str(raised), log=log)
    except Exception as exc:  # PySpice raises bare NameError / NgSpice*Error without the text
        log += ng._stderr + ng._stdout
        return SimResult(where, error=_message(log) or str(exc), log=log)
    if ng.last_plot == "const":
        return SimResult(where, error=_message(log) or "no analysis ran", log=log)
    plot = ng.plot(None, ng.last_plot)
    vectors = {name.lower(): np.asarray(vec._data) for name, vec in plot.items()}
    return SimResult(where, vectors, None, log)


def simulate(netlist: str, netlist_path: Path | None = None,
             relaxations: Sequence[Relaxation] = RELAXATIONS) -> SimResult:
    """Run `netlist` in this thread's simulator process (see `Server`), with retries
    (`simulate_here`)."""
    return _server().run((netlist, netlist_path, tuple(relaxations)))


class Server:
    """A long-lived `python -m sim.ngspice` child that owns the ngspice shared library, so the
    calling process never loads it (its global state and exit handlers cannot touch the caller,
    and scripts need no `__main__` guard). Requests and results travel pickled over pipes."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        with _SERVERS_LOCK:  # no new simulator once an interrupt stopped them all
            if _STOPPING.is_set():
                raise OSError("the run was interrupted")
            if self.process is None or self.process.poll() is not None:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "sim.ngspice"], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, cwd=str(Path(__file__).resolve().parent.parent))
            return self.process

    def run(self, request: tuple) -> SimResult:
        try:
            process = self._start()
            _send(process.stdin, request)
            return _receive(process.stdout)
        except (OSError, EOFError, pickle.UnpicklingError, struct.error) as exc:
            self.process = None
            where = str(request[1]) if request[1] else "<netlist>"
            return SimResult(where, error=f"the simulator process failed: {exc!r}")

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def kill(self) -> None:
        """Stop the child now (an interrupted run must not leave simulators behind)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


_LOCAL = threading.local()
_SERVERS: list[Server] = []
_SERVERS_LOCK = threading.Lock()
_STOPPING = threading.Event()


def _server() -> Server:
    """This thread's simulator process (started on first use)."""
    server = getattr(_LOCAL, "server", None)
    if server is None:
        server = _LOCAL.server = Server()
        with _SERVERS_LOCK:
            _SERVERS.append(server)
    return server


def stop_servers() -> None:
    """Kill every simulator child of this process and start no new one until `allow_servers`
    (on interrupt: nothing may outlive the run, and no worker thread may restart one)."""
    with _SERVERS_LOCK:
        _STOPPING.set()
        servers = list(_SERVERS)
    for server in servers:
        server.kill()


def stopping() -> bool:
    return _STOPPING.is_set()


def allow_servers() -> None:
    """Simulators may start again (a new run after an interrupted one, in the same process)."""
    _STOPPING.clear()


@atexit.register
def _close_servers() -> None:
    with _SERVERS_LOCK:
        servers = list(_SERVERS)
    for server in servers:
        server.close()


def _send(stream, obj: Any) -> None:
    data = pickle.dumps(obj)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def _receive(stream) -> Any:
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError("the simulator process ended")
    (size,) = struct.unpack("<Q", header)
    return pickle.loads(stream.read(size))


def serve() -> None:
    """The child's loop: one request in, one result out, until stdin closes."""
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # anything printed must not corrupt the reply stream
    while True:
        try:
            request = _receive(requests)
        except EOFError:
            return
        _send(replies, simulate_here(*request))


def simulate_here(netlist: str, netlist_path: Path | None = None,
                  relaxations: Sequence[Relaxation] = RELAXATIONS) -> SimResult:
    """Run `netlist` in this process; on a convergence failure retry it with each of
    `relaxations` in turn.

    With a `netlist_path`, every relaxed deck is written next to it (`<stem>.retry<k>.cir`) so
    that each attempt can be rerun by hand."""
    where = str(netlist_path) if netlist_path else "<netlist>"
    started = time.monotonic()
    first = _run_once(netlist, where)
    first.attempts = [Attempt(None, first.ok, first.error, where, time.monotonic() - started)]
    if first.ok or not CONVERGENCE.search(first.error or ""):
        return first
    for k, relaxation in enumerate(relaxations, 1):
        deck = relaxation.apply(netlist)
        deck_where = "<netlist>"
        if netlist_path and netlist_path.parent.is_dir():
            deck_path = netlist_path.with_name(f"{netlist_path.stem}.retry{k}.cir")
            deck_path.write_text(deck)
            deck_where = str(deck_path)
        started = time.monotonic()
        result = _run_once(deck, deck_where)
        first.attempts.append(Attempt(relaxation, result.ok, result.error, deck_where,
                                      time.monotonic() - started))
        if result.ok:
            return SimResult(where, result.vectors, None, result.log, first.attempts)
    return first


def _failed(lines: list[str]) -> bool:
    return any(FAILED.search(line) for line in lines)


def _message(lines: list[str]) -> str:
    hits = [_GMIN_TRIAL.sub("", line).strip() for line in lines if FATAL.search(line)]
    return "; ".join(dict.fromkeys(h for h in hits if h))[:2000]


if __name__ == "__main__":
    # run the loop from the importable module, so that results pickle as sim.ngspice.SimResult
    from sim.ngspice import serve as module_serve

    module_serve()
