"""The decks the flow writes run as they are under `ngspice -b`, from their folder, through the
one models library beside them, and give what the flow's own run gave (a Monte Carlo sample
included: the same seed, the same chip)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from cells.circuit import sim_netlist
from cells.translinear import translinear_loop
from pdk.gf180mcu.models import Statistical, model_dir
from sgdr_flow.config import LearningTestbench, TranslinearTestbench
from sim.decks import LIBRARY, DeckWriter
from sim.netlists import CellNetlist, _ports
from sim.ngspice import simulate
from sim.task import make_task
from sim.testbenches import Bench, biases, learning, translinear_dc
from tests.sim.conftest import schematic_array

pytestmark = pytest.mark.skipif(shutil.which("ngspice") is None, reason="no ngspice binary")


def read_ascii_raw(path: Path) -> dict[str, np.ndarray]:
    """Vectors of an ngspice ASCII rawfile (real data)."""
    lines = path.read_text().splitlines()
    count = int(next(line for line in lines if line.startswith("No. Variables:")).split(":")[1])
    at = lines.index("Variables:")
    names = [lines[at + 1 + k].split()[1].lower() for k in range(count)]
    values = [float(v) for line in lines[lines.index("Values:") + 1:] for v in line.split()]
    rows = np.array(values).reshape(-1, count + 1)[:, 1:]
    return {name: rows[:, k] for k, name in enumerate(names)}


def run_standalone(folder: Path, stem: str) -> dict[str, np.ndarray]:
    done = subprocess.run(["ngspice", "-b", f"{stem}.cir"], cwd=folder, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return read_ascii_raw(folder / f"{stem}.raw")


def learning_job(bench: Bench):
    cell = schematic_array(2, {"w": 1.0, "l": 1.0, "k": 8, "capacitance_ff": 1000.0})
    tb = LearningTestbench(eta_per_s=20000.0, sample_period_s=20e-6, lam=0.2)
    bias = biases(tb, tb.eta_per_s, tb.lam, 1e-12, 1.4, 27.0)
    task = make_task(2, 8, seed=3, x_range=tb.x_range, w_range=tb.w_range)
    return learning(cell, ["xa.xs0.vc", "xa.xs1.vc"], task, tb, bias, [0.42, 0.42],
                    tb.sample_period_s, bench, "standalone")


@pytest.mark.parametrize("bench", [Bench("ss", None, 85.0), Bench(sample=Statistical(77))])
def test_a_written_deck_runs_alone_and_agrees_with_the_flow(tmp_path: Path, bench: Bench):
    job = learning_job(bench)
    written = DeckWriter(tmp_path).write(job)
    text = Path(written.path).read_text()
    assert str(model_dir()) not in text  # the PDK is named only in the library
    assert f".lib {LIBRARY} {bench.section()}" in text
    assert str(model_dir()) in (tmp_path / LIBRARY).read_text()
    flow = simulate(written.deck)
    assert flow.ok, flow.error
    alone = run_standalone(tmp_path, Path(written.path).stem)
    for source in ("vwm0", "vwm1", "vym"):
        assert alone[f"i({source})"][-1] == pytest.approx(flow[f"{source}#branch"][-1],
                                                         rel=1e-6, abs=1e-18), source


def test_repointing_the_library_moves_every_deck(tmp_path: Path):
    """A copy of the PDK's model folder elsewhere: edit the one library, the decks follow."""
    circuit = translinear_loop(2.0, 2.0, 1)
    circuit.name = "tl"
    text = sim_netlist(circuit)
    cell = CellNetlist("tl", "schematic", text, _ports(text, "tl", tmp_path), tmp_path)
    job = translinear_dc(cell, TranslinearTestbench(points_per_decade=2), Bench(), "x")
    written = DeckWriter(tmp_path / "decks").write(job)
    copy = tmp_path / "pdk"
    shutil.copytree(model_dir(), copy)
    library = tmp_path / "decks" / LIBRARY
    library.write_text(library.read_text().replace(str(model_dir()), str(copy)))
    assert str(model_dir()) not in library.read_text()
    alone = run_standalone(tmp_path / "decks", Path(written.path).stem)
    flow = simulate(job.netlist)
    np.testing.assert_allclose(alone["i(vout)"], flow["vout#branch"], rtol=1e-6)
