"""Coverage answers as JSON (API), CSV (French spreadsheets) and GeoJSON (QGIS).

Points and polygons are GeoJSON, i.e. [lon, lat]. The CSV opens as is in a French
spreadsheet (finder.spreadsheet: UTF-8 with BOM, ``;``, decimal comma, no formula).
"""

from __future__ import annotations

import json
import weakref

import numpy as np
import shapely

from finder.directory.spreadsheet import csv_text, decimal
from finder.domain.coverage import DISTANCE_CLASSES, Communes, Coverage
from finder.domain.model import Site
from finder.present.geojson import dumps

CLASS_LABELS = ("0 à 5 km", "5 à 10 km", "10 à 20 km", "20 à 30 km", "plus de 30 km")
CSV_HEADER = (
    "Code INSEE",
    "Commune",
    "Département",
    "EPCI",
    "Code EPCI (SIREN)",
    "Population",
    "Lieu le plus proche (identifiant)",
    "Lieu le plus proche",
    "Distance (km)",
    "Couverte",
    "Classe de distance",
)
_HEADS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def class_label(km: float) -> str:
    return CLASS_LABELS[int(np.searchsorted(DISTANCE_CLASSES, km, side="left"))]


def commune_row(cov: Coverage, sites: list[Site], i: int) -> dict:
    """One commune's answer as plain data (distance None when no site matches)."""
    c = cov.communes.items[i]
    pos = int(cov.site_pos[i])
    km = float(cov.km[i])
    return {
        **_static(c, cov.communes),
        "nearest_site_id": sites[pos].id if pos >= 0 else None,
        "nearest_site_name": sites[pos].name if pos >= 0 else None,
        "distance_km": round(km, 3) if np.isfinite(km) else None,
        "covered": bool(cov.covered[i]),
    }


# -- JSON (API) ----------------------------------------------------------------
def api_json(cov: Coverage, sites: list[Site], mask: np.ndarray, head: dict) -> str:
    """``head`` (filters, max_km…) + summary + communes, encoded once per static part."""
    heads = _commune_heads(cov.communes)
    ids = [dumps(s.id) for s in sites]
    parts = []
    for i in np.flatnonzero(mask):
        pos, km = int(cov.site_pos[i]), float(cov.km[i])
        site = ids[pos] if pos >= 0 else "null"
        dist = repr(round(km, 3)) if np.isfinite(km) else "null"
        covered = "true" if cov.covered[i] else "false"
        parts.append(f'{heads[i]}"nearest_site_id":{site},"distance_km":{dist},"covered":{covered}}}')
    body = dict(head, summary=cov.summary(mask).as_json())
    return dumps(body)[:-1] + ',"communes":[' + ",".join(parts) + "]}"


def _commune_heads(communes: Communes) -> list[str]:
    heads = _HEADS.get(communes)
    if heads is None:
        heads = _HEADS[communes] = [_head(c, communes) for c in communes.items]
    return heads


def _static(c, communes: Communes) -> dict:
    """What a commune's row says whatever the profile."""
    return {
        "insee": c.insee,
        "name": c.name,
        "department": c.department,
        "epci": c.epci,
        "epci_name": communes.epci_name(c.epci),
        "population": c.population,
        "point": [c.ref_lon, c.ref_lat],
    }


def _head(c, communes: Communes) -> str:
    return dumps(_static(c, communes))[:-1] + ","


# -- CSV ---------------------------------------------------------------------------
def to_csv(cov: Coverage, sites: list[Site], mask: np.ndarray, progress=None) -> str:
    """Spreadsheet-ready CSV (see finder.spreadsheet), one line per commune in ``mask``.

    ``progress(done, total)`` is called along the way when given.
    """
    selected = np.flatnonzero(mask)
    rows = []
    for n, i in enumerate(selected, 1):
        r = commune_row(cov, sites, int(i))
        rows.append(
            [
                r["insee"],
                r["name"],
                r["department"],
                r["epci_name"] or "",
                r["epci"] or "",
                r["population"],
                r["nearest_site_id"] or "",
                r["nearest_site_name"] or "",
                decimal(r["distance_km"]),
                "oui" if r["covered"] else "non",
                class_label(cov.km[i]),
            ]
        )
        _tick(progress, n, len(selected))
    return csv_text(rows, CSV_HEADER)


# -- GeoJSON -----------------------------------------------------------------------
def to_geojson(cov: Coverage, sites: list[Site], mask: np.ndarray, polygons: dict, head: dict, progress=None) -> str:
    """A FeatureCollection of commune polygons ([lon, lat]) with the coverage as properties."""
    features = []
    selected = np.flatnonzero(mask)
    for n, i in enumerate(selected, 1):
        r = commune_row(cov, sites, int(i))
        lon, lat = r.pop("point")
        r["ref_lon"], r["ref_lat"] = lon, lat
        r["distance_class"] = class_label(cov.km[i])
        geom = polygons.get(r["insee"])
        geometry = (
            json.loads(shapely.to_geojson(geom)) if geom is not None else {"type": "Point", "coordinates": [lon, lat]}
        )
        features.append({"type": "Feature", "id": r["insee"], "geometry": geometry, "properties": r})
        _tick(progress, n, len(selected))
    body = {"type": "FeatureCollection", **head, "summary": cov.summary(mask).as_json(), "features": features}
    return dumps(body)


def _tick(progress, done: int, total: int) -> None:
    if progress is not None and (done % 200 == 0 or done == total):
        progress(done, total)
