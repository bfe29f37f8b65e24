"""Spatial index and filtered k-nearest search over the directory's sites.

Sites are indexed in R-trees, one per territory frame (geodesy.FRAMES: metropolitan France,
the Antilles, Guyane, La Réunion, Mayotte), in planar metres on the frame's tangent plane.
A query's criteria become a boolean mask built from precomputed columns (one numpy array
per code), cached per equivalent criteria. The mask selects a *view*, split by frame into
*parts*:

- every site of the frame: the frame's R-tree;
- a large share of them: the frame's R-tree, skipping non-matching candidates;
- a mid-sized subset: an R-tree of its own, built once and cached;
- a small view, or a small part: a vectorised scan of its chord distances.

Candidates come in planar (or chord) order; they are ranked by WGS84 geodesic distance, and
a part's search stops once its next candidate is provably farther than the k-th geodesic
distance found: planar and chord distances never exceed the geodesic one (see geodesy).
Parts are visited nearest first; a part whose box is farther than the k-th distance found
is skipped. The result equals an exhaustive geodesic scan, overseas included.

Competent first (``nearest(..., competent_first=True)``, ``competent_nearest``): for each structure with a territory
that covers the origin (its communes), its nearest matching site whose public the profile
confirms (``criteria.confirms``) comes first, nearest first; then the other sites by distance.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from finder.domain import geodesy, rtrees
from finder.domain.criteria import Criteria
from finder.domain.filters import FILTERS, Column, Facts
from finder.domain.model import Site, Structure
from finder.domain.packed import Coded
from finder.domain.views import View

VIEW_CACHE = 256


class Hit(NamedTuple):
    pos: int  # position of the site in the index
    distance_km: float
    competent: bool = False  # put first: the nearest site of a structure competent for the origin


class SiteIndex:
    """Filtered k-nearest over sites; positions index ``sites``."""

    def __init__(self, sites: list[Site], structures: dict[str, Structure], departments: list[str]):
        self.sites = sites
        self.structures = structures
        self.departments = Coded.of(departments)
        self.size = len(sites)
        self.lats = np.array([s.lat for s in sites], dtype=float)
        self.lons = np.array([s.lon for s in sites], dtype=float)
        self.xyz = geodesy.ecef(self.lats, self.lons)  # (n, 3) ECEF metres
        self.frame = geodesy.frame_of(self.xyz)  # index in geodesy.FRAMES, per site
        self.uv = np.empty((self.size, 2))  # planar metres in the site's own frame
        for f in np.unique(self.frame).tolist():
            positions = np.flatnonzero(self.frame == f)
            self.uv[positions] = geodesy.FRAMES[f].plane(self.xyz[positions])
        ids = [s.id for s in sites]
        self.id_rank = np.empty(self.size, dtype=np.int64)  # tie-break: rank of the site id
        self.id_rank[sorted(range(self.size), key=ids.__getitem__)] = np.arange(self.size)
        self._by_id = np.argsort(self.id_rank)  # positions in id order (for position())
        self._sorted_ids = np.array([ids[i] for i in self._by_id], dtype=str)
        self._columns: dict = {}  # filter name -> Column, built on first use
        self._build_territories(sites, structures)
        self.structure_ids = Coded.of(s.structure_id for s in sites)
        self._restricted: dict = {}  # public filter name -> bool column: the site restricts it
        self._trees()

    def _trees(self) -> None:
        """One R-tree per frame (and the caches that go with a fresh index)."""
        # planar coordinates as complex numbers u + iv (a view of uv): |w - w0| is a planar distance
        self.w = np.ascontiguousarray(self.uv).view(np.complex128)[:, 0]
        self.frame_positions: dict[int, np.ndarray] = {}
        self.trees: dict = {}
        for f in np.unique(self.frame).tolist():
            positions = np.flatnonzero(self.frame == f)
            self.frame_positions[f] = positions
            self.trees[f] = rtrees.build(self.uv[positions])
        self._facts_list = None
        self._confirmed: dict = {}  # public filters not given -> sites confirmed (a handful of keys)
        self._views: OrderedDict = OrderedDict()

    # -- kept in a file (finder.service.catalog_cache) -----------------------------
    def prebuild(self) -> None:
        """Build every registered filter's columns now (before the index is written to a file)."""
        for name, f in FILTERS.items():
            self.column(name)
            if f.describes_public:
                self.restricted(name)

    def __getstate__(self) -> dict:
        """Arrays and columns only: no site objects, no R-tree (rebuilt from ``uv`` when read)."""
        drop = ("sites", "structures", "w", "frame_positions", "trees", "_facts_list", "_confirmed", "_views")
        return {k: v for k, v in self.__dict__.items() if k not in drop}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.sites, self.structures = (), {}
        self._trees()

    def attach(self, sites, structures) -> None:
        """The sites (in index order) and structures of an index read from a file: a filter registered
        since it was written builds its columns from them."""
        self.sites, self.structures = sites, structures

    def position(self, site_id: str) -> int | None:
        """The position of the site with this id, or None."""
        i = int(np.searchsorted(self._sorted_ids, site_id))
        if i < self.size and self._sorted_ids[i] == site_id:
            return int(self._by_id[i])
        return None

    # -- columns ---------------------------------------------------------------
    @property
    def _facts(self) -> list[Facts]:
        """What the filters read, per site (built when a column is first built from the sites)."""
        if self._facts_list is None:
            st = self.structures
            self._facts_list = [Facts(s, st[s.structure_id], d) for s, d in zip(self.sites, self.departments)]
        return self._facts_list

    def _build_territories(self, sites, structures) -> None:
        """Which sites serve which commune, read once per structure (not per site).

        ``unrestricted``: per site, its structure declares no territory; ``competent``: INSEE
        code -> positions of the sites whose structure serves it (one int32 array shared by
        all codes, sliced).
        """
        by_structure: dict[str, list[int]] = {}
        for i, s in enumerate(sites):
            by_structure.setdefault(s.structure_id, []).append(i)
        self.unrestricted = np.ones(len(sites), dtype=bool)
        code_ids: dict[str, int] = {}
        codes, positions = [], []
        for sid, pos in by_structure.items():
            territory = structures[sid].territory
            if territory is None:
                continue
            pos = np.array(pos, dtype=np.int32)
            self.unrestricted[pos] = False
            ids = np.array([code_ids.setdefault(code, len(code_ids)) for code in territory], dtype=np.int32)
            codes.append(np.repeat(ids, len(pos)))
            positions.append(np.tile(pos, len(ids)))
        self.competent = _Competent(code_ids, codes, positions)

    def competence(self, pos: int, origin_keys: tuple[str, ...]) -> bool | None:
        """Whether the site's structure serves the origin (criteria.competence), from the flat arrays.

        None when the structure declares no territory or the origin's commune is unknown.
        """
        if self.unrestricted[pos] or not origin_keys:
            return None
        for key in origin_keys:
            served = self.competent.get(key)
            if served is not None:
                i = int(np.searchsorted(served, pos))
                if i < len(served) and served[i] == pos:
                    return True
        return False

    def competences(self, positions: list[int], origin_keys: tuple[str, ...]) -> list[bool | None]:
        """``competence`` of each position, in one vectorised pass (the hot path's ``in_territory``)."""
        if not origin_keys:
            return [None] * len(positions)
        pos = np.asarray(positions, dtype=np.int64)
        free = self.unrestricted[pos]
        if free.all():
            return [None] * len(positions)
        inside = np.zeros(len(pos), dtype=bool)
        for key in origin_keys:
            served = self.competent.get(key)  # sorted positions
            if served is not None and len(served):
                at = np.minimum(np.searchsorted(served, pos), len(served) - 1)
                inside |= served[at] == pos
        return [None if f else hit for f, hit in zip(free.tolist(), inside.tolist())]

    def column(self, name: str) -> Column:
        """The columns of one filter (built once; a racing second build is harmless)."""
        col = self._columns.get(name)
        if col is None:
            col = self._columns[name] = FILTERS[name].build(self._facts)
        return col

    def mask(self, c: Criteria, origin_keys: tuple[str, ...] = ()) -> np.ndarray:
        """Boolean array: which sites match the criteria (same semantics as criteria.matches)."""
        m = np.ones(self.size, dtype=bool)
        for name, value in c.values:
            m &= self.column(name).mask(value)
        if c.territory_only:
            ok = self.unrestricted.copy()
            for key in origin_keys:
                if key in self.competent:
                    ok[self.competent[key]] = True
            m &= ok
        return m

    def restricted(self, name: str) -> np.ndarray:
        """Which sites limit their public on filter ``name`` (built once)."""
        col = self._restricted.get(name)
        if col is None:
            f = FILTERS[name]
            col = self._restricted[name] = np.array([f.restricts(x) for x in self._facts], dtype=bool)
        return col

    def confirmed(self, c: Criteria) -> np.ndarray:
        """Boolean array: sites whose public the profile confirms (same semantics as criteria.confirms)."""
        unasked = tuple(n for n, f in FILTERS.items() if f.describes_public and n not in dict(c.values))
        ok = self._confirmed.get(unasked)
        if ok is None:
            ok = np.ones(self.size, dtype=bool)
            for name in unasked:
                ok &= ~self.restricted(name)
            self._confirmed[unasked] = ok
        return ok

    def _key(self, c: Criteria, origin_keys: tuple[str, ...]):
        values = tuple((name, self.column(name).key(value)) for name, value in c.values)
        return values, (origin_keys if c.territory_only else None)

    def view(self, c: Criteria, origin_keys: tuple[str, ...] = ()) -> View:
        key = self._key(c, origin_keys)
        v = self._views.get(key)
        if v is not None:
            self._views.move_to_end(key)
            return v
        v = View(self, np.flatnonzero(self.mask(c, origin_keys)))
        self._views[key] = v
        if len(self._views) > VIEW_CACHE:
            self._views.popitem(last=False)
        return v

    def positions(self, c: Criteria, origin_keys: tuple[str, ...] = ()) -> np.ndarray:
        """Positions of every matching site, in index order."""
        return self.view(c, origin_keys).positions

    # -- nearest ---------------------------------------------------------------
    def nearest(
        self,
        lat: float,
        lon: float,
        c: Criteria = Criteria(),
        k: int = 10,
        max_km: float | None = None,
        origin_keys: tuple[str, ...] = (),
        competent_first: bool = False,
    ) -> list[Hit]:
        """The k matching sites nearest to (lat, lon) by geodesic distance, nearest first.

        Ties are broken by site id. Sites farther than max_km (km) are left out. With
        ``competent_first``, the sites of ``competent_nearest`` come first, then the others by distance.
        """
        if not competent_first:
            return self._nearest(lat, lon, c, k, max_km, origin_keys)
        first = self.competent_nearest(lat, lon, c, origin_keys, max_km)[:k]
        taken = {h.pos for h in first}
        rest = self._nearest(lat, lon, c, k + len(first), max_km, origin_keys)
        return first + [h for h in rest if h.pos not in taken][: k - len(first)]

    def competent_nearest(
        self, lat: float, lon: float, c: Criteria, origin_keys: tuple[str, ...], max_km: float | None = None
    ) -> list[Hit]:
        """For each structure whose territory holds one of ``origin_keys``, its matching site nearest to
        (lat, lon) among those whose public the profile confirms; nearest first, ties by site id."""
        found = [self.competent[key] for key in origin_keys if key in self.competent]
        if not found:
            return []
        pos = np.unique(np.concatenate(found))
        pos = pos[np.isin(pos, self.positions(c, origin_keys), assume_unique=True) & self.confirmed(c)[pos]]
        if len(pos) == 0:
            return []
        dist = geodesy.distances_km(lat, lon, self.lats[pos], self.lons[pos])
        hits, seen = [], set()
        for i in np.lexsort((self.id_rank[pos], dist)):
            p, d = int(pos[i]), float(dist[i])
            if max_km is not None and d > max_km:
                break
            if self.structure_ids[p] not in seen:
                seen.add(self.structure_ids[p])
                hits.append(Hit(p, d, True))
        return hits

    def _nearest(self, lat, lon, c, k, max_km, origin_keys) -> list[Hit]:
        if self.size == 0 or k <= 0:
            return []
        view = self.view(c, origin_keys)
        if len(view.positions) == 0:
            return []
        p = geodesy.ecef1(lat, lon)
        bound = math.inf if max_km is None else float(max_km)
        if len(view.parts) == 1:  # a scanned view, or a single frame
            pos, dist, _ = self._search(view.parts[0].walker(p), lat, lon, k, bound)
            return self._rank(pos, dist, k, max_km)
        return self._nearest_parts(view, p, lat, lon, k, bound, max_km)

    def _nearest_parts(self, view: View, p, lat, lon, k, bound, max_km) -> list[Hit]:
        """Visit the frames' parts nearest box first; skip those beyond the k-th distance found."""
        found_pos, found_dist = [], []
        for gap, i in sorted([(geodesy.ball_gap(p, part.centre, part.reach), i) for i, part in enumerate(view.parts)]):
            if gap > bound * 1000.0 + geodesy.SLACK_M:
                break
            pos, dist, bound = self._search(view.parts[i].walker(p), lat, lon, k, bound)
            found_pos.append(pos)
            found_dist.append(dist)
        if not found_pos:  # every part lies beyond max_km
            return []
        return self._rank(np.concatenate(found_pos), np.concatenate(found_dist), k, max_km)

    def _search(self, walk, lat: float, lon: float, k: int, bound: float) -> tuple[np.ndarray, np.ndarray, float]:
        """Fetch candidates from walk(n) until the unseen ones are provably beyond the k-th.

        Geodesics are computed for the k candidates nearest by the walk's bound, then only for
        those others whose bound does not exceed the k-th distance found (farther ones cannot
        be among the k). Returns (positions, geodesic km, new bound): the k-th distance found,
        or bound if lower.
        """
        fetch = k + 6
        while True:
            pos, lower, radius, exhausted = walk(fetch)  # nearest first by the bound
            dist = geodesy.distances_km(lat, lon, self.lats[pos[:k]], self.lons[pos[:k]])
            kth = bound if len(dist) < k else min(bound, float(dist.max()))
            more = int(np.searchsorted(lower[k:], kth * 1000.0 + geodesy.SLACK_M, side="right"))
            if more:
                extra = pos[k : k + more]
                dist = np.concatenate((dist, geodesy.distances_km(lat, lon, self.lats[extra], self.lons[extra])))
                kth = min(bound, float(np.partition(dist, k - 1)[k - 1]))
            pos = pos[: k + more]
            if exhausted or radius > kth * 1000.0 + geodesy.SLACK_M:
                return pos, dist, kth
            fetch *= 4

    def _rank(self, pos: np.ndarray, dist: np.ndarray, k: int, max_km: float | None) -> list[Hit]:
        order = np.lexsort((self.id_rank[pos], dist))[:k]
        dist = dist[order]
        if max_km is not None:
            order = order[: int(np.searchsorted(dist, max_km, side="right"))]
        return [Hit(p, d) for p, d in zip(pos[order].tolist(), dist.tolist())]


class _Competent(Mapping):
    """INSEE code -> sorted positions of the sites competent for it, over one flat array."""

    def __init__(self, code_ids: dict[str, int], codes: list[np.ndarray], positions: list[np.ndarray]):
        code = np.concatenate(codes) if codes else np.empty(0, dtype=np.int32)
        pos = np.concatenate(positions) if positions else np.empty(0, dtype=np.int32)
        order = np.lexsort((pos, code))
        self._ids = code_ids
        self._positions = pos[order]
        self._starts = np.searchsorted(code[order], np.arange(len(code_ids) + 1))

    def __getitem__(self, code: str) -> np.ndarray:
        i = self._ids[code]
        return self._positions[self._starts[i] : self._starts[i + 1]]

    def __contains__(self, code) -> bool:
        return code in self._ids

    def expand(self, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """For every competent site of every code: (index of the code in codes, site position)."""
        if not self._ids:  # no structure declares a territory
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=self._positions.dtype)
        ids = np.array([self._ids.get(code, -1) for code in codes], dtype=np.int64)
        known = ids >= 0
        start = np.where(known, self._starts[np.maximum(ids, 0)], 0)
        count = np.where(known, self._starts[np.maximum(ids, 0) + 1] - start, 0)
        before = np.cumsum(count) - count
        idx = np.repeat(start - before, count) + np.arange(int(count.sum()), dtype=np.int64)
        return np.repeat(np.arange(len(codes), dtype=np.int64), count), self._positions[idx]

    def get(self, code, default=None):
        return self[code] if code in self._ids else default

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)
