"""The print kit's core: a commune's poster, and the communes of a département or an EPCI.

A poster lists what the live search answers for the commune and the profile (the same
``finder.service.search.run``, competent offices first, then what is within reach, remote
services when nothing is), so the QR code printed on it opens the very list it shows.
No Flask here: the web adapter (finder.web.printkit) renders and zips.
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.domain.geocode import Geocoder
from finder.domain.geography import Commune, Geography
from finder.errors import NotFound
from finder.service import search
from finder.service.catalog import Catalog
from finder.service.params import A4, POSTER, PROFILE, Args, Parsed

DEPARTMENT, EPCI = "departement", "epci"


@dataclass(frozen=True)
class Poster:
    commune: Commune
    paper: str  # "A4" or "A3"
    outcome: search.Outcome  # the live search's answer for the commune and profile
    search_args: dict[str, list[str]]  # the query string of that live search (commune + profile)


def profile_query(parsed: Parsed) -> dict[str, list[str]]:
    """The profile of parsed poster parameters as query-string values (to repeat it in a link)."""
    return parsed.query([p.name for p in PROFILE])


def commune(geo: Geography, insee: str) -> Commune:
    """The commune of an INSEE code, or a French 404."""
    c = geo.communes.get(insee)
    if c is None:
        raise NotFound(f"Aucune commune de code INSEE « {insee} » en {geo.region_name or 'Auvergne-Rhône-Alpes'}.")
    return c


def poster(catalog: Catalog, geocoder: Geocoder, insee: str, parsed: Parsed) -> Poster:
    """The poster of a commune for parameters parsed by ``params.POSTER`` (unknown commune: NotFound)."""
    where = commune(catalog.geo, insee)
    query = {"commune": [insee], **profile_query(parsed)}
    outcome = search.run(catalog, geocoder, Args(query), parsed["limit"])
    return Poster(where, parsed["format"] or A4, outcome, query)


def parse(args, geo: Geography) -> Parsed:
    """Poster parameters (format, limit, profile); a FinderError (400) names a bad one."""
    return POSTER.parse(args, geo)


def area(geo: Geography, kind: str, code: str) -> tuple[str, list[Commune]]:
    """The name and the communes (arrondissements included, by INSEE code) of a département or an EPCI."""
    if kind == DEPARTMENT and code in geo.departments:
        name = f"{geo.departments[code]} ({code})"
        members = [c for c in geo.communes.values() if c.department == code]
    elif kind == EPCI and code in geo.epcis:
        name = geo.epcis[code]["name"]
        members = [c for c in geo.communes.values() if c.epci == code or _arrondissement_of(geo, c, code)]
    else:
        what = "Département" if kind == DEPARTMENT else "Intercommunalité (EPCI)"
        raise NotFound(f"{what} inconnu en {geo.region_name or 'Auvergne-Rhône-Alpes'} : « {code} ».")
    if not members:
        raise NotFound(f"Aucune commune pour « {name} ».")
    return name, sorted(members, key=lambda c: c.insee)


def _arrondissement_of(geo: Geography, c: Commune, epci: str) -> bool:
    """An arrondissement (Lyon's) belongs to its city's EPCI when it carries none itself."""
    parent = geo.communes.get(c.parent) if c.parent and not c.epci else None
    return parent is not None and parent.epci == epci
