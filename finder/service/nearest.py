"""The nearest answer: sites sorted by WGS84 geodesic distance from one origin.

``origin`` is the one resolution of an origin (a position, or a commune's reference point)
for the API, the search page and the command line; ``answer`` is the core of
``GET /api/v1/sites/nearest`` and of ``spro-finder nearest``. Distance order by default;
``order=competent`` puts the person's own offices first (what the pages and the widget use).
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.domain.criteria import Criteria
from finder.domain.engine import Origin, Result
from finder.domain.index import Hit
from finder.present.geojson import dumps
from finder.service import relax
from finder.service.catalog import Catalog
from finder.service.params import COMPETENT, NEAREST, Parsed


def origin(catalog: Catalog, parsed: Parsed) -> Origin:
    """The origin of parsed ``lat``/``lon`` or ``commune`` (checked by params.check_origin)."""
    if parsed.get("commune"):
        return catalog.engine.origin_from_commune(parsed["commune"])
    return catalog.engine.origin_from_point(parsed["lat"], parsed["lon"])


@dataclass(frozen=True)
class NearestAnswer:
    catalog: Catalog
    origin: Origin
    criteria: Criteria
    limit: int
    max_km: float | None
    hits: list[Hit]
    keys: tuple[str, ...]  # the origin's competence keys
    competent_first: bool = False

    def results(self) -> list[Result]:
        return [self.catalog.engine.result(h, self.keys) for h in self.hits]

    def filters_json(self) -> dict:
        filters = self.criteria.as_json()
        if self.max_km is not None:
            filters["max_km"] = self.max_km
        filters["limit"] = self.limit
        if self.competent_first:
            filters["order"] = COMPETENT
        return filters

    def body(self) -> bytes:
        """The GeoJSON answer as UTF-8 bytes, joined from pre-encoded features."""
        flags = self.catalog.engine.competences([h.pos for h in self.hits], self.keys)
        body = self.catalog.features.nearest(self.origin.as_json(), self.filters_json(), self.hits, flags)
        if self.hits:
            return body
        nothing = relax.why_nothing(self.catalog.engine, self.origin, self.criteria, self.max_km)
        return body[:-1] + b',"explanation":%s}' % dumps(nothing.as_json()).encode()


def search(
    catalog: Catalog,
    where: Origin,
    criteria: Criteria,
    limit: int = 10,
    max_km: float | None = None,
    competent_first: bool = False,
) -> NearestAnswer:
    """Sites by distance; ``competent_first``: for each structure with a territory covering the
    origin's commune, its nearest site the profile fits comes first (finder.domain.index)."""
    engine = catalog.engine
    keys = engine.competence_keys(where)
    hits = engine.index.nearest(where.lat, where.lon, criteria, limit, max_km, keys, competent_first)
    return NearestAnswer(catalog, where, criteria, limit, max_km, hits, keys, competent_first)


def answer(catalog: Catalog, parsed: Parsed) -> NearestAnswer:
    """The core of the nearest endpoint, from parameters parsed by ``params.NEAREST``."""
    first = parsed.get("order") == COMPETENT
    return search(catalog, origin(catalog, parsed), parsed.criteria, parsed["limit"], parsed["max_km"], first)


def body(catalog: Catalog, args) -> bytes:
    """Query parameters to answer bytes (FinderError on bad input, an undeclared key included): what the
    HTTP adapters call (the Flask view, whose hook checked the keys already, and the fast path)."""
    NEAREST.check_known(args)
    return answer(catalog, NEAREST.parse(args, catalog.geo)).body()
