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
