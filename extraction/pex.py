"""Parasitic extraction with klayout-pex's 2.5D engine on the LVS stage's .lvsdb.

klayout-pex reads the layout side of our LVS database (its layer names match the `gf180mcuD`
technology), so no KLayout application is needed. Devices are black boxes: transistors keep the
foundry names (nfet_03v3, pfet_03v3) and MIM capacitors stay model devices
(`cap_mim_2f0_m4m5_noshield c_width= c_length=`) with only the parasitics around them extracted,
so the MIM's corner, temperature and voltage coefficients and its Monte Carlo variation apply to
the post-layout netlist as they do to the schematic. `sim/` maps the names onto the installed
PDK's models.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sgdr_flow.errors import FlowError

KPEX_PDK = "gf180mcuD"


@dataclass
class PexResult:
    cell: str
    netlist: Path
    seconds: float
    couplings: dict[tuple[str, str], float] = field(default_factory=dict)  # fF, net pairs
    resistors: int = 0

    def net_totals(self) -> dict[str, float]:
        """Total parasitic capacitance of each net (to everything), fF."""
        total: dict[str, float] = defaultdict(float)
        for (a, b), cap in self.couplings.items():
            total[a] += cap
            total[b] += cap
        return dict(total)

    def couplings_of(self, net: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for (a, b), cap in self.couplings.items():
            if net in (a, b):
                other = b if a == net else a
                out[other] = out.get(other, 0.0) + cap
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def run_kpex(lvsdb: Path, cell: str, out_dir: Path, resistance: bool) -> PexResult:
    """Extract one cell; the netlist lands in out_dir/<cell>.pex.spice."""
    from klayout_pex.kpex_cli import KpexCLI

    work = out_dir / f".kpex-{cell}"
    shutil.rmtree(work, ignore_errors=True)
    netlist = out_dir / f"{cell}.pex.spice"
    argv = ["kpex", "extract", "--pdk", KPEX_PDK, "--lvsdb", str(lvsdb), "--2.5D",
            "--mode", "RC" if resistance else "CC", "--blackbox", "true",
            "--out-dir", str(work), "--out-netlist", str(netlist), "--log-level", "warning"]
    log = io.StringIO()
    started = time.monotonic()
    cli = KpexCLI()
    try:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            cli.main(argv)
    except SystemExit as exc:
        if exc.code:
            raise FlowError(f"klayout-pex failed on {lvsdb}: {log.getvalue()[-1500:]}") from exc
    summary = cli.rcx25_extraction_results.summarize()
    couplings = {(k.net1, k.net2): float(v) for k, v in summary.capacitances.items()}
    (out_dir / f"{cell}.kpex.log").write_text(log.getvalue())
    shutil.rmtree(work, ignore_errors=True)
    return PexResult(cell, netlist, time.monotonic() - started, couplings,
                     len(summary.resistances))
