"""Bulk spatial queries: many origins against one set of points, exact on the WGS84 ellipsoid.

Both sides are ``Points`` (lon, lat degrees; their ECEF coordinates, territory frame and
planar coordinates in that frame, see geodesy). Work is done frame by frame, with numpy
(no Python loop per origin):

- within a frame, targets are bucketed in a grid of squares of side s on the frame's plane;
  the 3 x 3 squares around an origin's square hold every target of the frame whose planar
  distance to it is below s, and the planar distance never exceeds the geodesic one. For
  each origin, the geodesic distances of its k nearest candidates (by planar distance) give
  a bound B; when B < s, every target of the frame within B is among the candidates.
  Origins left over go to the next level, with squares twice as large, until a square
  holds the whole frame;
- across frames, the chord from an origin to another frame's box bounds the geodesic
  distance to any of its targets from below: when it exceeds B, that frame cannot matter.
  The few origins for which it does not (a filter with no site in their territory) are
  settled by an exhaustive scan of every target.

So the answers equal an exhaustive geodesic scan, overseas included.

Results are *candidate triples* (origin, target, km): flat arrays that ``top_k``
reduces to the k nearest targets of each origin (ties broken by the targets' rank).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import Geod

from finder.domain import geodesy

_GEOD = Geod(ellps="WGS84")
PAIR_BUDGET = 2_000_000  # candidate pairs held at once (about 100 MB of temporary arrays)
MAX_CELLS = 1_000_000  # squares of one grid (a dense table of their starts)
FIRST_SIDE = 1.5  # first square side, in units of the targets' typical k-th neighbour distance
LEVEL_FACTOR = 2.0  # square side growth from one level to the next
_NEIGHBOURS = [(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)]


class Points:
    """Points given as (lon, lat) degrees; ``rank`` breaks distance ties (lower first)."""

    def __init__(self, lons, lats, rank=None, xyz=None):
        self.lons = np.asarray(lons, dtype=float)
        self.lats = np.asarray(lats, dtype=float)
        self.rank = np.arange(len(self.lons), dtype=np.int64) if rank is None else np.asarray(rank)
        self._xyz, self._frame, self._uv = xyz, None, None  # xyz: the ECEF coordinates when known

    def __len__(self) -> int:
        return len(self.lons)

    @property
    def xyz(self) -> np.ndarray:
        """(n, 3) ECEF metres, computed once."""
        if self._xyz is None:
            self._xyz = geodesy.ecef(self.lats, self.lons) if len(self) else np.empty((0, 3))
        return self._xyz

    @property
    def frame(self) -> np.ndarray:
        """Index in geodesy.FRAMES of each point's frame."""
        if self._frame is None:
            self._frame = geodesy.frame_of(self.xyz) if len(self) else np.empty(0, dtype=np.int8)
        return self._frame

    @property
    def uv(self) -> np.ndarray:
        """(n, 2) planar metres of each point in its own frame."""
        if self._uv is None:
            self._uv = np.empty((len(self), 2))
            for f in np.unique(self.frame).tolist():
                sel = self.frame == f
                self._uv[sel] = geodesy.FRAMES[f].plane(self.xyz[sel])
        return self._uv

    def take(self, positions: np.ndarray) -> Points:
        pos = np.asarray(positions, dtype=np.int64)
        return Points(self.lons[pos], self.lats[pos], self.rank[pos])

    def by_frame(self) -> dict[int, np.ndarray]:
        """Indices of the points of each frame present."""
        return {f: np.flatnonzero(self.frame == f) for f in np.unique(self.frame).tolist()}


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
        return Triples.join([self, other])

    @staticmethod
    def join(parts: list[Triples]) -> Triples:
        if not parts:
            return Triples.empty()
        return Triples(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("origin", "target", "km")))


def geodesic_km(origins: Points, o: np.ndarray, targets: Points, t: np.ndarray) -> np.ndarray:
    """Geodesic km between origins[o[i]] and targets[t[i]] for every i."""
    if len(o) == 0:
        return np.empty(0)
    _, _, metres = _GEOD.inv(origins.lons[o], origins.lats[o], targets.lons[t], targets.lats[t])
    return np.asarray(metres) / 1000.0


# -- a grid on one frame's plane -----------------------------------------------------------
class _Grid:
    """Targets (given by their indices) bucketed in squares of side ``side`` on their frame's plane.

    A dense table over the box of the targets and the origins it will be asked about:
    starts[cell] .. starts[cell + 1] are the targets of a square in ``order``.
    """

    def __init__(self, targets: Points, ids: np.ndarray, origins_uv: np.ndarray, side: float):
        uv = targets.uv[ids]
        lo = np.minimum(uv.min(axis=0), origins_uv.min(axis=0))
        hi = np.maximum(uv.max(axis=0), origins_uv.max(axis=0))
        side = max(side, float(np.sqrt((hi - lo + 1.0).prod() / MAX_CELLS)))
        self.side, self.lo = side, lo - 2 * side  # empty squares of margin: every neighbour exists
        self.shape = (int((hi[0] - self.lo[0]) // side) + 3, int((hi[1] - self.lo[1]) // side) + 3)
        cells = self.cells(uv)
        by_cell = np.argsort(cells, kind="stable")
        self.order = ids[by_cell]  # target indices, square by square
        self.u, self.v = uv[by_cell, 0].copy(), uv[by_cell, 1].copy()
        counts = np.bincount(cells, minlength=self.shape[0] * self.shape[1])
        self.starts = np.concatenate([[0], np.cumsum(counts)])

    def squares(self, uv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ij = ((uv - self.lo) // self.side).astype(np.int64)
        return ij[:, 0], ij[:, 1]

    def cells(self, uv: np.ndarray) -> np.ndarray:
        i, j = self.squares(uv)
        return i * self.shape[1] + j

    def pairs(self, uv: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every pair of the 3 x 3 squares around each origin of uv, as three flat arrays.

        (origin row in uv, target position in ``order``, squared planar distance in m²).
        """
        i, j = self.squares(uv)
        starts, counts = [], []
        for di, dj in _NEIGHBOURS:  # origins lie inside the table's margin: neighbours exist
            cell = (i + di) * self.shape[1] + (j + dj)
            starts.append(self.starts[cell])
            counts.append(self.starts[cell + 1] - self.starts[cell])
        start, count = np.column_stack(starts).ravel(), np.column_stack(counts).ravel()
        before = np.cumsum(count) - count
        idx = np.repeat(start - before, count) + np.arange(int(count.sum()), dtype=np.int64)
        per_origin = count.reshape(-1, 9).sum(axis=1)
        du = self.u[idx] - np.repeat(uv[:, 0], per_origin)
        dv = self.v[idx] - np.repeat(uv[:, 1], per_origin)
        return np.repeat(np.arange(len(uv), dtype=np.int64), per_origin), idx, du * du + dv * dv

    def sizes(self, uv: np.ndarray) -> np.ndarray:
        """How many pairs each origin of uv would get."""
        i, j = self.squares(uv)
        total = np.zeros(len(uv), dtype=np.int64)
        for di, dj in _NEIGHBOURS:
            cell = (i + di) * self.shape[1] + (j + dj)
            total += self.starts[cell + 1] - self.starts[cell]
        return total


def _chunks(sizes: np.ndarray, budget: int = PAIR_BUDGET):
    """Consecutive slices whose sizes add up to at most budget (one item at least each)."""
    total = np.cumsum(sizes)
    lo = 0
    while lo < len(sizes):
        base = total[lo - 1] if lo else 0
        hi = max(lo + 1, int(np.searchsorted(total, base + budget, side="right")))
        yield slice(lo, hi)
        lo = hi


def _first_side(uv: np.ndarray, k: int) -> float:
    """A square side at which most origins near the targets find their k nearest (from their density)."""
    coarse = 20_000.0
    ij = (uv // coarse).astype(np.int64)
    occupied = len(np.unique(ij[:, 0] * (1 << 32) + ij[:, 1]))
    density = len(uv) / (occupied * coarse * coarse)  # targets per m² where there are some
    return float(min(FIRST_SIDE * np.sqrt(k / (np.pi * density)), coarse))


def _boxes(points: Points, by_frame: dict[int, np.ndarray]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    return {f: (points.xyz[ids].min(axis=0), points.xyz[ids].max(axis=0)) for f, ids in by_frame.items()}


def _gap(xyz: np.ndarray, box: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Chord-wise lower bound (metres) from each ECEF point to any point of the box."""
    lo, hi = box
    return np.sqrt((np.maximum(np.maximum(lo - xyz, xyz - hi), 0.0) ** 2).sum(axis=1))


# -- queries -------------------------------------------------------------------------
def nearest_candidates(targets: Points, origins: Points, k: int = 1) -> Triples:
    """Triples holding, for every origin, at least its k geodesically nearest targets."""
    if len(targets) == 0 or len(origins) == 0 or k <= 0:
        return Triples.empty()
    target_frames = targets.by_frame()
    boxes = _boxes(targets, target_frames)
    found, scan = [], []
    for f, ids in origins.by_frame().items():
        if f in target_frames:
            triples, settled, bound = _nearest_in_frame(targets, target_frames[f], origins, ids, k)
        else:
            triples, settled, bound = Triples.empty(), np.zeros(len(ids), dtype=bool), np.full(len(ids), np.inf)
        for g, box in boxes.items():  # another frame's targets could be nearer than the bound
            if g != f:
                settled &= _gap(origins.xyz[ids], box) > bound * 1000.0 + geodesy.SLACK_M
        keep = settled[np.searchsorted(ids, triples.origin)]
        found.append(Triples(triples.origin[keep], triples.target[keep], triples.km[keep]))
        scan.append(ids[~settled])
    found.append(_scan(targets, origins, np.concatenate(scan), k))
    return Triples.join(found)


def _nearest_in_frame(targets: Points, t_ids: np.ndarray, origins: Points, o_ids: np.ndarray, k: int):
    """Nearest targets of one frame for origins of the same frame, level by level.

    Returns (triples, settled, bound): for each origin of o_ids, whether its k nearest
    targets *of this frame* are in the triples, and B, the geodesic km they lie within.
    """
    side = _first_side(targets.uv[t_ids], k)
    settled = np.zeros(len(o_ids), dtype=bool)
    bound = np.full(len(o_ids), np.inf)
    todo = np.arange(len(o_ids))
    found = []
    while len(todo):
        grid = _Grid(targets, t_ids, origins.uv[o_ids[todo]], side)
        uv = origins.uv[o_ids[todo]]
        left = []
        for part in _chunks(grid.sizes(uv)):
            rows = todo[part]
            local, idx, d2 = grid.pairs(uv[part])
            done, b, triples = _settle(targets, grid, origins, o_ids[rows], local, idx, d2, k)
            settled[rows[done]], bound[rows[done]] = True, b[done]
            found.append(triples)
            left.append(rows[~done])
        todo = np.concatenate(left)
        side = grid.side * LEVEL_FACTOR
    return Triples.join(found), settled, bound


def _settle(targets: Points, grid: _Grid, origins: Points, ids, local, idx, d2, k: int):
    """Which origins of ids are settled by their candidate pairs; their bounds; their triples.

    Pairs are (ids[local], grid.order[idx]) at squared planar distance d2. An origin is
    settled when it saw every target of the frame, or when B, the largest geodesic distance
    among its k nearest candidates by planar distance, stays below the square side: every
    target of the frame within B then lies among its candidates.
    """
    nearest = np.flatnonzero(_k_smallest(d2, local, len(ids), k))
    km = geodesic_km(origins, ids[local[nearest]], targets, grid.order[idx[nearest]])
    bound = np.full(len(ids), -np.inf)
    np.maximum.at(bound, local[nearest], km)
    seen = np.bincount(local, minlength=len(ids))
    done = (seen == len(grid.order)) | ((seen >= k) & (bound * 1000.0 < grid.side - geodesy.SLACK_M))
    bound[seen < k] = np.inf  # fewer than k targets in the frame: any other frame may matter
    reach = np.where(done, bound * 1000.0 + geodesy.SLACK_M, -1.0)
    keep = np.flatnonzero(d2 <= (reach * np.abs(reach))[local])  # squared; never for unsettled origins
    o, t = ids[local[keep]], grid.order[idx[keep]]
    measured = np.full(len(d2), np.nan)
    measured[nearest] = km
    out = measured[keep]
    missing = np.isnan(out)  # the k nearest are measured already
    out[missing] = geodesic_km(origins, o[missing], targets, t[missing])
    return done, bound, Triples(o, t, out)


def _scan(targets: Points, origins: Points, ids: np.ndarray, k: int) -> Triples:
    """Exhaustive search for a few origins: k nearest by chord, then every target within their bound."""
    found = []
    ids = np.sort(ids)
    for part in _chunks(np.full(len(ids), len(targets)), PAIR_BUDGET):
        rows = ids[part]
        chord = np.sqrt(((origins.xyz[rows][:, None, :] - targets.xyz[None, :, :]) ** 2).sum(axis=2))
        kk = min(k, len(targets))
        nearest = np.argpartition(chord, kk - 1, axis=1)[:, :kk]
        o = np.repeat(rows, kk)
        km = geodesic_km(origins, o, targets, nearest.ravel()).reshape(-1, kk)
        r, t = np.nonzero(chord <= km.max(axis=1)[:, None] * 1000.0 + geodesy.SLACK_M)
        found.append(Triples(rows[r], t, geodesic_km(origins, rows[r], targets, t)))
    return Triples.join(found)


def _k_smallest(values: np.ndarray, group: np.ndarray, n: int, k: int) -> np.ndarray:
    """Boolean mask of at least the k smallest values of each group (all of them on ties)."""
    chosen = np.zeros(len(values), dtype=bool)
    if k > 4:  # by sorting: one pass, however large k
        order = np.lexsort((values, group))
        first = np.searchsorted(group[order], np.arange(n))
        rank = np.arange(len(order)) - first[group[order]]
        chosen[order[rank < k]] = True
        return chosen
    rest = values.copy()
    for _ in range(k):  # k passes of "the smallest left in each group"
        low = np.full(n, np.inf)
        np.minimum.at(low, group, rest)
        pick = (rest == low[group]) & np.isfinite(rest)
        chosen |= pick
        rest[pick] = np.inf
    return chosen


def nearest_among(origins: Points, o: np.ndarray, targets: Points, t: np.ndarray, k: int) -> Triples:
    """Of the given pairs (origins[o[i]], targets[t[i]]), those holding each origin's k nearest, measured.

    The k nearest by chord give each origin a bound B (their largest geodesic distance); a pair
    whose chord exceeds B is farther than B, so only pairs within B by chord are measured.
    """
    if len(o) == 0:
        return Triples.empty()
    chord = np.sqrt(((targets.xyz[t] - origins.xyz[o]) ** 2).sum(axis=1))
    nearest = np.flatnonzero(_k_smallest(chord, o, len(origins), k))
    km = geodesic_km(origins, o[nearest], targets, t[nearest])
    bound = np.full(len(origins), -np.inf)
    np.maximum.at(bound, o[nearest], km)
    keep = np.flatnonzero(chord <= bound[o] * 1000.0 + geodesy.SLACK_M)
    measured = np.full(len(o), np.nan)
    measured[nearest] = km
    out = measured[keep]
    missing = np.isnan(out)
    out[missing] = geodesic_km(origins, o[keep][missing], targets, t[keep][missing])
    return Triples(o[keep], t[keep], out)


def within(targets: Points, origins: Points, max_km: float) -> Triples:
    """Every (origin, target) pair at most max_km apart (geodesic)."""
    if len(targets) == 0 or len(origins) == 0:
        return Triples.empty()
    radius = max_km * 1000.0 + geodesy.SLACK_M
    target_frames = targets.by_frame()
    boxes = _boxes(targets, target_frames)
    found = []
    for f, ids in origins.by_frame().items():
        for g, t_ids in target_frames.items():
            if g == f:
                found.append(_within_frame(targets, t_ids, origins, ids, radius))
                continue
            near = ids[_gap(origins.xyz[ids], boxes[g]) <= radius]  # rare: territories far apart
            found.append(_within_scan(targets, t_ids, origins, near, radius))
    tr = Triples.join(found)
    keep = tr.km <= max_km
    return Triples(tr.origin[keep], tr.target[keep], tr.km[keep])


def _within_scan(targets: Points, t_ids: np.ndarray, origins: Points, o_ids: np.ndarray, radius: float) -> Triples:
    """Pairs within radius (by chord, then geodesic km) by an exhaustive scan of t_ids."""
    found = []
    for part in _chunks(np.full(len(o_ids), len(t_ids))):
        rows = o_ids[part]
        chord = np.sqrt(((origins.xyz[rows][:, None, :] - targets.xyz[t_ids][None, :, :]) ** 2).sum(axis=2))
        r, c = np.nonzero(chord <= radius)
        found.append(Triples(rows[r], t_ids[c], geodesic_km(origins, rows[r], targets, t_ids[c])))
    return Triples.join(found)


def _within_frame(targets: Points, t_ids: np.ndarray, origins: Points, o_ids: np.ndarray, radius: float) -> Triples:
    uv = origins.uv[o_ids]
    grid = _Grid(targets, t_ids, uv, radius)
    found = []
    for part in _chunks(grid.sizes(uv)):
        local, idx, d2 = grid.pairs(uv[part])
        near = d2 <= radius * radius
        o, t = o_ids[part][local[near]], grid.order[idx[near]]
        found.append(Triples(o, t, geodesic_km(origins, o, targets, t)))
    return Triples.join(found)


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
