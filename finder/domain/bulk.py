"""Bulk spatial queries: many origins against one set of points, exact on the WGS84 ellipsoid.

Both sides are ``Points`` (lon, lat degrees plus Lambert-93 metres). Candidates come from
the R-tree's vectorised queries (``nearest_v``, ``intersection_v``), then every candidate
pair is measured by geodesic distance in one vectorised call. As in ``index``, planar
distance <= geodesy.SCALE_MAX x geodesic distance, so no pair that matters is missed.

Results are *candidate triples* (origin, target, km): flat arrays that ``top_k``
reduces to the k nearest targets of each origin (ties broken by the targets' rank).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pyproj import Geod

from finder.domain import geodesy
from finder.domain.index import _tree

_GEOD = Geod(ellps="WGS84")


@dataclass
class Points:
    """Points given as (lon, lat) degrees; ``rank`` breaks distance ties (lower first)."""

    lons: np.ndarray
    lats: np.ndarray
    rank: np.ndarray | None = None
    xs: np.ndarray = field(init=False)
    ys: np.ndarray = field(init=False)

    def __post_init__(self):
        self.lons = np.asarray(self.lons, dtype=float)
        self.lats = np.asarray(self.lats, dtype=float)
        if self.rank is None:
            self.rank = np.arange(len(self.lons), dtype=np.int64)
        xs, ys = geodesy.project(self.lons, self.lats) if len(self.lons) else ([], [])
        self.xs, self.ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        self._tree = None

    def __len__(self) -> int:
        return len(self.lons)

    @property
    def tree(self):
        if self._tree is None:
            self._tree = _tree(self.xs, self.ys)
        return self._tree

    @property
    def xy(self) -> np.ndarray:
        return np.column_stack([self.xs, self.ys])

    def take(self, positions: np.ndarray) -> Points:
        pos = np.asarray(positions, dtype=np.int64)
        return Points(self.lons[pos], self.lats[pos], self.rank[pos])


@dataclass(frozen=True)
class Triples:
    """Candidate pairs: origin index, target index and geodesic km, as flat arrays."""

    origin: np.ndarray
    target: np.ndarray
    km: np.ndarray

    @staticmethod
    def empty() -> Triples:
        return Triples(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))

    def concat(self, other: Triples) -> Triples:
        return Triples(
            np.concatenate([self.origin, other.origin]),
            np.concatenate([self.target, other.target]),
            np.concatenate([self.km, other.km]),
        )


def geodesic_km(origins: Points, o: np.ndarray, targets: Points, t: np.ndarray) -> np.ndarray:
    """Geodesic km between origins[o[i]] and targets[t[i]] for every i."""
    if len(o) == 0:
        return np.empty(0)
    _, _, metres = _GEOD.inv(origins.lons[o], origins.lats[o], targets.lons[t], targets.lats[t])
    return np.asarray(metres) / 1000.0


def _in_boxes(targets: Points, origins: Points, radius_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(origin, target) pairs whose planar distance is at most radius_m[origin]."""
    xy = origins.xy
    r = radius_m[:, None]
    ids, counts = targets.tree.intersection_v(xy - r, xy + r)
    o = np.repeat(np.arange(len(origins), dtype=np.int64), counts.astype(np.int64))
    t = ids.astype(np.int64)
    planar = np.hypot(targets.xs[t] - origins.xs[o], targets.ys[t] - origins.ys[o])
    keep = planar <= radius_m[o]
    return o[keep], t[keep]


def nearest_candidates(targets: Points, origins: Points, k: int = 1) -> Triples:
    """Triples holding, for every origin, at least its k geodesically nearest targets."""
    if len(targets) == 0 or len(origins) == 0 or k <= 0:
        return Triples.empty()
    xy = origins.xy
    ids, counts = targets.tree.nearest_v(xy, xy, num_results=k, strict=True)
    o = np.repeat(np.arange(len(origins), dtype=np.int64), counts.astype(np.int64))
    km = geodesic_km(origins, o, targets, ids.astype(np.int64))
    # The k planar neighbours bound the k-th geodesic distance; nothing nearer lies outside.
    bound = np.zeros(len(origins))
    np.maximum.at(bound, o, km)
    o, t = _in_boxes(targets, origins, bound * 1000.0 * geodesy.SCALE_MAX)
    return Triples(o, t, geodesic_km(origins, o, targets, t))


def within(targets: Points, origins: Points, max_km: float) -> Triples:
    """Every (origin, target) pair at most max_km apart (geodesic)."""
    if len(targets) == 0 or len(origins) == 0:
        return Triples.empty()
    radius = np.full(len(origins), max_km * 1000.0 * geodesy.SCALE_MAX)
    o, t = _in_boxes(targets, origins, radius)
    km = geodesic_km(origins, o, targets, t)
    keep = km <= max_km
    return Triples(o[keep], t[keep], km[keep])


def top_k(tr: Triples, rank: np.ndarray, n: int, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest distinct targets of each of n origins: (targets (n, k), km (n, k)).

    Missing entries are -1 and inf. Ties are broken by rank[target] (lower first).
    """
    out_t = np.full((n, k), -1, dtype=np.int64)
    out_km = np.full((n, k), np.inf)
    if len(tr.origin) == 0:
        return out_t, out_km
    order = np.lexsort((rank[tr.target], tr.km, tr.origin))
    o, t, km = tr.origin[order], tr.target[order], tr.km[order]
    fresh = np.ones(len(o), dtype=bool)  # drop repeated (origin, target) pairs
    fresh[1:] = (o[1:] != o[:-1]) | (t[1:] != t[:-1])  # a repeated pair sorts next to itself
    o, t, km = o[fresh], t[fresh], km[fresh]
    starts = np.searchsorted(o, np.arange(n))
    slot = np.arange(len(o)) - starts[o]
    keep = slot < k
    out_t[o[keep], slot[keep]] = t[keep]
    out_km[o[keep], slot[keep]] = km[keep]
    return out_t, out_km
