"""Territorial coverage: how far every commune lives from a site suited to a profile.

For a profile (``Criteria``) and a threshold in km, each commune of the region gets its
nearest matching site from the commune's reference point, the WGS84 geodesic distance and
whether it lies within the threshold. Communes are ``geography.region_communes()`` (Paris,
Lyon and Marseille through their arrondissements, so populations add up), sorted by INSEE code.

The computation is vectorised (finder.bulk): exact like an exhaustive geodesic scan, overseas
included, without a communes x sites Python loop. With ``territory_only``, a restricted structure's
sites count only for the communes of its territory.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from finder.domain import bulk
from finder.domain.criteria import Criteria
from finder.domain.geography import Commune, Geography
from finder.domain.index import SiteIndex

DISTANCE_CLASSES = (5.0, 10.0, 20.0, 30.0)  # km: 0–5, 5–10, 10–20, 20–30, > 30
CACHE_SIZE = 32


@dataclass(eq=False)  # identity: caches key on it
class Communes:
    """A list of communes as arrays; ``points`` are their reference points."""

    items: list[Commune]
    epci_names: dict[str, str] = field(default_factory=dict)  # EPCI code (SIREN) -> name

    def __post_init__(self):
        self.items = sorted(self.items, key=lambda c: c.insee)
        self.insee = [c.insee for c in self.items]
        self.points = bulk.Points([c.ref_lon for c in self.items], [c.ref_lat for c in self.items])
        self.population = np.array([c.population for c in self.items], dtype=np.int64)
        self.departments = np.array([c.department for c in self.items], dtype=object)
        self.epcis = np.array([c.epci or "" for c in self.items], dtype=object)
        self.keys = [(c.insee, c.parent) if c.parent else (c.insee,) for c in self.items]

    @classmethod
    def of_region(cls, geo: Geography) -> Communes:
        return cls(geo.region_communes(), {code: e["name"] for code, e in geo.epcis.items()})

    def epci_name(self, code: str | None) -> str | None:
        return self.epci_names.get(code, code) if code else None

    def __len__(self) -> int:
        return len(self.items)

    def mask(self, department: str | None = None) -> np.ndarray:
        """Which communes belong to the département (all when None)."""
        if department is None:
            return np.ones(len(self), dtype=bool)
        return self.departments == department


@dataclass(frozen=True)
class Summary:
    communes: int
    population: int
    population_covered: int
    share_covered: float  # 0–1 (0 when the population is 0)
    median_km: float | None  # population-weighted; None when beyond every site
    p90_km: float | None

    def as_json(self) -> dict:
        return {
            "communes": self.communes,
            "population": self.population,
            "population_covered": self.population_covered,
            "share_covered": round(self.share_covered, 6),
            "median_km": _round(self.median_km),
            "p90_km": _round(self.p90_km),
        }


@dataclass
class Coverage:
    """Per-commune answer for one profile and threshold; arrays follow ``communes.items``."""

    criteria: Criteria
    max_km: float
    communes: Communes
    site_pos: np.ndarray  # position of the nearest matching site in the index, -1 when none
    km: np.ndarray  # geodesic km to it, inf when none
    covered: np.ndarray  # km <= max_km

    def summary(self, mask: np.ndarray | None = None) -> Summary:
        if mask is None:
            mask = np.ones(len(self.communes), dtype=bool)
        pop = self.communes.population[mask]
        km = self.km[mask]
        total = int(pop.sum())
        covered = int(pop[self.covered[mask]].sum())
        return Summary(
            communes=int(mask.sum()),
            population=total,
            population_covered=covered,
            share_covered=covered / total if total else 0.0,
            median_km=weighted_quantile(km, pop, 0.5),
            p90_km=weighted_quantile(km, pop, 0.9),
        )

    def by_department(self) -> dict[str, Summary]:
        codes = sorted(set(self.communes.departments))
        return {d: self.summary(self.communes.departments == d) for d in codes}

    def by_epci(self, mask: np.ndarray | None = None) -> dict[str, Summary]:
        epcis = self.communes.epcis
        if mask is None:
            mask = np.ones(len(self.communes), dtype=bool)
        codes = sorted(set(epcis[mask]) - {""})
        return {e: self.summary(mask & (epcis == e)) for e in codes}

    def uncovered(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Indices of the communes beyond the threshold ("zones blanches"), most populated first."""
        sel = ~self.covered if mask is None else mask & ~self.covered
        idx = np.flatnonzero(sel)
        return idx[np.lexsort((idx, -self.communes.population[idx]))]

    def distance_class(self, i: int) -> int:
        """0 for 0–5 km, …, len(DISTANCE_CLASSES) beyond the last bound (or no site)."""
        return int(np.searchsorted(DISTANCE_CLASSES, self.km[i], side="left"))


class Analyser:
    """Coverage queries over one served directory (its index) and a set of communes."""

    def __init__(self, index: SiteIndex, communes: Communes):
        self.index = index
        self.communes = communes
        self._lock = threading.Lock()
        self._targets: OrderedDict = OrderedDict()
        self._nearest: OrderedDict = OrderedDict()
        self._pairs = None  # (commune, competent site) pairs, built once

    def nearest(self, c: Criteria, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest matching sites of every commune: (index positions (n, k), km (n, k)).

        Missing entries are -1 and inf; ties are broken by site id, as in SiteIndex.nearest.
        """
        key = (c, k)
        hit = self._cached(self._nearest, key)
        if hit is not None:
            return hit
        tr = self._candidates(c, k)
        result = bulk.top_k(tr, self.index.id_rank, len(self.communes), k)
        self._store(self._nearest, key, result)
        return result

    def coverage(self, c: Criteria, max_km: float) -> Coverage:
        pos, km = self.nearest(c, 1)
        return Coverage(c, max_km, self.communes, pos[:, 0], km[:, 0], km[:, 0] <= max_km)

    # -- candidates --------------------------------------------------------------
    def _candidates(self, c: Criteria, k: int) -> bulk.Triples:
        positions, targets = self._target_points(c)  # with territory_only: unrestricted sites only
        tr = bulk.nearest_candidates(targets, self.communes.points, k)
        tr = bulk.Triples(tr.origin, positions[tr.target], tr.km)
        if c.territory_only:
            tr = tr.concat(self._competent(c.replace(territory_only=False), k))
        return tr

    def _target_points(self, c: Criteria) -> tuple[np.ndarray, bulk.Points]:
        hit = self._cached(self._targets, c)
        if hit is None:
            positions = self.index.positions(c)
            ix = self.index
            hit = (positions, bulk.Points(ix.lons[positions], ix.lats[positions], ix.id_rank[positions]))
            self._store(self._targets, c, hit)
        return hit

    def _competent(self, c: Criteria, k: int) -> bulk.Triples:
        """Among the matching sites whose structure serves the commune, the k nearest of every commune."""
        o, t = self._competent_pairs()
        keep = self.index.mask(c)[t]
        ix = self.index
        sites = bulk.Points(ix.lons, ix.lats, ix.id_rank, xyz=ix.xyz)
        return bulk.nearest_among(self.communes.points, o[keep], sites, t[keep], k)

    def _competent_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (commune, site) pair where the site's structure serves the commune (or its city)."""
        if self._pairs is None:
            owners = [i for i, keys in enumerate(self.communes.keys) for _ in keys]
            which, sites = self.index.competent.expand([key for keys in self.communes.keys for key in keys])
            self._pairs = (np.array(owners, dtype=np.int64)[which], sites.astype(np.int64))
        return self._pairs

    # -- small thread-safe LRU ---------------------------------------------------
    def _cached(self, cache: OrderedDict, key):
        with self._lock:
            value = cache.get(key)
            if value is not None:
                cache.move_to_end(key)
            return value

    def _store(self, cache: OrderedDict, key, value) -> None:
        with self._lock:
            cache[key] = value
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float | None:
    """Smallest value v such that the weights of values <= v reach q of the total.

    None when the total weight is 0 or when that value is infinite (no site at all).
    """
    total = weights.sum()
    if len(values) == 0 or total <= 0:
        return None
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    i = min(int(np.searchsorted(cum, q * total, side="left")), len(values) - 1)
    v = float(values[order][i])
    return v if np.isfinite(v) else None


_ANALYSERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_COMMUNES: dict[int, tuple[Geography, Communes]] = {}


def analyser(engine) -> Analyser:
    """The Analyser of a served engine (built once per engine, i.e. per directory version)."""
    a = _ANALYSERS.get(engine)
    if a is None:
        a = _ANALYSERS[engine] = Analyser(engine.index, region_communes(engine.geo))
    return a


def region_communes(geo: Geography) -> Communes:
    """The region's communes as arrays, built once per Geography."""
    hit = _COMMUNES.get(id(geo))
    if hit is None or hit[0] is not geo:
        hit = _COMMUNES[id(geo)] = (geo, Communes.of_region(geo))
    return hit[1]


def _round(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)
