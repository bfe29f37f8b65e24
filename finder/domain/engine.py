"""The served directory: sites, their index and origins.

Built once per directory version (at start-up and after a publish); every query
method is read-only, so one Engine is shared by all requests of a worker.
Origins are (lat, lon) in WGS84 degrees. Encodings (GeoJSON) live in finder.present.
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.domain import geodesy
from finder.domain.criteria import Criteria
from finder.domain.geography import Commune, Geography
from finder.domain.index import Hit, SiteIndex
from finder.domain.model import Directory, Site
from finder.errors import InvalidParameter, NotFound


@dataclass(frozen=True)
class Origin:
    lat: float
    lon: float
    commune: Commune | None
    kind: str  # "point" or "commune"

    def as_json(self) -> dict:
        c = self.commune
        return {
            "kind": self.kind,
            "lat": self.lat,
            "lon": self.lon,
            "commune": {"insee": c.insee, "name": c.name, "department": c.department} if c else None,
        }


@dataclass(frozen=True)
class Result:
    site: Site
    distance_km: float
    in_territory: bool | None
    competent: bool = False  # put first as the person's own office (competent-first order)


class Engine:
    def __init__(self, directory: Directory, geo: Geography, index: SiteIndex | None = None):
        """``index``: the index of ``directory``, whose sites are then already in id order (read from a
        file by finder.service.catalog_cache); built here when not given."""
        self.directory = directory
        self.geo = geo
        self.info = directory.info
        self.structures = directory.structures
        if index is None:
            self.sites = sorted(directory.sites, key=lambda s: s.id)
            index = SiteIndex(self.sites, self.structures, [self._department(s) for s in self.sites])
        else:
            self.sites = directory.sites
            index.attach(self.sites, self.structures)
        self.index = index
        self.departments = index.departments

    def _department(self, site: Site) -> str | None:
        c = self.geo.communes.get(site.commune)
        return c.department if c else None

    # -- origins -----------------------------------------------------------------
    def origin_from_point(self, lat: float, lon: float) -> Origin:
        return Origin(lat, lon, self.geo.commune_at(lat, lon), "point")

    def origin_from_commune(self, insee: str) -> Origin:
        c = self.geo.communes.get(insee)
        if c is None:
            raise InvalidParameter(
                f"Code commune INSEE inconnu en {self.geo.name} : « {insee} ».",
                field="commune",
                code="unknown_commune",
            )
        return Origin(c.ref_lat, c.ref_lon, c, "commune")

    def competence_keys(self, origin: Origin) -> tuple[str, ...]:
        return self.geo.competence_keys(origin.commune.insee if origin.commune else None)

    # -- queries -----------------------------------------------------------------
    def hits(
        self, origin: Origin, criteria: Criteria = Criteria(), limit: int = 10, max_km: float | None = None
    ) -> list[Hit]:
        """Index positions and distances of the nearest matching sites (the hot path's raw answer)."""
        keys = self.competence_keys(origin)
        return self.index.nearest(origin.lat, origin.lon, criteria, limit, max_km, keys)

    def in_territory(self, pos: int, keys: tuple[str, ...]) -> bool | None:
        """Whether the structure of the site at ``pos`` serves the origin (None: unknown or unrestricted)."""
        return self.index.competence(pos, keys)

    def competences(self, positions: list[int], keys: tuple[str, ...]) -> list[bool | None]:
        """``in_territory`` of the sites at ``positions`` (one pass, for the hot path)."""
        return self.index.competences(positions, keys)

    def nearest(
        self,
        origin: Origin,
        criteria: Criteria = Criteria(),
        limit: int = 10,
        max_km: float | None = None,
        competent_first: bool = False,
    ) -> list[Result]:
        """Results by distance; with ``competent_first``, the person's own offices first (see index)."""
        keys = self.competence_keys(origin)
        hits = self.index.nearest(origin.lat, origin.lon, criteria, limit, max_km, keys, competent_first)
        return [self.result(h, keys) for h in hits]

    def result(self, hit: Hit, keys: tuple[str, ...]) -> Result:
        return Result(self.sites[hit.pos], hit.distance_km, self.in_territory(hit.pos, keys), hit.competent)

    def site(self, site_id: str) -> Site:
        return self.sites[self.position(site_id)]

    def position(self, site_id: str) -> int:
        pos = self.index.position(site_id)
        if pos is None:
            raise NotFound(f"Aucun lieu d'accueil ne porte l'identifiant « {site_id} ».", field="id")
        return pos

    def matching(self, criteria: Criteria) -> list[Site]:
        return [self.sites[p] for p in self.index.positions(criteria)]

    def distance_km(self, origin: Origin, site: Site) -> float:
        return geodesy.distance_km(origin.lat, origin.lon, site.lat, site.lon)

    def dataset_json(self) -> dict:
        return {
            "version": self.info.version,
            "demo": self.info.demo,
            "sites": len(self.sites),
            "structures": len(self.structures),
        }
