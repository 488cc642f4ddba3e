"""Where everything of the array goes: the grid of synapses, the column channels, the gaps between
rows, the bus channel and the bias network, as numbers (no drawing here).

Bottom to top: the bus channel (one Metal3 bus per shared signal, joining the columns' spines and
going down to the pins), the bias network in column 0, then the synapse rows, each above a gap
whose Metal3 tracks take its synapses' inputs to the left edge and weight readouts to the right
edge. Left of every column runs its channel: Metal4 jogs for the per-synapse nets, spines of the
shared signals and the vss and vdd straps. Cells keep `clearance` from everything of another
block (their MIM plates from each other's, MIMTM.1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cells.tech import snap_up, tech

# the channel's tracks, left to right: per-synapse jogs, then the shared signals' spines (their
# order is also the buses' order in the bus channel, bottom up); the straps follow
JOGS = ("x", "wmon")
SIGNALS = ("ymon", "t", "y", "eta", "uf", "ug", "lam")
RAILS = ("vss", "vdd")
CLEARANCE_UM = 2.0    # between blocks: MIM plates of neighbours stay > MIMTM.1 apart
TRACK_MARGIN_UM = 1.0  # from a cell's outline to the nearest track of a gap or channel


@dataclass(frozen=True)
class Grid:
    rows: int
    columns: int

    def slot(self, synapse: int) -> tuple[int, int]:
        """(row, column) of synapse i: row-major from the bottom left."""
        return divmod(synapse, self.columns)

    def per_column(self, n: int) -> list[int]:
        return [sum(1 for i in range(n) if i % self.columns == c) for c in range(self.columns)]


def choose_grid(n: int, cell_w: float, cell_h: float, rows: int | None = None,
                columns: int | None = None) -> Grid:
    """The grid flow.yaml asks for; else the one whose outline (cells, channels and gaps) is
    nearest to a square, with the fewest empty slots among equals."""
    if rows and columns:
        return Grid(rows, columns)
    if columns:
        return Grid(math.ceil(n / columns), columns)
    if rows:
        return Grid(rows, math.ceil(n / rows))

    def score(c: int) -> tuple[float, int]:
        r = math.ceil(n / c)
        width = c * (cell_w + channel_width(tech().wire))
        height = r * (cell_h + gap_height(c))
        return abs(math.log(width / height)), r * c - n

    c = min(range(1, n + 1), key=score)
    return Grid(math.ceil(n / c), c)


def channel_width(strap_width: float) -> float:
    """A column channel: a track per jog and signal, the two straps, margins on both sides."""
    t = tech()
    return snap_up(TRACK_MARGIN_UM + (len(JOGS) + len(SIGNALS)) * t.pitch
                   + len(RAILS) * (strap_width + t.metal_space) + TRACK_MARGIN_UM)


def gap_height(tracks: int) -> float:
    """The gap below a row of synapses: its tracks with a margin to the cells on each side."""
    return snap_up(max(CLEARANCE_UM, tracks * tech().pitch + 2 * TRACK_MARGIN_UM))


@dataclass(frozen=True)
class Channel:
    """Column c's channel: x of every track (jogs, spines) and strap centre."""

    x0: float
    x: dict[str, float]

    @classmethod
    def at(cls, x0: float, strap_width: float) -> Channel:
        t = tech()
        x = {net: x0 + TRACK_MARGIN_UM + (k + 0.5) * t.pitch
             for k, net in enumerate((*JOGS, *SIGNALS))}
        edge = x0 + TRACK_MARGIN_UM + (len(JOGS) + len(SIGNALS)) * t.pitch
        for k, rail in enumerate(RAILS):
            x[rail] = edge + t.metal_space + k * (strap_width + t.metal_space) + strap_width / 2
        return cls(x0, {net: snap_up(v) for net, v in x.items()})


@dataclass(frozen=True)
class Plan:
    """Positions of the floorplan (um): cell outlines are placed by their lower-left corner."""

    grid: Grid
    channels: list[Channel]
    cell_x: list[float]          # left edge of each column's cells
    row_y: list[float]           # bottom edge of each synapse row
    bias_y: float                # bottom edge of the bias network (column 0)
    gap_tracks: list[dict[str, int]]   # per row: net slot ("x3", "wmon3") -> track index
    bus_y: dict[str, float]      # signal -> its bus's y
    top: float                   # top edge of the core
    right: float                 # right edge of the core

    def gap_track_y(self, row: int, track: int) -> float:
        t = tech()
        return snap_up(self.row_y[row] - TRACK_MARGIN_UM - (track + 0.5) * t.pitch)


def plan(n: int, grid: Grid, synapse: tuple[float, float], bias: tuple[float, float],
         strap_width: float, assign) -> Plan:
    """Lay the grid out. `synapse` and `bias` are the cells' (width, height); `assign` packs the
    gap tracks (left-edge packing of spans, cells.place_route.assign_tracks)."""
    t = tech()
    ch_w = channel_width(strap_width)
    pitch_x = ch_w + synapse[0] + CLEARANCE_UM
    channels = [Channel.at(snap_up(c * pitch_x), strap_width) for c in range(grid.columns)]
    cell_x = [ch.x0 + ch_w for ch in channels]
    right = cell_x[-1] + max(synapse[0], bias[0] if grid.columns == 1 else 0.0) + CLEARANCE_UM
    bus_y = {net: snap_up(TRACK_MARGIN_UM + (k + 0.5) * t.pitch) for k, net in enumerate(SIGNALS)}
    bias_y = snap_up(TRACK_MARGIN_UM + len(SIGNALS) * t.pitch + CLEARANCE_UM)
    y = bias_y + bias[1]
    row_y, gap_tracks = [], []
    for r in range(grid.rows):
        spans = {}
        for i in range(r * grid.columns, min(n, (r + 1) * grid.columns)):
            ch = channels[i % grid.columns]
            spans[f"x{i}"] = (0.0, ch.x["x"])             # inputs leave to the left edge
            spans[f"wmon{i}"] = (ch.x["wmon"], right)     # readouts to the right edge
        tracks = assign(spans, t.pitch)
        gap_tracks.append(tracks)
        y = snap_up(y + gap_height(max(tracks.values(), default=-1) + 1))
        row_y.append(y)
        y += synapse[1]
    return Plan(grid, channels, cell_x, row_y, bias_y, gap_tracks, bus_y,
                snap_up(y + CLEARANCE_UM), snap_up(right))
