"""The assembled netlist is written as klayout-pex writes its own: names escaped by KLayout's
SPICE writer (and read back unescaped), the substrate's capacitances on the substrate net."""

from __future__ import annotations

from pathlib import Path

import pytest

from extraction.pex_netlist import (
    SUBSTRATE,
    Device,
    read_pex_netlist,
    unescape,
    write_pex_netlist,
)
from sgdr_flow.errors import FlowError


def test_escaped_names_come_back_as_they_were():
    assert unescape(r"\$4") == "$4"
    assert unescape(r"a\x2ab") == "a*b"
    assert unescape("s0.vc") == "s0.vc"


def test_written_netlist_reads_back_with_its_devices_and_capacitors(tmp_path: Path):
    devices = [Device("X$1", ("$3", "s0.vc", "vss", "vss"), "nfet_03v3", "l=1e-06 w=8e-06"),
               Device("X$2", ("s0.vc", "vss"), "cap_mim_2f0_m4m5_noshield",
                      "c_width=1e-05 c_length=2e-05")]
    couplings = {("$3", "s0.vc"): 0.5, (SUBSTRATE, "s0.vc"): 1.25, (SUBSTRATE, "vss"): 9.0}
    path = tmp_path / "top.pex.spice"
    write_pex_netlist(path, "top", ["s0.vc", "vss"], devices, couplings, "vss", ["a header"])
    text = path.read_text()
    assert text.startswith("* a header")
    assert r"\$3" in text  # escaped as KLayout writes an unnamed net, which ngspice reads
    read = read_pex_netlist(path)
    assert read.cell == "top" and read.ports == ("s0.vc", "vss")
    assert read.devices == tuple(devices)
    caps = sorted(line.split()[1:] for line in text.splitlines() if line.startswith("C"))
    # the substrate's capacitance goes to the substrate net; its own metal's is no capacitor
    assert caps == [[r"\$3", "s0.vc", "0.5f"], ["s0.vc", "vss", "1.25f"]]


def test_resistors_are_refused(tmp_path: Path):
    path = tmp_path / "rc.pex.spice"
    path.write_text(".SUBCKT rc a b\nRext_1 a b 12.5\n.ENDS rc\n")
    with pytest.raises(FlowError, match="RC mode"):
        read_pex_netlist(path)
