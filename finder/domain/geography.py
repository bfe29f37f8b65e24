"""Reference geography of Auvergne-Rhône-Alpes, read from geodata/.

Coordinates: GeoJSON and shapely take (lon, lat); every function here says which
order it takes. Communes include Lyon's 9 arrondissements (kind "ARM", parent
"69123") beside the communes (kind "COM").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

GEODATA_DIR = Path(__file__).resolve().parents[2] / "geodata"
LYON = "69123"


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


@dataclass
class Geography:
    communes: dict[str, Commune]
    polygons: dict[str, object]  # insee -> shapely (Multi)Polygon in lon, lat
    departments: dict[str, str]  # code -> name
    epcis: dict[str, dict] = field(default_factory=dict)

    @cached_property
    def _tree(self):
        codes = list(self.polygons)
        geoms = [self.polygons[c] for c in codes]
        shapely.prepare(geoms)
        return shapely.STRtree(geoms), np.array(codes), geoms

    def commune_at(self, lat: float, lon: float) -> Commune | None:
        """The commune containing (lat, lon), Lyon resolved to its arrondissement."""
        tree, codes, _ = self._tree
        hits = tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        found = [self.communes[codes[i]] for i in hits]
        found.sort(key=lambda c: c.kind != "ARM")  # arrondissement before Lyon itself
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

    def competence_keys(self, insee: str | None) -> tuple[str, ...]:
        """Codes against which a territory is checked: the commune and its parent (Lyon)."""
        if not insee:
            return ()
        c = self.communes.get(insee)
        if c and c.parent:
            return (insee, c.parent)
        return (insee,)

    def region_communes(self) -> list[Commune]:
        """Communes counted once for population totals: Lyon through its arrondissements."""
        return [c for c in self.communes.values() if c.insee != LYON]


def load(geodata_dir: Path = GEODATA_DIR) -> Geography:
    """Load communes, polygons, départements and EPCI from geodata_dir."""
    fc = json.loads((geodata_dir / "communes.geojson").read_text(encoding="utf-8"))
    communes: dict[str, Commune] = {}
    polygons: dict[str, object] = {}
    for ft in fc["features"]:
        p = ft["properties"]
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
        polygons[c.insee] = shape(ft["geometry"])
    deps = json.loads((geodata_dir / "departements.json").read_text(encoding="utf-8"))
    epcis = json.loads((geodata_dir / "epci.json").read_text(encoding="utf-8"))
    return Geography(
        communes=communes,
        polygons=polygons,
        departments={d["code"]: d["name"] for d in deps},
        epcis={e["code"]: e for e in epcis},
    )
