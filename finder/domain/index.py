"""Spatial index and filtered k-nearest search over the directory's sites.

Sites live in an R-tree in Lambert-93 metres. A query's criteria become a boolean
mask built from precomputed columns (one numpy array per code), cached per
equivalent criteria. The mask selects a *view*:

- every site: the global R-tree;
- a large share of the sites: the global R-tree, skipping non-matching candidates;
- a mid-sized subset: an R-tree of its own, built once and cached;
- a small subset: a vectorised scan of the subset's coordinates only.

Candidates come in planar order; they are ranked by WGS84 geodesic distance, and the
search stops once the next planar candidate is provably farther (see geodesy.SCALE_MAX)
than the k-th geodesic distance found, so the result equals an exhaustive geodesic scan.

Competent first (``nearest(..., competent_first=True)``, ``competent_nearest``): for each structure with a territory
that covers the origin (its communes), its nearest matching site whose public the profile
confirms (``criteria.confirms``) comes first, nearest first; then the other sites by distance.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from rtree import index as rtree_index

from finder.domain import geodesy
from finder.domain.criteria import Criteria
from finder.domain.filters import FILTERS, Column, Facts
from finder.domain.model import Site, Structure

SCAN_MAX = 256  # subsets up to this size are scanned: cheaper than any tree
DENSE_SHARE = 0.25  # subsets above this share of all sites reuse the global tree
VIEW_CACHE = 256


@dataclass(frozen=True)
class Hit:
    pos: int  # position of the site in the index
    distance_km: float
    competent: bool = False  # put first: the nearest site of a structure competent for the origin


def _tree(xs: np.ndarray, ys: np.ndarray):
    """R-tree of points (x, y), ids = positions in the arrays; bulk-loaded from numpy."""
    props = rtree_index.Property()
    props.leaf_capacity = 32
    props.fill_factor = 0.9
    ids = np.arange(len(xs), dtype=np.int64)
    corners = np.column_stack([xs, ys]).astype(float)
    return rtree_index.Index((ids, corners, corners), properties=props)


class _View:
    """The matching sites of one criteria and how to walk them in planar order."""

    def __init__(self, owner: SiteIndex, positions: np.ndarray):
        self.owner = owner
        self.positions = positions
        n, total = len(positions), owner.size
        if n == total:
            self.kind = "all"
        elif n <= SCAN_MAX:
            self.kind = "scan"
        elif n >= DENSE_SHARE * total:
            self.kind = "dense"
            self.mask = np.zeros(total, dtype=bool)
            self.mask[positions] = True
        else:
            self.kind = "subtree"
            self.tree = _tree(owner.xs[positions], owner.ys[positions])

    def planar_nearest(self, x: float, y: float, n: int) -> tuple[np.ndarray, float, bool]:
        """Up to n matching positions nearest to (x, y) in planar order.

        Returns (positions, radius, exhausted): every matching site not returned lies at
        planar distance >= radius; exhausted is True when nothing else matches.
        """
        o = self.owner
        if self.kind == "scan":
            pos = self.positions
            d2 = (o.xs[pos] - x) ** 2 + (o.ys[pos] - y) ** 2
            if n >= len(pos):
                return pos, np.inf, True
            part = np.argpartition(d2, n)
            return pos[part[:n]], float(np.sqrt(d2[part[n]])), False
        if self.kind == "subtree":
            local = np.fromiter(self.tree.nearest((x, y, x, y), n), dtype=np.int64)
            got = self.positions[local]
        else:
            fetch = n if self.kind == "all" else int(n * o.size / len(self.positions) * 1.5) + 8
            got = np.fromiter(o.tree.nearest((x, y, x, y), fetch), dtype=np.int64)
            n = fetch
        if len(got) < n:
            radius, exhausted = np.inf, True
        else:
            last = got[-1]
            radius, exhausted = float(np.hypot(o.xs[last] - x, o.ys[last] - y)), False
        if self.kind == "dense":
            got = got[self.mask[got]]
        return got, radius, exhausted


class SiteIndex:
    """Filtered k-nearest over sites; positions index ``sites``."""

    def __init__(self, sites: list[Site], structures: dict[str, Structure], departments: list[str]):
        self.sites = sites
        self.size = len(sites)
        self.lats = np.array([s.lat for s in sites], dtype=float)
        self.lons = np.array([s.lon for s in sites], dtype=float)
        xs, ys = geodesy.project(self.lons, self.lats)
        self.xs, self.ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        self.tree = _tree(self.xs, self.ys) if sites else None
        self.id_rank = np.empty(self.size, dtype=np.int64)  # tie-break: rank of the site id
        self.id_rank[sorted(range(self.size), key=lambda i: sites[i].id)] = np.arange(self.size)
        self._build_columns(sites, structures, departments)
        self._views: OrderedDict = OrderedDict()

    # -- columns ---------------------------------------------------------------
    def _build_columns(self, sites, structures, departments) -> None:
        self._facts = [Facts(s, structures[s.structure_id], d) for s, d in zip(sites, departments)]
        self._columns: dict = {}  # filter name -> Column, built on first use
        terrs = [structures[s.structure_id].territory for s in sites]
        self.structure_ids = [s.structure_id for s in sites]
        self._restricted: dict = {}  # public filter name -> bool column: the site restricts it
        self._confirmed: dict = {}  # public filters not given -> sites confirmed (a handful of keys)
        self.unrestricted = np.array([t is None for t in terrs], dtype=bool)
        competent: dict[str, list[int]] = {}
        for i, t in enumerate(terrs):
            for code in t or ():
                competent.setdefault(code, []).append(i)
        self.competent = {k: np.array(v, dtype=np.int64) for k, v in competent.items()}

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

    def view(self, c: Criteria, origin_keys: tuple[str, ...] = ()) -> _View:
        key = self._key(c, origin_keys)
        v = self._views.get(key)
        if v is not None:
            self._views.move_to_end(key)
            return v
        v = _View(self, np.flatnonzero(self.mask(c, origin_keys)))
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
        x, y = geodesy.project(lon, lat)
        fetch = k + 6
        while True:
            pos, radius, exhausted = view.planar_nearest(x, y, fetch)
            dist = geodesy.distances_km(lat, lon, self.lats[pos], self.lons[pos])
            bound = np.inf if max_km is None else max_km
            if len(dist) >= k:
                bound = min(bound, float(np.partition(dist, k - 1)[k - 1]))
            if exhausted or radius >= bound * 1000.0 * geodesy.SCALE_MAX:
                return self._rank(pos, dist, k, max_km)
            fetch *= 4

    def _rank(self, pos: np.ndarray, dist: np.ndarray, k: int, max_km: float | None) -> list[Hit]:
        order = np.lexsort((self.id_rank[pos], dist))
        hits = []
        for i in order[:k]:
            if max_km is not None and dist[i] > max_km:
                break
            hits.append(Hit(int(pos[i]), float(dist[i])))
        return hits
