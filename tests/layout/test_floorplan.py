"""The floorplan's numbers: the grid flow.yaml asks for or the near-square one, rows stacked with
gaps holding their tracks, channels with a track per net; flow.yaml's grid keys are checked when
it loads."""

from __future__ import annotations

import itertools
import math

import pytest

from cells.place_route import assign_tracks
from cells.tech import tech
from layout.floorplan import JOGS, RAILS, SIGNALS, Channel, Grid, choose_grid, plan
from sgdr_flow.config import load_flow
from sgdr_flow.errors import ConfigError

SYNAPSE = (240.0, 26.0)   # about the default flow's synapse: eight times wider than high
BIAS = (30.0, 25.0)


@pytest.mark.parametrize(("n", "rows", "columns", "expected"), [
    (10, 2, 5, Grid(2, 5)), (10, None, 3, Grid(4, 3)), (10, 3, None, Grid(3, 4)),
    (7, 1, None, Grid(1, 7)),
])
def test_the_grid_asked_for(n, rows, columns, expected):
    assert choose_grid(n, *SYNAPSE, rows, columns) == expected


@pytest.mark.parametrize("n", [1, 4, 16, 64, 256])
def test_default_grid_is_nearest_to_square(n):
    grid = choose_grid(n, *SYNAPSE)
    assert grid.rows * grid.columns >= n
    assert (grid.rows - 1) * grid.columns < n          # no empty row

    def aspect(g: Grid) -> float:
        fp = plan(n, g, SYNAPSE, BIAS, tech().wire, assign_tracks)
        return abs(math.log(fp.right / fp.top))

    for other in {grid.columns - 1, grid.columns + 1} - {0}:
        if other <= n:
            alternative = Grid(math.ceil(n / other), other)
            assert aspect(grid) <= aspect(alternative) + 0.1, (grid, alternative)


def test_wide_synapses_stack_in_one_column_at_four():
    assert choose_grid(4, *SYNAPSE) == Grid(4, 1)
    assert choose_grid(4, 30.0, 30.0).columns == 2     # square cells: 2 x 2


def test_rows_stack_above_the_bias_network_with_their_gaps():
    n, grid = 7, Grid(3, 3)
    fp = plan(n, grid, SYNAPSE, BIAS, tech().wire, assign_tracks)
    assert fp.row_y[0] > fp.bias_y + BIAS[1]
    for below, above in zip(fp.row_y, fp.row_y[1:], strict=False):
        assert above - below > SYNAPSE[1]
    # every synapse's input and readout has a track in the gap below its row; an input of one
    # column shares a track with the readout of another
    for r, tracks in enumerate(fp.gap_tracks):
        members = range(r * 3, min(n, (r + 1) * 3))
        assert set(tracks) == {f"{net}{i}" for i in members for net in JOGS}
        assert max(tracks.values()) + 1 <= len(members) + 1
        lowest = fp.gap_track_y(r, max(tracks.values()))
        previous_top = fp.row_y[r - 1] + SYNAPSE[1] if r else fp.bias_y + BIAS[1]
        assert lowest > previous_top
    assert fp.top > fp.row_y[-1] + SYNAPSE[1]
    assert fp.cell_x == sorted(fp.cell_x) and len(fp.channels) == 3


def test_channel_has_a_track_for_every_net_a_pitch_apart():
    ch = Channel.at(10.0, 0.5)
    xs = [ch.x[net] for net in (*JOGS, *SIGNALS, *RAILS)]
    assert xs == sorted(xs)
    steps = [b - a for a, b in itertools.pairwise(xs)]
    assert min(steps) >= tech().pitch - 1e-9


def test_flow_yaml_grid_must_hold_the_synapses(flow_file, default_flow_text):
    text = default_flow_text.replace("  n_synapses: 4\n",
                                     "  n_synapses: 4\n  rows: 1\n  columns: 3\n")
    with pytest.raises(ConfigError, match="places fewer than n_synapses"):
        load_flow(flow_file(text))
    ok = default_flow_text.replace("  n_synapses: 4\n", "  n_synapses: 4\n  columns: 2\n")
    assert load_flow(flow_file(ok)).config.design.columns == 2
