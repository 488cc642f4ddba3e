"""Progress display for long stages: one line per stage, throttled step lines inside a stage,
and a heartbeat naming the current item when nothing was shown for a while (a klayout-pex
extraction or a simulation can take minutes without a word)."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, min_interval_s: float = 1.0,
                 heartbeat_s: float = 10.0):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.min_interval_s = min_interval_s
        self.heartbeat_s = heartbeat_s
        self._last_step = 0.0
        self._prefix = ""
        self._open_line = False
        self._lock = threading.Lock()
        self._item = ""
        self._item_since = 0.0
        self._last_write = 0.0
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def _write(self, text: str, final: bool = True) -> None:
        with self._lock:
            if self.tty and self._open_line:
                self.stream.write("\r\033[K")
            self.stream.write(text + ("\n" if final or not self.tty else ""))
            self.stream.flush()
            self._open_line = self.tty and not final
            self._last_write = time.monotonic()

    def _working_on(self, item: str) -> None:
        self._item, self._item_since = item, time.monotonic()

    def stage(self, index: int, total: int, name: str) -> None:
        self._prefix = f"[{index}/{total}] {name:<7}"
        self._working_on("running")
        self._write(f"{self._prefix} running", final=False)
        if self._ticker is None:
            self._stop.clear()
            self._ticker = threading.Thread(target=self._beat, name="progress-heartbeat",
                                            daemon=True)
            self._ticker.start()

    def done(self, status: str, seconds: float | None = None, note: str = "") -> None:
        self.idle()
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        self._write(f"{self._prefix} {status}{took}{' - ' + note if note else ''}")

    def step(self, text: str, done: int | None = None, total: int | None = None) -> None:
        """Report work inside a stage; lines are throttled unless the step is the last."""
        now = time.monotonic()
        count = f" ({done}/{total})" if done is not None and total is not None else ""
        self._working_on(f"{text}{count}")
        last = done is not None and total is not None and done >= total
        if not last and now - self._last_step < self.min_interval_s:
            return
        self._last_step = now
        self._write(f"{self._prefix}   {text}{count}", final=not self.tty)

    def info(self, text: str) -> None:
        self._write(text)

    def idle(self) -> None:
        """Stop the heartbeat (the stage ended, however it ended)."""
        if self._ticker is not None:
            self._stop.set()
            self._ticker.join()
            self._ticker = None

    def _beat(self) -> None:
        while not self._stop.wait(min(1.0, self.heartbeat_s / 4)):
            now = time.monotonic()
            if now - self._last_write >= self.heartbeat_s:
                try:
                    self._write(f"{self._prefix}   {self._item}: still running, "
                                f"{now - self._item_since:.0f} s", final=not self.tty)
                except (OSError, ValueError):  # the stream went away (closed pipe)
                    return
