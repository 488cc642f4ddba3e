"""klayout-pex in worker processes: the same files and results as in this process, whatever
the order; an extraction that crashes is reported with its traceback (as it would be in this
process) and leaves no worker behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cells.build import build_cell
from extraction.lvs.engine import run_lvs
from extraction.pex_hier import KpexJob
from extraction.pex_pool import run_jobs
from pdk.gf180mcu.stack import MetalStack

CELLS = (("mirror", "current_mirror", {"kind": "pmos", "w": 2.0, "l": 2.0, "ratio": "1:2"}),
         ("pair", "matched_group", {"kind": "nmos", "w": 2.0, "l": 2.0, "devices": 2,
                                    "units": 2, "pattern": "common_centroid"}),
         ("tl", "translinear_loop", {"w": 2.0, "l": 2.0, "k": 1}))


@pytest.fixture(scope="module")
def lvsdbs(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("cells")
    found = []
    for name, cell, params in CELLS:
        built = build_cell(name, cell, params, MetalStack(), out)
        lvs = run_lvs(built.gds, built.lvs, name, MetalStack())
        assert lvs.match
        lvs.write_lvsdb(out / f"{name}.lvsdb")
        found.append(out / f"{name}.lvsdb")
    return found


def _workers_of_this_process() -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if ppid == os.getpid() and b"extraction.pex_pool" in command:
            found.append(int(stat.parent.name))
    return found


def test_workers_write_what_this_process_writes(tmp_path: Path, lvsdbs: list[Path]):
    results = {}
    for workers in (1, 2):
        out = tmp_path / str(workers)
        out.mkdir()
        jobs = [KpexJob(path, path.stem, out) for path in lvsdbs]
        seen: list[int] = []
        results[workers] = run_jobs(jobs, False, workers, lambda now, done, seen=seen:
                                    seen.append(done))
        assert seen[-1] == len(jobs)
        assert [r.cell for r in results[workers]] == [path.stem for path in lvsdbs]
    for one, two in zip(results[1], results[2], strict=True):
        assert one.couplings == two.couplings and one.warnings == two.warnings
        assert one.netlist.read_bytes() == two.netlist.read_bytes()
        assert one.netlist.parent != two.netlist.parent
    assert not _workers_of_this_process()


def test_a_crashed_extraction_stops_every_worker(tmp_path: Path, lvsdbs: list[Path]):
    broken = tmp_path / "broken.lvsdb"
    broken.write_text("#%lvsdb-klayout\nnot a database\n")
    jobs = [KpexJob(path, path.stem, tmp_path) for path in (*lvsdbs, broken)]
    with pytest.raises(RuntimeError, match=r"(?s)broken\.lvsdb crashed.*not been extracted"):
        run_jobs(jobs, False, 2, lambda now, done: None)
    assert not _workers_of_this_process()
