"""The citizen search as a pure function: free text or position + profile -> outcome.

Used by the search page and the partner widget; no Flask here. The origin and the ranking
are those of the nearest endpoint (finder.service.nearest), competent first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from finder.domain.criteria import Criteria
from finder.domain.engine import Origin, Result
from finder.domain.geocode import Geocoder, Place, is_fallback
from finder.service import nearest, relax
from finder.service.catalog import Catalog
from finder.service.params import SEARCH

REACH_KM = 30.0  # beyond this, a place is not "within reach" and remote services are offered
CHOICES = 10  # homonyms listed; every commune of a postcode is
CANDIDATES = 200  # places asked of the geocoder, to say how many more there are


@dataclass
class Outcome:
    kind: str  # "empty", "choices", "not_found", "results"
    criteria: Criteria = field(default_factory=Criteria)
    q: str = ""
    origin: Origin | None = None
    origin_label: str = ""
    choices: list[Place] = field(default_factory=list)
    more: int = 0  # places matching beyond those listed in ``choices``
    notice: str = ""  # what to know about the place searched (an address found only as its commune)
    results: list[Result] = field(default_factory=list)
    remote: list[Result] = field(default_factory=list)  # offered when nothing is within reach
    errors: dict[str, str] = field(default_factory=dict)
    nearest_km: float | None = None  # distance to the nearest matching site, however far (None: no match)
    nothing: relax.NoResult | None = None  # why no place is shown, and what relaxing each filter gives
    remote_for_all: bool = False  # ``remote`` ignores the profile (no remote service fits it)

    @property
    def nearby(self) -> bool:
        """Whether a result lies within reach (the person's own far office does not count)."""
        return any(r.distance_km <= REACH_KM for r in self.results)


def run(catalog: Catalog, geocoder: Geocoder, args, limit: int = 10) -> Outcome:
    """Parse args (q | lat+lon | commune, and the profile: ``params.SEARCH``), geocode, rank.

    Bad input does not raise: the outcome carries French messages per field.
    """
    errors: dict[str, str] = {}
    parsed = SEARCH.parse(args, catalog.geo, errors)
    criteria = parsed.criteria if not errors else Criteria()
    q = parsed.get("q") or ""
    if errors:
        return Outcome("empty", criteria, q, errors=errors)
    if parsed.get("commune") or parsed.get("lat") is not None:
        return _results(catalog, criteria, nearest.origin(catalog, parsed), q, limit)
    if not q:
        return Outcome("empty", criteria)
    places = geocoder.search(q, CANDIDATES)
    if not places:
        return Outcome("not_found", criteria, q)
    if is_ambiguous(places, catalog.geo):
        shown = places if all(p.kind == "postcode" for p in places) else places[:CHOICES]
        return Outcome("choices", criteria, q, choices=shown, more=len(places) - len(shown))
    p = places[0]
    geo = catalog.geo
    commune = geo.communes.get(p.insee)
    origin = Origin(p.lat, p.lon, commune, "address" if p.kind == "address" else "commune")
    out = _results(catalog, criteria, origin, q, limit, label=p.label)
    if is_fallback(q, p) and commune is not None:
        where = "la mairie de" if commune.ref_source == "mairie" else "le centre de"
        out.notice = f"Adresse non trouvée précisément : distances depuis {where} {commune.name}."
    return out


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


def _results(catalog, criteria, origin, q, limit, label="") -> Outcome:
    """Competent first: the person's own offices are shown even beyond reach, then what is within reach."""
    results = nearest.search(catalog, origin, criteria, limit, competent_first=True).results()
    within = [r for r in results if r.competent or r.distance_km <= REACH_KM]
    out = Outcome("results", criteria, q, origin, label or _label(origin), results=within)
    out.nearest_km = min((r.distance_km for r in results), default=None)  # competent-first: not always first
    if not any(r.distance_km <= REACH_KM for r in within):
        out.remote = nearest.search(catalog, origin, criteria.replace(mode="a-distance"), 5).results()
    if not within:
        out.nothing = relax.why_nothing(catalog.engine, origin, criteria, REACH_KM)
        if not out.remote:
            out.remote = nearest.search(catalog, origin, Criteria(mode="a-distance"), 5).results()
            out.remote_for_all = bool(out.remote)
    return out


def _label(origin: Origin) -> str:
    """The place named in titles (« … près de {label} »): a commune, or a position and its commune."""
    if origin.commune is None:
        return "votre position"
    return f"{origin.commune.name} (votre position)" if origin.kind == "point" else origin.commune.name
