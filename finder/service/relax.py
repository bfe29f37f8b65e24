"""When nothing fits: which filter excluded what, and what relaxing each one alone would give.

``why_nothing`` counts, among the sites within a radius of the origin (every site when the
radius is None): how many there are whatever the profile, how many each asked filter keeps on
its own, and how many would match if that one filter were dropped and the others kept. The
search page offers those relaxed searches as links; the nearest endpoint's empty answer
carries the same counts as data. Pure: an engine, an origin and criteria in, counts out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finder.domain import geodesy
from finder.domain.criteria import Criteria
from finder.domain.engine import Engine, Origin
from finder.present import explain
from finder.service import params
from finder.text import N_, NP_, first_letter, join

TERRITORY = "territory_only"


@dataclass(frozen=True)
class Relaxation:
    name: str  # the criterion ("level", "territory_only")
    param: str  # the request parameter a link drops ("level", "territory")
    text: str  # the filter in words: « le niveau 2 (être conseillé·e et accompagné·e) »
    keeps: int  # sites in the radius this filter alone keeps
    count: int  # sites in the radius matching every other filter (this one dropped)

    def as_json(self) -> dict:
        return {"filter": self.param, "text": self.text, "keeps": self.keeps, "count_without": self.count}


@dataclass(frozen=True)
class NoResult:
    radius_km: float | None  # None: the whole directory
    nearby: int  # sites in the radius, whatever the profile
    relaxations: tuple[Relaxation, ...]

    def where(self) -> str:
        if self.radius_km is None:
            return N_("dans l'annuaire")
        return N_("à moins de %(km)s km", km=geodesy_km(self.radius_km))

    def sentence(self) -> str:
        """« 12 lieux à moins de 30 km, mais aucun pour le niveau 2 et 22 ans. »"""
        if self.nearby == 0:
            return N_("Aucun lieu d'accueil %(where)s, quel que soit le profil.", where=self.where())
        asked = [r.text for r in self.relaxations]
        if not asked:
            return NP_("%(num)s lieu %(where)s.", "%(num)s lieux %(where)s.", self.nearby, where=self.where())
        what = join(N_(" et "), [join(", ", asked[:-1]), asked[-1]]) if len(asked) > 1 else asked[0]
        return NP_(
            "%(num)s lieu %(where)s, mais aucun pour %(what)s.",
            "%(num)s lieux %(where)s, mais aucun pour %(what)s.",
            self.nearby,
            where=self.where(),
            what=what,
        )

    def exclusions(self) -> list[str]:
        """Which filter excludes what: « Le niveau 2 : garde 3 lieux sur 12. »"""
        return [
            N_(
                "%(filter)s : garde %(keeps)s sur %(all)s.",
                filter=first_letter(r.text, "upper"),
                keeps=places(r.keeps),
                all=self.nearby,
            )
            for r in self.relaxations
        ]

    def as_json(self) -> dict:
        return {
            "text": self.sentence(),
            "radius_km": self.radius_km,
            "nearby": self.nearby,
            "relaxations": [r.as_json() for r in self.relaxations],
        }


def geodesy_km(km: float) -> str:
    return f"{km:g}".replace(".", ",")


def places(n: int) -> str:
    """« aucun lieu », « 1 lieu », « 12 lieux »."""
    return N_("aucun lieu") if n == 0 else NP_("%(num)s lieu", "%(num)s lieux", n)


def _param_name(criterion: str) -> str:
    for p in params.PROFILE:
        if p.criterion == criterion:
            return p.name
    return criterion


def why_nothing(engine: Engine, origin: Origin, criteria: Criteria, radius_km: float | None) -> NoResult:
    """Counts within ``radius_km`` of the origin: all sites, each filter alone, each filter dropped."""
    index = engine.index
    if radius_km is None:
        near = np.ones(index.size, dtype=bool)
    else:
        near = geodesy.distances_km(origin.lat, origin.lon, index.lats, index.lons) <= radius_km
    keys = engine.competence_keys(origin)
    out = []
    for name, value in criteria.values:
        keeps = near & index.mask(Criteria(**{name: value}))
        without = near & index.mask(criteria.replace(**{name: None}), keys)
        text = explain.criterion_text(name, value)
        out.append(Relaxation(name, _param_name(name), text, int(keeps.sum()), int(without.sum())))
    if criteria.territory_only:
        keeps = near & index.mask(Criteria(territory_only=True), keys)
        without = near & index.mask(criteria.replace(territory_only=False), keys)
        text = explain.criterion_text(TERRITORY, True)
        out.append(Relaxation(TERRITORY, "territory", text, int(keeps.sum()), int(without.sum())))
    return NoResult(radius_km, int(near.sum()), tuple(out))
