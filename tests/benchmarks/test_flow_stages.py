"""The stage benchmark runs the real flow cold, then finds every stage fresh on the warm run."""

from __future__ import annotations

import importlib.util

from tests.conftest import REPO


def _bench():
    spec = importlib.util.spec_from_file_location("flow_stages",
                                                  REPO / "benchmarks" / "flow_stages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cold_then_warm_through_lvs(capsys):
    assert _bench().main(["--upto", "lvs"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()}
    for stage in ("cells", "layout", "drc", "lvs"):
        assert rows[stage][2] == "ok"
        assert rows[stage][3] == "skipped"
    assert "pex" not in rows
