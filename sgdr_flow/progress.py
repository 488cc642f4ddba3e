"""Progress display for long stages: one line per stage, throttled step lines inside a stage."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, min_interval_s: float = 1.0):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.min_interval_s = min_interval_s
        self._last_step = 0.0
        self._prefix = ""
        self._open_line = False

    def _write(self, text: str, final: bool = True) -> None:
        if self.tty and self._open_line:
            self.stream.write("\r\033[K")
        self.stream.write(text + ("\n" if final or not self.tty else ""))
        self.stream.flush()
        self._open_line = self.tty and not final

    def stage(self, index: int, total: int, name: str) -> None:
        self._prefix = f"[{index}/{total}] {name:<7}"
        self._write(f"{self._prefix} running", final=False)

    def done(self, status: str, seconds: float | None = None, note: str = "") -> None:
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        self._write(f"{self._prefix} {status}{took}{' - ' + note if note else ''}")

    def step(self, text: str, done: int | None = None, total: int | None = None) -> None:
        """Report work inside a stage; lines are throttled unless the step is the last."""
        now = time.monotonic()
        last = done is not None and total is not None and done >= total
        if not last and now - self._last_step < self.min_interval_s:
            return
        self._last_step = now
        count = f" ({done}/{total})" if done is not None and total is not None else ""
        self._write(f"{self._prefix}   {text}{count}", final=not self.tty)

    def info(self, text: str) -> None:
        self._write(text)
