"""Parasitic extraction with klayout-pex's 2.5D engine on the LVS stage's .lvsdb.

klayout-pex reads the layout side of our LVS database (its layer names match the `gf180mcuD`
technology), so no KLayout application is needed. Devices are black boxes: transistors keep the
foundry names (nfet_03v3, pfet_03v3) and MIM capacitors stay model devices
(`cap_mim_2f0_m4m5_noshield c_width= c_length=`) with only the parasitics around them extracted,
so the MIM's corner, temperature and voltage coefficients and its Monte Carlo variation apply to
the post-layout netlist as they do to the schematic. `sim/` maps the names onto the installed
PDK's models.

The netlist is made the same bytes for the same layout (klayout-pex writes the date into its
header; the line is dropped), and klayout-pex's console log, full of clock times and temporary
paths, is kept only for its warnings.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sgdr_flow.errors import FlowError

KPEX_PDK = "gf180mcuD"
_DATE = re.compile(r"^\*+\s*Date:.*\n", re.MULTILINE)  # "***     Date: 2026-12-06 05:06:28"
_WARNING = re.compile(r"^(?:\[[\d:]+\]\s+)?(WARNING|ERROR)\s+(.*?)\s*(?:\S+\.py:\d+)?$")


@dataclass
class PexResult:
    cell: str
    netlist: Path
    seconds: float
    couplings: dict[tuple[str, str], float] = field(default_factory=dict)  # fF, net pairs
    resistors: int = 0
    warnings: list[str] = field(default_factory=list)  # klayout-pex's, without clock times

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
    shutil.rmtree(work, ignore_errors=True)
    netlist.write_text(_DATE.sub("", netlist.read_text(), count=1))
    return PexResult(cell, netlist, time.monotonic() - started, couplings,
                     len(summary.resistances), kpex_warnings(log.getvalue()))


def kpex_halo_um() -> float:
    """How far klayout-pex looks sideways for coupling (its technology's side halo, um)."""
    from importlib.resources import files

    tech = files("klayout_pex_protobuf").joinpath(f"{KPEX_PDK}_tech.pb.json").read_text()
    return float(json.loads(tech)["process_parasitics"]["side_halo"])


def kpex_warnings(log: str) -> list[str]:
    """klayout-pex's WARNING and ERROR lines, without their clock time and source position."""
    found = (_WARNING.match(line.strip()) for line in log.splitlines())
    return [f"{m.group(1)} {m.group(2)}" for m in found if m]
