"""Planning on top of coverage: which sites are irreplaceable, where to label the next one.

- ``criticality``: for each matching site, the population that would fall beyond the
  threshold if it closed (its communes whose second nearest site is too far), ranked.
- ``suggest``: "Où labelliser ?" — a greedy maximal-coverage choice of k communes where a
  new site for the profile (at the commune's reference point, serving everyone) would bring
  the most population within the threshold, step by step. ``weights`` replaces the
  population by another weight per commune (the searches observed there: unmet demand).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finder.domain import bulk
from finder.domain.coverage import Analyser
from finder.domain.criteria import Criteria


@dataclass(frozen=True)
class Critical:
    site_pos: int  # position of the site in the index
    population: int  # population left beyond the threshold if the site closed
    communes: int  # how many communes


@dataclass(frozen=True)
class Step:
    commune: int  # index in analyser.communes
    gained: int  # population newly within the threshold
    communes_gained: int
    population_covered: int  # covered population after this step (communes selected by the mask)
    share_covered: float


def criticality(a: Analyser, c: Criteria, max_km: float, mask: np.ndarray | None = None) -> list[Critical]:
    """Every matching site with the population it alone keeps within max_km, most critical first.

    Only communes in ``mask`` (all by default) count. Ties keep site id order.
    """
    mask = _all(a, mask)
    pos, km = a.nearest(c, 2)
    sole = mask & (km[:, 0] <= max_km) & (km[:, 1] > max_km)
    size = a.index.size
    population = np.zeros(size, dtype=np.int64)
    np.add.at(population, pos[sole, 0], a.communes.population[sole])
    communes = np.bincount(pos[sole, 0], minlength=size)
    sites = np.flatnonzero(a.index.mask(c.replace(territory_only=False)))
    order = sites[np.lexsort((a.index.id_rank[sites], -communes[sites], -population[sites]))]
    return [Critical(int(p), int(population[p]), int(communes[p])) for p in order]


def suggest(
    a: Analyser, c: Criteria, max_km: float, k: int, mask: np.ndarray | None = None, weights: np.ndarray | None = None
) -> list[Step]:
    """Up to k communes (within ``mask``) chosen greedily for the largest population gain each.

    ``weights`` (one non-negative integer per commune of ``a.communes``) replaces the
    population: the "population" figures of the steps are then sums of weights. Stops early
    when no commune brings anyone new. Ties go to the lowest INSEE code.
    """
    mask = _all(a, mask)
    cov = a.coverage(c, max_km)
    pop = a.communes.population if weights is None else np.asarray(weights, dtype=np.int64)
    targets = np.flatnonzero(mask & ~cov.covered)
    candidates = np.flatnonzero(mask)
    points = a.communes.points
    tr = bulk.within(points.take(targets), points.take(candidates), max_km)
    cover = _Incidence(tr.origin, tr.target, len(candidates), len(targets))
    gains = np.zeros(len(candidates), dtype=np.int64)
    np.add.at(gains, tr.origin, pop[targets][tr.target])
    done = np.zeros(len(targets), dtype=bool)
    covered = int(pop[mask & cov.covered].sum())
    total = int(pop[mask].sum())
    steps: list[Step] = []
    while len(steps) < k and len(gains) and gains.max() > 0:
        best = int(np.argmax(gains))
        new = cover.targets_of(best)
        new = new[~done[new]]
        done[new] = True
        gained = int(pop[targets[new]].sum())
        for t in new:
            gains[cover.candidates_of(t)] -= pop[targets[t]]
        covered += gained
        steps.append(Step(int(candidates[best]), gained, len(new), covered, covered / total if total else 0.0))
    return steps


class _Incidence:
    """Which targets each candidate covers and which candidates cover each target."""

    def __init__(self, cand: np.ndarray, target: np.ndarray, n_cand: int, n_target: int):
        by_c = np.lexsort((target, cand))
        self._c_targets = target[by_c]
        self._c_start = np.searchsorted(cand[by_c], np.arange(n_cand + 1))
        by_t = np.lexsort((cand, target))
        self._t_cands = cand[by_t]
        self._t_start = np.searchsorted(target[by_t], np.arange(n_target + 1))

    def targets_of(self, cand: int) -> np.ndarray:
        return self._c_targets[self._c_start[cand] : self._c_start[cand + 1]]

    def candidates_of(self, target: int) -> np.ndarray:
        return self._t_cands[self._t_start[target] : self._t_start[target + 1]]


def _all(a: Analyser, mask: np.ndarray | None) -> np.ndarray:
    return np.ones(len(a.communes), dtype=bool) if mask is None else mask
