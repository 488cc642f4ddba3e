"""Ctrl-C (SIGINT) and SIGTERM as one exception, `Interrupted`, that unwinds the run cleanly.

While `handled()` is active, either signal raises `Interrupted` in the main thread. It derives
from KeyboardInterrupt, so `except Exception` never swallows it and code that already cleans up
after a Ctrl-C does the same for a SIGTERM. A library may still wrap it (KLayout turns an
exception raised in a Python callback into a RuntimeError); `received()` tells the runner that
a signal arrived whatever the exception looks like by the time it gets there.

`deferred()` marks a short critical section (renaming a finished stage into place): a signal
arriving inside it is raised when the section ends, so no folder is left half swapped.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; the CLI exits with 128 + its number (130, 143)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class _State:
    received: int | None = None
    deferring = 0
    pending = False


def received() -> int | None:
    """The first signal received while `handled()` was active, if any."""
    return _State.received


def check(cause: BaseException | None = None) -> None:
    """Raise `Interrupted` if a signal has arrived (chained to `cause`, what it became)."""
    if _State.received is not None:
        raise Interrupted(_State.received) from cause


def _handler(signum: int, frame: FrameType | None) -> None:
    if _State.received is None:
        _State.received = signum
    if _State.deferring:
        _State.pending = True
        return
    raise Interrupted(signum)


@contextmanager
def handled() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into `Interrupted` (main thread only), restoring on exit."""
    previous = {signum: signal.getsignal(signum) for signum in HANDLED}
    _State.received, _State.deferring, _State.pending = None, 0, False
    for signum in HANDLED:
        signal.signal(signum, _handler)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _State.received, _State.deferring, _State.pending = None, 0, False


@contextmanager
def deferred() -> Iterator[None]:
    """A critical section: a signal arriving inside is raised when it ends."""
    _State.deferring += 1
    try:
        yield
    finally:
        _State.deferring -= 1
    if not _State.deferring and _State.pending:
        _State.pending = False
        check()
