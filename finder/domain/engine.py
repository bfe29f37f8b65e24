"""The served directory: sites, their index, origins and pre-encoded GeoJSON.

Built once per directory version (at start-up and after a publish); every query
method is read-only, so one Engine is shared by all requests of a worker.
Origins are (lat, lon) in WGS84 degrees.
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.domain import geodesy
from finder.domain.criteria import Criteria, competence
from finder.domain.geography import Commune, Geography
from finder.domain.index import Hit, SiteIndex
from finder.domain.model import Directory, Site
from finder.errors import InvalidParameter, NotFound
from finder.present.geojson import dumps, open_feature, site_properties


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


class Engine:
    def __init__(self, directory: Directory, geo: Geography):
        self.directory = directory
        self.geo = geo
        self.info = directory.info
        self.sites = sorted(directory.sites, key=lambda s: s.id)
        self.structures = directory.structures
        self.positions = {s.id: i for i, s in enumerate(self.sites)}
        departments = [self._department(s) for s in self.sites]
        self.index = SiteIndex(self.sites, self.structures, departments)
        self.properties = [site_properties(s, self.structures[s.structure_id], geo) for s in self.sites]
        self._open = [open_feature(s, p) for s, p in zip(self.sites, self.properties)]
        self._open_bytes = [o.encode() for o in self._open]  # the API's hot path joins bytes
        # Per position: the structure's territory as a set (None = unrestricted), for in_territory.
        self._territories = [_territory_set(self.structures[s.structure_id]) for s in self.sites]
        self._dataset_bytes = dumps(self.dataset_json()).encode()
        self._all_json: str | None = None

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
                f"Code commune INSEE inconnu en Auvergne-Rhône-Alpes : « {insee} ».",
                field="commune",
                code="unknown_commune",
            )
        return Origin(c.ref_lat, c.ref_lon, c, "commune")

    # -- queries -----------------------------------------------------------------
    def nearest(
        self, origin: Origin, criteria: Criteria = Criteria(), limit: int = 10, max_km: float | None = None
    ) -> list[Result]:
        keys = self.geo.competence_keys(origin.commune.insee if origin.commune else None)
        hits = self.index.nearest(origin.lat, origin.lon, criteria, limit, max_km, keys)
        return [self._result(h, keys) for h in hits]

    def _result(self, hit: Hit, keys) -> Result:
        site = self.sites[hit.pos]
        return Result(site, hit.distance_km, competence(self.structures[site.structure_id], keys))

    def site(self, site_id: str) -> Site:
        pos = self.positions.get(site_id)
        if pos is None:
            raise NotFound(f"Aucun lieu d'accueil ne porte l'identifiant « {site_id} ».", field="id")
        return self.sites[pos]

    def matching(self, criteria: Criteria) -> list[Site]:
        return [self.sites[p] for p in self.index.positions(criteria)]

    def distance_km(self, origin: Origin, site: Site) -> float:
        return geodesy.distance_km(origin.lat, origin.lon, site.lat, site.lon)

    # -- JSON ----------------------------------------------------------------------
    def dataset_json(self) -> dict:
        return {
            "version": self.info.version,
            "demo": self.info.demo,
            "sites": len(self.sites),
            "structures": len(self.structures),
        }

    def site_feature_json(self, site_id: str) -> str:
        pos = self.positions.get(site_id)
        if pos is None:
            self.site(site_id)  # raises NotFound
        return self._open[pos] + "}}"

    def sites_json(self, criteria: Criteria) -> str:
        if criteria == Criteria():
            if self._all_json is None:
                self._all_json = self._collection(range(len(self.sites)), {})
            return self._all_json
        return self._collection(self.index.positions(criteria), {"filters": criteria.as_json()})

    def _collection(self, positions, extra: dict) -> str:
        head = {"type": "FeatureCollection", "dataset": self.dataset_json(), **extra}
        body = ",".join(self._open[p] + "}}" for p in positions)
        return dumps(head)[:-1] + ',"features":[' + body + "]}"

    def nearest_json(self, origin: Origin, criteria: Criteria, limit: int, max_km: float | None) -> str:
        return self.nearest_body(origin, criteria, limit, max_km).decode()

    def nearest_body(self, origin: Origin, criteria: Criteria, limit: int, max_km: float | None) -> bytes:
        """The nearest answer as UTF-8 JSON bytes, joined from pre-encoded features (hot path).

        Same content as ``nearest`` with ``criteria.competence`` for in_territory.
        """
        keys = self.geo.competence_keys(origin.commune.insee if origin.commune else None)
        hits = self.index.nearest(origin.lat, origin.lon, criteria, limit, max_km, keys)
        parts = []
        for h in hits:
            territory = self._territories[h.pos]
            if territory is None or not keys:
                tail = b"null"
            else:
                tail = b"true" if any(k in territory for k in keys) else b"false"
            parts.append(
                b'%s,"distance_km":%r,"in_territory":%s}}' % (self._open_bytes[h.pos], round(h.distance_km, 3), tail)
            )
        filters = criteria.as_json()
        if max_km is not None:
            filters["max_km"] = max_km
        filters["limit"] = limit
        head = b'{"type":"FeatureCollection","origin":%s,"filters":%s,"dataset":%s,"features":[' % (
            dumps(origin.as_json()).encode(),
            dumps(filters).encode(),
            self._dataset_bytes,
        )
        return head + b",".join(parts) + b"]}"


def _territory_set(structure) -> frozenset[str] | None:
    return None if structure.territory is None else frozenset(structure.territory)
