"""A static map for paper: a commune's outline and numbered points, as inline SVG.

Drawn from our own geodata (the commune polygons), with no tiles and no script, so a sheet
prints the same offline and in any browser. Positions are (lat, lon); shapely geometries are
(lon, lat). The projection is equirectangular around the middle latitude (a degree of
longitude shrunk by cos(latitude)): exact enough at the scale of a commune and its surroundings.
"""

from __future__ import annotations

import math
from html import escape

import shapely

PAD = 0.08  # share of the drawn box left around the shapes
MIN_SPAN_DEG = 0.01  # a lone point still gets a box of about a kilometre
DETAIL = 400  # outline simplified to about 1/DETAIL of the box


class Frame:
    """Maps (lat, lon) to SVG (x, y) in a ``width`` x ``height`` box, north up."""

    def __init__(self, bounds: tuple[float, float, float, float], width: float, height: float):
        min_lon, min_lat, max_lon, max_lat = bounds
        self.k = math.cos(math.radians((min_lat + max_lat) / 2))
        span_x = max((max_lon - min_lon) * self.k, MIN_SPAN_DEG)
        span_y = max(max_lat - min_lat, MIN_SPAN_DEG)
        self.scale = min(width / span_x, height / span_y) * (1 - 2 * PAD)
        self.cx, self.cy = (min_lon + max_lon) / 2 * self.k, (min_lat + max_lat) / 2
        self.width, self.height = width, height

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x = self.width / 2 + (lon * self.k - self.cx) * self.scale
        y = self.height / 2 - (lat - self.cy) * self.scale
        return round(x, 1), round(y, 1)


def bounds(polygon, points: list[dict]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of the outline and the points."""
    xs = [p["lon"] for p in points]
    ys = [p["lat"] for p in points]
    if polygon is not None:
        b = polygon.bounds
        xs += [b[0], b[2]]
        ys += [b[1], b[3]]
    return min(xs), min(ys), max(xs), max(ys)


def outline_path(polygon, frame: Frame) -> str:
    """The outline as one SVG path (even-odd fill: holes stay holes)."""
    if polygon is None:
        return ""
    b = polygon.bounds
    tolerance = max(b[2] - b[0], b[3] - b[1]) / DETAIL
    simple = shapely.simplify(polygon, tolerance, preserve_topology=True)
    parts = []
    for poly in getattr(simple, "geoms", [simple]):
        for ring in [poly.exterior, *poly.interiors]:
            coords = [frame.xy(lat, lon) for lon, lat in ring.coords]
            parts.append("M" + "L".join(f"{x} {y}" for x, y in coords) + "Z")
    return "".join(parts)


def svg(polygon, points: list[dict], label: str, width: int = 400, height: int = 300) -> str:
    """An inline ``<svg role="img">``: the outline (may be None) and points.

    Each point: ``lat``, ``lon``, ``mark`` (a short text drawn in it: a rank; "" for a plain
    dot) and ``kind`` ("site" or "origin", a CSS class). ``label`` describes the map in words.
    """
    if not points and polygon is None:
        return ""
    frame = Frame(bounds(polygon, points), width, height)
    out = [
        f'<svg role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}" class="print-map">',
        f'<rect width="{width}" height="{height}" class="map-bg"/>',
    ]
    path = outline_path(polygon, frame)
    if path:
        out.append(f'<path d="{path}" class="map-commune" fill-rule="evenodd"/>')
    for p in points:
        x, y = frame.xy(p["lat"], p["lon"])
        kind = escape(p.get("kind", "site"))
        out.append(f'<circle cx="{x}" cy="{y}" r="9" class="map-{kind}"/>')
        if p.get("mark"):
            mark = escape(p["mark"])
            out.append(f'<text x="{x}" y="{y}" dy="0.35em" text-anchor="middle" class="map-mark">{mark}</text>')
    out.append("</svg>")
    return "".join(out)
