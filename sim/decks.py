"""Decks on disk that run as they are: `cd build/sim/decks && ngspice -b <deck>.cir` simulates
and writes `<deck>.raw`.

The flow simulates each deck through ngspice's shared library with the PDK's model files named
by absolute path. The file written for it is the same deck with two changes: its model lines
are one `.lib pdk_models.lib <section>` (the folder's `pdk_models.lib` is the only file that
names the PDK's models, so repointing it moves every deck to another PDK install), and a
`.control` block runs the analysis and writes every vector as an ASCII rawfile (the shared
library runs the analysis itself and must not see that block). A failed analysis writes no
rawfile; ngspice prints why."""

from __future__ import annotations

from pathlib import Path

from pdk.gf180mcu.models import models_library
from sim.executor import SimJob
from sim.testbenches import Bench, Job

LIBRARY = "pdk_models.lib"


def slug(name: str) -> str:
    """File name stem of a job's deck."""
    return name.replace("/", "_").replace(" ", "").replace("=", "-")


def standalone(job: Job, stem: str) -> str:
    """The job's deck as `ngspice -b` runs it (see the module docstring)."""
    text = job.netlist
    if job.bench is not None:
        models = [line for line in job.bench.models() if not line.startswith(".option")]
        text = text.replace("\n".join(models), f".lib {LIBRARY} {job.bench.section()}", 1)
    control = [".control", "set filetype=ascii", "run", f"write {stem}.raw", "quit", ".endc"]
    lines = text.rstrip("\n").split("\n")
    end = max(i for i, line in enumerate(lines) if line.strip().lower() == ".end")
    return "\n".join(lines[:end] + control + lines[end:]) + "\n"


class DeckWriter:
    """Writes jobs' decks into one folder, and the models library they use beside them."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.benches: dict[str, Bench] = {}
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, job: Job, stem: str | None = None) -> SimJob:
        """Write the job's standalone deck; the SimJob runs the flow's form of it."""
        stem = stem or slug(job.name)
        path = self.folder / f"{stem}.cir"
        path.write_text(standalone(job, stem))
        if job.bench is not None and job.bench.section() not in self.benches:
            self.benches[job.bench.section()] = job.bench
            points = [(b.corner, b.sample) for b in self.benches.values()]
            (self.folder / LIBRARY).write_text(models_library(points))
        return SimJob(job.name, job.netlist, str(path))
