"""Cell pictures follow the cell's shape and show its layers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from cells.preview import preview
from tests.cells.checks import build


def test_a_wide_cell_gives_a_wide_picture(tmp_path: Path) -> None:
    built = build("mim_capacitor", {"capacitance_ff": 2000.0}, tmp_path)
    wide = build("sgdr_synapse", {"capacitance_ff": 2000.0, "cap_aspect": 8.0}, tmp_path,
                 name="wide")
    square = np.asarray(Image.open(preview(built.gds, tmp_path / "square.png", width=600)))
    flat = np.asarray(Image.open(preview(wide.gds, tmp_path / "wide.png", width=1600)))
    assert square.shape[0] / square.shape[1] > 0.9  # about as tall as wide (plus margins)
    assert flat.shape[0] / flat.shape[1] < 0.25
    assert (flat < 250).any(axis=-1).mean() > 0.05  # drawn shapes, not a blank canvas
