"""Content hashes for the stage cache: files, folders of source code and JSON data."""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def hash_json(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


_known: dict[tuple[str, int, int, int, int], str] = {}  # (path, inode, size, mtime, ctime)


def hash_file(path: Path) -> str:
    """sha256 of a file; a file this process hashed before and that has not been touched since
    (same inode, size, modification and change time: no write leaves the change time alone) is
    not read again, so verifying every stage's outputs on every run stays cheap."""
    info = path.stat()
    key = (str(path), info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    if key not in _known:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _known[key] = digest.hexdigest()
    return _known[key]


@cache
def hash_code(package: str) -> str:
    """Hash of every .py file of a top-level package of this repository (stage code version)."""
    root = REPO_ROOT / package
    return hash_python_source(root if root.is_dir() else root.with_suffix(".py"))


def hash_python_source(root: Path) -> str:
    """Hash of a Python module file, or of every .py file below a package folder."""
    files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root.parent)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def hash_tree(root: Path, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """Relative path -> sha256 of every file below root, except the names in `skip` and hidden
    files and folders (a tool's scratch space, a file being replaced atomically)."""
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        prefix = os.path.relpath(folder, root)
        for name in files:
            if not name.startswith(".") and name not in skip:
                key = name if prefix == "." else os.path.join(prefix, name)
                out[key] = hash_file(Path(folder, name))
    return dict(sorted(out.items()))
