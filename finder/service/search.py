"""The citizen search as a pure function: free text or position + profile -> outcome.

Used by the search page and the partner widget; no Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from finder.domain.criteria import Criteria
from finder.domain.engine import Engine, Origin, Result
from finder.domain.geocode import Geocoder, Place
from finder.errors import FinderError, InvalidParameter
from finder.service import query

REACH_KM = 30.0  # beyond this, a place is not "within reach" and remote services are offered
CHOICES = 8


@dataclass
class Outcome:
    kind: str  # "empty", "choices", "not_found", "results"
    criteria: Criteria = field(default_factory=Criteria)
    q: str = ""
    origin: Origin | None = None
    origin_label: str = ""
    choices: list[Place] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    remote: list[Result] = field(default_factory=list)  # offered when nothing is within reach
    errors: dict[str, str] = field(default_factory=dict)


def run(engine: Engine, geocoder: Geocoder, args, limit: int = 10) -> Outcome:
    """Parse args (q | lat+lon | commune, and the profile), geocode, rank.

    Bad input does not raise: the outcome carries French messages per field.
    """
    errors: dict[str, str] = {}
    criteria = _criteria(args, errors, engine.geo.departments)
    q = (args.getlist("q") or [""])[0].strip()[:200]
    origin_q = None
    if any(query.single_or_none(args, k) for k in ("lat", "lon", "commune")):
        try:
            origin_q = query.parse_origin(args)
        except FinderError as err:
            errors[err.field or "q"] = err.message
    if errors:
        return Outcome("empty", criteria, q, errors=errors)
    if origin_q is not None:
        try:
            origin = _origin(engine, origin_q)
        except InvalidParameter as err:
            return Outcome("empty", criteria, q, errors={err.field or "q": err.message})
        return _results(engine, criteria, origin, q, limit)
    if not q:
        return Outcome("empty", criteria)
    places = geocoder.search(q, CHOICES)
    if not places:
        return Outcome("not_found", criteria, q)
    if is_ambiguous(places, engine.geo):
        return Outcome("choices", criteria, q, choices=places)
    p = places[0]
    origin = Origin(p.lat, p.lon, engine.geo.communes.get(p.insee), "address" if p.kind == "address" else "commune")
    return _results(engine, criteria, origin, q, limit, label=p.label)


def is_ambiguous(places: list[Place], geo) -> bool:
    """Several plausible places: a postcode shared by communes, homonyms, or a bigger namesake."""
    if len(places) < 2:
        return False
    top, second = places[0], places[1]
    if top.kind == "postcode" and second.kind == "postcode":
        return True
    if top.score - second.score < 0.1:
        return True
    # "Clermont" (1.0) before "Clermont-Ferrand" (0.85): the small exact namesake is not obviously meant.
    pop = {p.insee: geo.communes[p.insee].population for p in places if p.insee in geo.communes}
    return any(p.score >= 0.85 and pop.get(p.insee, 0) > 10 * max(pop.get(top.insee, 0), 1) for p in places[1:])


def _results(engine, criteria, origin, q, limit, label="") -> Outcome:
    results = engine.nearest(origin, criteria, limit)
    within = [r for r in results if r.distance_km <= REACH_KM]
    out = Outcome("results", criteria, q, origin, label or _label(origin), results=within)
    if not within:
        remote = Criteria(**{**criteria.__dict__, "mode": "a-distance"})
        out.remote = engine.nearest(origin, remote, 5)
    return out


def _label(origin: Origin) -> str:
    if origin.commune is None:
        return "votre position"
    prefix = "près de " if origin.kind == "point" else ""
    return prefix + origin.commune.name


def _origin(engine: Engine, oq: query.OriginQuery) -> Origin:
    if oq.commune:
        return engine.origin_from_commune(oq.commune)
    return engine.origin_from_point(oq.lat, oq.lon)


def _criteria(args, errors: dict[str, str], departments=None) -> Criteria:
    try:
        return query.parse_criteria(args, departments=departments)
    except FinderError as err:
        errors[err.field or "profil"] = err.message
        return Criteria()
