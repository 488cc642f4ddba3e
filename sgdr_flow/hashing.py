"""Content hashes for the stage cache: files, folders of source code and JSON data."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def hash_json(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and path.name not in skip \
                and not any(part.startswith(".") for part in relative.parts):
            out[str(relative)] = hash_file(path)
    return out
