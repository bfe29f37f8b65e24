"""Distances on the WGS84 ellipsoid, and the lower bounds that make candidate search exact.

Ranking and displayed distances are WGS84 geodesics (Karney's algorithm through pyproj,
vectorised; geopy gives the same figures and serves as the tests' oracle).

Candidates are found with distances that never exceed the geodesic one, anywhere on Earth
(metropolitan France, Corsica and the overseas départements alike):

- the *chord*: the straight line between two points of the ellipsoid in Earth-centred
  Cartesian coordinates (ECEF, metres) is never longer than the geodesic between them;
- a *frame*: the orthographic projection of ECEF onto the plane tangent to the ellipsoid at
  a territory's centre. Projecting onto a plane never lengthens a segment, so the planar
  distance is at most the chord, hence at most the geodesic, for any two points. Near the
  frame's centre the three are nearly equal (within 0.8 % over metropolitan France), which
  keeps the search tight.

So "every candidate not yet seen is at least R away by the bound" implies "at least R away
by geodesic": a search that stops once the bound passes the k-th geodesic distance found
equals an exhaustive geodesic scan. No scale factor of any map projection is assumed.
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import Geod

_GEOD = Geod(ellps="WGS84")
_A = 6_378_137.0  # WGS84 semi-major axis, metres
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)

# Accepted origins by default (Auvergne-Rhône-Alpes and the app's historical range):
# metropolitan France with Corsica (lat, lon in degrees). A Geography gives the bounds of
# its own region or territories (``Geography.accepts``, ``lat_range``, ``lon_range``).
LAT_RANGE = (41.0, 51.5)
LON_RANGE = (-5.5, 10.0)

# Rounding of ECEF arithmetic is about 1e-9 m: a candidate is skipped only when its bound
# exceeds the distance to beat by more than this (so even exact ties are never lost).
SLACK_M = 1e-6


def ecef(lats, lons) -> np.ndarray:
    """(n, 3) ECEF metres of points on the ellipsoid (height 0) given as lat, lon degrees."""
    la, lo = np.radians(np.asarray(lats, dtype=float)), np.radians(np.asarray(lons, dtype=float))
    s, c = np.sin(la), np.cos(la)
    n = _A / np.sqrt(1 - _E2 * s * s)
    return np.column_stack([n * c * np.cos(lo), n * c * np.sin(lo), n * (1 - _E2) * s])


def ecef1(lat: float, lon: float) -> tuple[float, float, float]:
    """ECEF metres of one point (lat, lon degrees); the scalar twin of ``ecef`` (hot path)."""
    la, lo = math.radians(lat), math.radians(lon)
    s, c = math.sin(la), math.cos(la)
    n = _A / math.sqrt(1 - _E2 * s * s)
    return n * c * math.cos(lo), n * c * math.sin(lo), n * (1 - _E2) * s


class Frame:
    """The plane tangent to the ellipsoid at (lat, lon); (u, v) = metres east and north of it."""

    def __init__(self, name: str, lat: float, lon: float):
        self.name, self.lat, self.lon = name, lat, lon
        la, lo = math.radians(lat), math.radians(lon)
        self.centre = ecef1(lat, lon)
        self.east = (-math.sin(lo), math.cos(lo), 0.0)
        self.north = (-math.sin(la) * math.cos(lo), -math.sin(la) * math.sin(lo), math.cos(la))

    def __repr__(self) -> str:
        return f"Frame({self.name!r}, {self.lat}, {self.lon})"

    def plane(self, xyz: np.ndarray) -> np.ndarray:
        """(n, 2) planar coordinates of (n, 3) ECEF points: never farther apart than their chord."""
        d = np.asarray(xyz, dtype=float).reshape(-1, 3) - np.array(self.centre)
        return np.column_stack([d @ np.array(self.east), d @ np.array(self.north)])

    def plane1(self, p: tuple[float, float, float]) -> tuple[float, float]:
        """Planar coordinates of one ECEF point (hot path)."""
        (cx, cy, cz), (ex, ey, ez), (nx, ny, nz) = self.centre, self.east, self.north
        dx, dy, dz = p[0] - cx, p[1] - cy, p[2] - cz
        return dx * ex + dy * ey + dz * ez, dx * nx + dy * ny + dz * nz


# One frame per territory: any point may use any frame (the bound holds everywhere); a
# point uses the nearest one so that its frame stays tight around it.
FRAMES = (
    Frame("metropole", 46.5, 2.5),
    Frame("antilles", 15.2, -61.3),  # Guadeloupe and Martinique, 170 km apart
    Frame("guyane", 4.0, -53.0),
    Frame("reunion", -21.1, 55.5),
    Frame("mayotte", -12.8, 45.1),
)
_FRAME_CENTRES = np.array([ecef1(f.lat, f.lon) for f in FRAMES])


def frame_of(xyz: np.ndarray) -> np.ndarray:
    """Index in FRAMES of the frame nearest to each (n, 3) ECEF point."""
    xyz = np.asarray(xyz, dtype=float).reshape(-1, 3)
    d2 = ((xyz[:, None, :] - _FRAME_CENTRES[None, :, :]) ** 2).sum(axis=2)
    return np.argmin(d2, axis=1).astype(np.int8)


def ball(xyz: np.ndarray) -> tuple[tuple[float, float, float], float]:
    """A ball holding every (n, 3) ECEF point: its centre (the middle of their box) and radius (metres)."""
    xyz = np.asarray(xyz, dtype=float).reshape(-1, 3)
    centre = (xyz.min(axis=0) + xyz.max(axis=0)) / 2
    return tuple(centre.tolist()), float(np.sqrt(((xyz - centre) ** 2).sum(axis=1)).max())


def ball_gap(p: tuple[float, float, float], centre: tuple[float, float, float], radius: float) -> float:
    """Lower bound (metres) of the chord from ECEF point p to any point of the ball (hot path: one C call)."""
    return max(0.0, math.dist(p, centre) - radius)


def distances_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Geodesic distances in km from (lat, lon) to each (lats[i], lons[i])."""
    n = len(lats)
    if n == 0:
        return np.empty(0)
    # Geod.inv's own checks and copies cost more than the 10 to 20 geodesics of a nearest query:
    # call its compiled kernel on fresh float64 buffers; it writes the distances into the third.
    metres = np.array(lons, dtype=float)
    _GEOD._inv(np.full(n, float(lon)), np.full(n, float(lat)), metres, np.array(lats, dtype=float), radians=False)
    return metres / 1000.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in km between two (lat, lon) points."""
    return _GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0
