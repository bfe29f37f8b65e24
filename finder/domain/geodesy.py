"""Distances on the WGS84 ellipsoid and the local metric projection of the index.

Ranking and displayed distances are WGS84 geodesics (Karney's algorithm through
pyproj, vectorised; geopy gives the same figures and serves as the tests' oracle).
Candidates are found in Lambert-93 (EPSG:2154), a conformal projection whose scale
factor over France stays within a few thousandths of 1: ``SCALE_MAX`` bounds it, so
planar distance <= SCALE_MAX x geodesic distance, which makes candidate search exact.
"""

from __future__ import annotations

import numpy as np
from pyproj import Geod, Proj, Transformer

_GEOD = Geod(ellps="WGS84")
_TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)

# Accepted origins: metropolitan France with Corsica (lat, lon in degrees).
LAT_RANGE = (41.0, 51.5)
LON_RANGE = (-5.5, 10.0)


def _scale_max() -> float:
    """Largest Lambert-93 scale factor over a latitude band wider than LAT_RANGE.

    Geodesics between two accepted points stay inside the widened band, so the
    bound holds along any of them.
    """
    lats = np.arange(LAT_RANGE[0] - 2.0, LAT_RANGE[1] + 2.0, 0.01)
    factors = Proj("EPSG:2154").get_factors(np.full_like(lats, 3.0), lats)
    return float(np.max(factors.meridional_scale)) * (1 + 1e-6)


SCALE_MAX = _scale_max()


def project(lon, lat):
    """(lon, lat) degrees -> (x, y) metres in Lambert-93; scalars or arrays."""
    return _TO_L93.transform(lon, lat)


def distances_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Geodesic distances in km from (lat, lon) to each (lats[i], lons[i])."""
    n = len(lats)
    if n == 0:
        return np.empty(0)
    _, _, metres = _GEOD.inv(np.full(n, lon), np.full(n, lat), lons, lats)
    return np.asarray(metres) / 1000.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in km between two (lat, lon) points."""
    return _GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0
