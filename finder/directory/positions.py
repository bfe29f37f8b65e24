"""Checks of a site's position against the reference geography.

Positions are (lat, lon) in WGS84 degrees. A point must lie in Auvergne-Rhône-Alpes and
within ``tolerance_m`` metres of its declared commune's polygon; swapped latitude and
longitude are recognised and named as such.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.ops import nearest_points

from finder.directory.checks import Problem
from finder.domain import geodesy
from finder.domain.geography import Geography


def distance_to_commune_m(geo: Geography, insee: str, lat: float, lon: float) -> float | None:
    """Geodesic distance in metres from (lat, lon) to the commune's polygon (0 inside), None if unknown."""
    poly = geo.polygons.get(insee)
    if poly is None:
        return None
    if shapely.intersects_xy(poly, lon, lat):
        return 0.0
    near, _ = nearest_points(poly, shapely.Point(lon, lat))
    return geodesy.distance_km(lat, lon, near.y, near.x) * 1000.0


def inside(geo: Geography, points: list[tuple[str, float, float]]) -> list[bool]:
    """For each (insee, lat, lon): whether the point lies in its commune's polygon, in one vectorised
    call (what ``check`` accepts first, one point at a time). False when the commune is unknown."""
    known = [i for i, (insee, _, _) in enumerate(points) if insee in geo.polygons]
    out = [False] * len(points)
    if known:
        polygons = np.array([geo.polygons[points[i][0]] for i in known], dtype=object)
        lons = np.array([points[i][2] for i in known], dtype=float)
        lats = np.array([points[i][1] for i in known], dtype=float)
        for i, hit in zip(known, shapely.intersects_xy(polygons, lons, lats).tolist()):
            out[i] = hit
    return out


def check(geo: Geography, insee: str, lat: float, lon: float, tolerance_m: float) -> None:
    """Raise Problem when (lat, lon) is out of bounds, swapped, outside the region or the declared commune."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        if -90 <= lon <= 90 and -180 <= lat <= 180 and geo.commune_at(lon, lat):
            raise _swapped(lat, lon, geo)
        raise Problem("out_of_bounds", f"Coordonnées impossibles : latitude {_fr(lat)}, longitude {_fr(lon)}.")
    distance = distance_to_commune_m(geo, insee, lat, lon)
    if distance is not None and distance <= tolerance_m:
        return
    found = geo.commune_at(lat, lon)
    if found is None:
        swapped = distance_to_commune_m(geo, insee, lon, lat) if -90 <= lon <= 90 else None
        if (swapped is not None and swapped <= tolerance_m) or (-90 <= lon <= 90 and geo.commune_at(lon, lat)):
            raise _swapped(lat, lon, geo)
        raise Problem(
            "outside_region",
            f"Le point (latitude {_fr(lat)}, longitude {_fr(lon)}) est hors de la région servie ({geo.name}).",
        )
    if distance is None:
        return  # unknown commune: reported on code_insee
    declared = geo.communes[insee]
    raise Problem(
        "outside_commune",
        f"Le point est à {_fr(round(distance / 1000, 1))} km de la commune déclarée {declared.name} ({insee}) : "
        f"il tombe à {found.name} ({found.insee}). Tolérance : {_fr(tolerance_m)} m.",
    )


def _swapped(lat: float, lon: float, geo) -> Problem:
    return Problem(
        "swapped_coordinates",
        f"Latitude et longitude semblent inversées (latitude {_fr(lat)}, longitude {_fr(lon)}) : "
        f"en {geo.name}, la latitude est entre {_fr(geo.bbox[1])} et {_fr(geo.bbox[3])} et la longitude entre "
        f"{_fr(geo.bbox[0])} et {_fr(geo.bbox[2])}.",
    )


def _fr(x: float) -> str:
    return f"{x:g}".replace(".", ",")
