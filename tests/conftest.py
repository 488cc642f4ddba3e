"""Shared fixtures: the repository's own flow.yaml and scratch copies of it."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def default_flow_text() -> str:
    return (REPO / "flow.yaml").read_text()


@pytest.fixture
def flow_file(tmp_path: Path, default_flow_text: str):
    """Write a flow.yaml into a scratch folder; returns a writer taking the YAML text."""

    def write(text: str | None = None, name: str = "flow.yaml") -> Path:
        path = tmp_path / name
        path.write_text(default_flow_text if text is None else text)
        return path

    return write
