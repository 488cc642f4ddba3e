"""The build folder, safe to share between runs: one writer at a time (a lock that a second run
waits for), temporary files and folders named after the process that owns them (so a run only
ever cleans up its own or a dead run's), and finished stage folders swapped in atomically.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sgdr_flow.signals import deferred

LOCK = ".lock"
_OWNED = re.compile(r"^\.(?:tmp|old)-.+-(\d+)$")  # .tmp-<name>-<pid>, .old-<name>-<pid>
_held: dict[Path, int] = {}  # build folders this process holds, with their nesting depth


def owned_name(kind: str, name: str) -> str:
    """`.tmp-<name>-<pid>` or `.old-<name>-<pid>`: hidden, and traceable to this process."""
    return f".{kind}-{name}-{os.getpid()}"


@contextmanager
def locked(build: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the build folder's lock for the block; a run of another process holding it is
    waited for (`on_wait` hears who it is). Re-entrant within one process. The lock is an
    flock on `build/.lock`, so it ends with its process, however that ends."""
    build = build.resolve()
    if build in _held:
        _held[build] += 1
        try:
            yield
        finally:
            _held[build] -= 1
        return
    build.mkdir(parents=True, exist_ok=True)
    fd = os.open(build / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another run"
                on_wait(f"{build} is in use by {holder}; waiting for it to finish "
                        "(Ctrl-C to stop waiting)")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        since = datetime.now().isoformat(sep=" ", timespec="seconds")
        os.pwrite(fd, f"sgdr-flow pid {os.getpid()} since {since}\n".encode(), 0)
        _held[build] = 1
        try:
            yield
        finally:
            del _held[build]
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def clean_leftovers(build: Path) -> None:
    """Remove the temporary folders of this process and of runs that are no longer alive
    (killed hard, or crashed); those of a live process are its work in progress."""
    for path in build.glob(".*-*"):
        found = _OWNED.match(path.name)
        if found and (int(found.group(1)) == os.getpid() or not _alive(int(found.group(1)))):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def swap_in(tmp: Path, final: Path) -> None:
    """Replace `final` by `tmp` so that readers only ever see a complete folder; a signal
    arriving in between is raised once both renames are done."""
    old = final.with_name(owned_name("old", final.name))
    with deferred():
        if final.exists():
            final.rename(old)
        tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def write_atomic(path: Path, text: str) -> None:
    """Write a file that readers see either as it was or complete."""
    tmp = path.with_name(owned_name("tmp", path.name))
    tmp.write_text(text)
    tmp.replace(path)
