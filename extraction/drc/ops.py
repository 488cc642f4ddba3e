"""Check primitives shared by the rule families. Distances are in database units.

Every primitive reports a violation when the measured value is strictly below the limit, as the
design manual's "min." rules are meant (a shape exactly at the limit passes).
"""

from __future__ import annotations

import klayout.db as kdb

from extraction.drc.layers import Layers

EUCLIDIAN = kdb.Metrics.Euclidian
PROJECTION = kdb.Metrics.Projection
SQUARE = kdb.Metrics.Square


def width(region: kdb.Region, d: int, metrics: kdb.Metrics = EUCLIDIAN,
          **options) -> kdb.EdgePairs:
    return region.width_check(d, metrics=metrics, **options)


def space(region: kdb.Region, d: int, metrics: kdb.Metrics = EUCLIDIAN,
          **options) -> kdb.EdgePairs:
    """Space between and inside polygons (notches included)."""
    return region.space_check(d, metrics=metrics, **options)


def separation(a: kdb.Region, b: kdb.Region, d: int, metrics: kdb.Metrics = EUCLIDIAN,
               **options) -> kdb.EdgePairs:
    """Space from a to b; touching shapes are 0 apart and fail, overlapping ones are ignored."""
    return a.separation_check(b, d, metrics=metrics, **options)


def enclosure(inner: kdb.Region, outer: kdb.Region, d: int,
              metrics: kdb.Metrics = EUCLIDIAN, **options) -> tuple[kdb.EdgePairs, kdb.Region]:
    """`outer` must enclose `inner` by d: short enclosures and inner parts sticking out."""
    short = outer.enclosing_check(inner, d, metrics=metrics, **options)
    return short, outside_part(inner, outer)


def outside_part(inner: kdb.Region, outer: kdb.Region) -> kdb.Region:
    """Parts of inner shapes that overlap `outer` but stick out of it."""
    return inner.not_outside(outer) - outer


def not_inside(inner: kdb.Region, outer: kdb.Region) -> kdb.Region:
    """Parts of inner shapes outside `outer` (whether or not they touch it)."""
    return inner - outer


def area_below(region: kdb.Region, area: int) -> kdb.Region:
    return region.with_area(None, area, False)


def area_above(region: kdb.Region, area: int) -> kdb.Region:
    return region.with_area(area + 1, None, False)


def exact_size(region: kdb.Region, size: int) -> kdb.Edges:
    """Edges of the merged shapes whose length is not exactly `size` (square cuts)."""
    return region.edges().with_length(size, True)


def wide(region: kdb.Region, length: int) -> kdb.Region:
    """Polygons whose every edge is at least `length` long ("length and width > x")."""
    return region.not_interacting(region.edges().with_length(None, length, False))


def low_voltage(markers, layers: Layers):
    """Markers of the 3.3 V domain: not touching Dualgate or V5_XTOR."""
    if not (layers.has("dualgate") or layers.has("v5_xtor")):
        return markers
    return markers.not_interacting(layers.dualgate + layers.v5_xtor)


def mid_voltage(markers, layers: Layers):
    """Markers of the 5 V/6 V domain: on Dualgate."""
    return markers.interacting(layers.dualgate)


# ---------------------------------------------------------------- cut (contact/via) primitives
def covered(inner: kdb.Region, outer: kdb.Region, d: int,
            metrics: kdb.Metrics = EUCLIDIAN) -> tuple[kdb.EdgePairs, kdb.Region]:
    """`outer` must enclose `inner` by d and cover all of it, even shapes nowhere near `outer`."""
    return outer.enclosing_check(inner, d, metrics=metrics), not_inside(inner, outer)


def array_space(cuts: kdb.Region, size: int, d: int, join: int, side: int,
                min_projection: int | None = None) -> kdb.EdgePairs:
    """Space d between the cuts of side x side (or larger) arrays.

    Cuts less than 2 * join apart form a cluster; a cluster is an array when its bounding box and
    every stretch of it are at least (side - 1) * (size + d) wide and it holds side^2 cuts.
    """
    span = (side - 1) * (size + d)
    clusters = cuts.sized(join).merged().sized(-join)
    arrays = clusters.with_bbox_min(span, None, False).interacting(cuts, side * side)
    narrow = arrays.width_check(span, min_projection=span, max_projection=1000 * span)
    arrays = arrays.not_interacting(narrow.polygons())
    return cuts.interacting(arrays).space_check(d, metrics=EUCLIDIAN,
                                                min_projection=min_projection)


def line_ends(metal: kdb.Region, width: int, branch: int,
              near: kdb.Region | None = None) -> kdb.Edges:
    """End-of-line edges: ends shorter than `width` of lines at most `width` wide whose two
    sides are both at least `branch` long (shorter branches are no lines).

    `near` limits the search to metal edges touching it (edge-to-edge operations are slow).
    """
    pairs = metal.width_check(width + 1).with_length_both(branch, None, False)
    first, second = pairs.first_edges(), pairs.second_edges()
    ends = metal.edges().with_length(None, width, False)
    if near is not None:
        ends = ends.interacting(near)
    return ends.interacting(first).interacting(second) - first - second


def end_enclosure(cuts: kdb.Region, ends: kdb.Edges, d: int) -> kdb.EdgePairs:
    """Cut edges less than d inside a line end (measured square to the end)."""
    return cuts.edges().enclosed_check(ends, d, metrics=PROJECTION)


def cut_end_enclosure(cuts: kdb.Region, metal: kdb.Region, width: int, branch: int,
                      d: int) -> kdb.EdgePairs:
    """`end_enclosure` of the metal's line ends, looking only at ends within d of a cut."""
    return end_enclosure(cuts, line_ends(metal, width, branch, cuts.sized(d)), d)


def one_side_enclosure(cuts: kdb.Region, metal: kdb.Region, short: int, d: int,
                       probe: int = 2) -> tuple[kdb.Region, kdb.Region]:
    """A cut side enclosed by less than `short` needs both neighbouring sides enclosed by d;
    two short sides meeting at a corner are an error (opposite short sides are allowed).

    Sides are whole cut edges, as thin boxes of depth `probe` (dbu, below the layout grid) inside
    the cut: a neighbour's box touches the short side's box at their shared corner. Region
    operations only: edge-to-edge booleans are slow in deep mode.
    """
    def sides(limit: int, shielded: bool = True) -> kdb.Edges:
        return cuts.enclosed_check(metal, limit, True, PROJECTION,
                                   shielded=shielded).first_edges()

    short_sides = sides(short)
    short_boxes = short_sides.extended_in(probe)
    near_boxes = sides(d, shielded=False).extended_in(probe)
    too_close = (near_boxes - short_boxes).interacting(short_boxes)
    corners = short_sides.width_check(probe, ignore_angle=135).polygons()
    return too_close, cuts.interacting(corners)


# ---------------------------------------------------------------- well / COMP / Dualgate primitives
def isolated(region: kdb.Region, d: int, metrics: kdb.Metrics = EUCLIDIAN,
             **options) -> kdb.EdgePairs:
    """Space between different polygons only (notches inside one polygon are not measured)."""
    return region.isolated_check(d, metrics=metrics, **options)


def in_domain(items, layers: Layers, domain: str):
    """Polygons or markers of one voltage domain: "lv" (3.3 V) or "mv" (5 V/6 V)."""
    return low_voltage(items, layers) if domain == "lv" else mid_voltage(items, layers)


def optional_layer(layers: Layers, name: str) -> kdb.Region:
    """A marker layer that the adapter's layer map may not list yet: empty until it does."""
    try:
        return layers.drawn(name)
    except KeyError:
        return layers.empty()


def drawn_markers(layers: Layers, *names: str) -> list[kdb.Region]:
    """The marker layers among `names` that the layout draws (unlisted names count as not
    drawn), so that absent markers cost no boolean operation."""
    found = []
    for name in names:
        try:
            if layers.has(name):
                found.append(layers.drawn(name))
        except KeyError:
            continue
    return found


# ---------------------------------------------------------------- MIM primitives
def overlap_area_above(plates: kdb.Region, tops: kdb.Region, area: int) -> kdb.Region:
    """Plate polygons whose total overlap with `tops` exceeds `area` (shared MIM plates).

    A plate's overlap is at most its own area, so only plates larger than `area` are measured
    (one hierarchical filter; the per-plate loop below is flat and runs on those few only).
    """
    candidates = plates.with_area(area + 1, None, False)
    if candidates.is_empty():
        return candidates
    flat_plates = candidates.dup()
    flat_plates.flatten()
    flat_tops = tops.interacting(candidates)
    flat_tops.flatten()
    out = kdb.Region()
    for polygon in flat_plates.each_merged():
        plate = kdb.Region(polygon)
        if (flat_tops & plate).area() > area:
            out.insert(polygon)
    return out
