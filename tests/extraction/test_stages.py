"""The drc and lvs stages of the flow, with a sign-off deck run by the KLayout application."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sgdr_flow.cli import main
from sgdr_flow.runner import read_manifest

DATA = Path(__file__).parent / "data"
KLAYOUT = shutil.which("klayout")

FLOW = """
design:
  n_synapses: 1
  cells:
    synapse: {{cell: sgdr_synapse, capacitance_ff: 300}}
    bias: {{cell: bias_network}}
    tl: {{cell: translinear_loop}}
checks:
  drc:
    external: {{klayout: {klayout}, deck: {drc}}}
  lvs:
    external: {{klayout: {klayout}, deck: {lvs}}}
report:
  plots: false
"""


@pytest.mark.skipif(KLAYOUT is None, reason="needs the KLayout application (setup installs it)")
def test_sign_off_decks_run_beside_the_built_in_checks(tmp_path):
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW.format(klayout=KLAYOUT, drc=DATA / "tiny.drc", lvs=DATA / "tiny.lvs"))
    main(["run", str(path), "--only", "cells", "layout", "drc", "lvs"])
    build = tmp_path / "build"
    drc = json.loads((build / "drc" / "summary.json").read_text())
    assert drc["clean"] and drc["external"]["clean"]
    assert set(drc["external"]["cells"]) == {"synapse", "bias", "tl", "sgdr_array"}
    external = json.loads((build / "drc" / "tl.external.json").read_text())
    assert {"DF.1a", "M1.2a"} <= set(external["rules_checked"])
    assert (build / "drc" / "tl.external.lyrdb").is_file()
    lvs = json.loads((build / "lvs" / "summary.json").read_text())
    assert lvs["match"]
    assert "sgdr_array" in lvs["external"]["cells"]
    assert (build / "lvs" / "tl.external.lvsdb").is_file()
    # the deck gets the substrate our LVS found and combines the reference's parallel devices
    used = lvs["external"]["cells"]["synapse"]["variables"]
    assert used["lvs_sub"] == lvs["cells"]["synapse"]["substrate"] == "vss"
    assert used["schematic_simplify"] == "true"
    command = (build / "lvs" / "synapse.external.log").read_text().splitlines()[0]
    assert "-rd lvs_sub=vss" in command and "-rd schematic_simplify=true" in command
    # both verdicts, ours and the deck's, for CI
    suites = {s.get("name") for s in ET.parse(build / "lvs" / "junit.xml").iter("testsuite")}
    assert suites == {"lvs", "lvs.external"}
    drc_cases = list(ET.parse(build / "drc" / "junit.xml").iter("testcase"))
    assert {c.get("classname") for c in drc_cases} >= {"drc.synapse", "drc.synapse.external"}
    # the same bytes for the same inputs: no run time or path of the scratch folder in the
    # JSON; the application's logs (clock times, paths) are kept for people but not hashed
    for stage, suffix in (("drc", "lyrdb"), ("lvs", "lvsdb")):
        written = json.loads((build / stage / "tl.external.json").read_text())
        assert "seconds" not in written and written["report"] == f"tl.external.{suffix}"
        assert read_manifest(build, stage)["timings"]["tl sign-off"] > 0
        assert (build / stage / "tl.external.log").is_file()
        assert not [f for f in read_manifest(build, stage)["outputs"] if f.endswith(".log")]
