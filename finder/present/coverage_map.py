"""The coverage choropleth: communes coloured by distance class, matching sites on top.

Built with finder.maps (vendored Leaflet, configured tiles). Polygons are simplified once
per geography: for the whole region further than geodata's (coverage-preserving, shared
borders kept) so the page stays light; for one département as stored, converted for that
département only (the last GEOMETRY_CACHE ones are kept). Coordinates are rounded to 4
decimals (about 10 m). Tooltips and popups are built with textContent.
GeoJSON data is [lon, lat]; Folium takes (lat, lon).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict

import folium
import numpy as np
import shapely

from finder.domain.coverage import DISTANCE_CLASSES, Coverage
from finder.domain.geography import Geography
from finder.domain.model import Site
from finder.present import maps
from finder.present.coverage_export import CLASS_LABELS

REGION_TOLERANCE = 0.005  # degrees, shapely.coverage_simplify (about 400 m)
CLASS_COLOURS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c", "#800026")  # ColorBrewer YlOrRd
NO_SITE_COLOUR = "#6b6b6b"
NO_SITE_LABEL = "aucun lieu adapté"

COMMUNE_TOOLTIP = """function (feature, layer) {
    var p = feature.properties, box = document.createElement('div');
    var title = document.createElement('strong');
    title.textContent = p.n + ' (' + p.p.toLocaleString('fr-FR') + ' hab.)';
    box.appendChild(title);
    var line = document.createElement('div');
    line.textContent = p.k === null ? 'Aucun lieu adapté'
        : 'Lieu adapté le plus proche : ' + p.k.toLocaleString('fr-FR') + ' km';
    box.appendChild(line);
    layer.bindTooltip(box, {sticky: true});
}"""

SITE_MARKER = """function (feature, latlng) {
    return L.circleMarker(latlng, {radius: 5, color: '#ffffff', weight: 1.5,
                                   fillColor: '#004a8f', fillOpacity: 1});
}"""

GEOMETRY_CACHE = 8
_lock = threading.Lock()
_GEOMETRIES: OrderedDict[tuple[int, str | None], tuple[Geography, dict]] = OrderedDict()


def legend() -> list[dict]:
    """Colour, label and class index of each distance class (for the page's legend)."""
    items = [{"class": i, "colour": c, "label": label} for i, (c, label) in enumerate(zip(CLASS_COLOURS, CLASS_LABELS))]
    return items + [{"class": len(CLASS_COLOURS), "colour": NO_SITE_COLOUR, "label": NO_SITE_LABEL}]


def class_index(km: float) -> int:
    """0 (0–5 km) … 4 (> 30 km), 5 when no site matches."""
    if not np.isfinite(km):
        return len(CLASS_COLOURS)
    return int(np.searchsorted(DISTANCE_CLASSES, km, side="left"))


def geometries(geo: Geography, department: str | None) -> dict[str, dict]:
    """GeoJSON geometry of every commune of the département, or of the region (simplified) when None."""
    key = (id(geo), department)
    with _lock:
        hit = _GEOMETRIES.get(key)
        if hit is not None and hit[0] is geo:
            _GEOMETRIES.move_to_end(key)
            return hit[1]
        communes = [c for c in geo.region_communes() if department is None or c.department == department]
        shapes = np.array([geo.polygons[c.insee] for c in communes], dtype=object)
        if department is None:
            shapes = shapely.coverage_simplify(shapes, REGION_TOLERANCE)
        shapes = shapely.transform(shapes, lambda xy: np.round(xy, 4))
        texts = shapely.to_geojson(shapes)
        _GEOMETRIES[key] = (geo, {c.insee: json.loads(t) for c, t in zip(communes, texts)})
        while len(_GEOMETRIES) > GEOMETRY_CACHE:
            _GEOMETRIES.popitem(last=False)
        return _GEOMETRIES[key][1]


DEMAND_MARKER = """function (feature, latlng) {
    var p = feature.properties;
    var m = L.circleMarker(latlng, {radius: p.r, color: '#5b0a91', weight: 1.5, fillColor: '#9e4fd1',
                                    fillOpacity: 0.55});
    var box = document.createElement('div'), title = document.createElement('strong');
    title.textContent = p.n;
    box.appendChild(title);
    var line = document.createElement('div');
    line.textContent = p.t + ' recherches' + (p.u === null ? '' : ', dont ' + p.u + ' sans lieu à moins de 30 km');
    box.appendChild(line);
    m.bindTooltip(box);
    return m;
}"""


def demand_layer(rows, geo: Geography) -> folium.GeoJson:
    """Communes where people searched (``finder.service.demand.Row``, already suppressed): a circle each,
    larger with more unmet searches."""
    features = []
    for r in rows:
        c = geo.communes[r.insee]
        weight = r.unmet or 0
        props = {"n": r.name, "t": r.total, "u": r.unmet, "r": round(4 + 2.5 * float(np.sqrt(weight)), 1)}
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [c.ref_lon, c.ref_lat]},
                         "properties": props})  # fmt: skip
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Où l'on cherche sans trouver",
        point_to_layer=folium.JsCode(DEMAND_MARKER),
    )


def coverage_map(
    cov: Coverage,
    mask: np.ndarray,
    department: str | None,
    sites: list[Site],
    geo: Geography,
    tiles: tuple[str, str],
    site_url,
    site_lines=None,
    demand=None,
) -> maps.RenderedMap:
    """Communes of ``mask`` (those of ``department``, or all) coloured by distance class, with ``sites``
    on top (site_url(id) -> link, ``site_lines(site)`` -> popup lines)."""
    shapes = geometries(geo, department)
    features = []
    for i in np.flatnonzero(mask):
        c = cov.communes.items[i]
        km = float(cov.km[i])
        props = {"n": c.name, "p": c.population, "k": round(km, 1) if np.isfinite(km) else None, "c": class_index(km)}
        features.append({"type": "Feature", "id": c.insee, "geometry": shapes[c.insee], "properties": props})
    m = maps.base_map((45.7, 4.6), 7, *tiles)
    m.options["prefer_canvas"] = True
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Distance au lieu adapté le plus proche",
        style_function=_style,
        on_each_feature=folium.JsCode(COMMUNE_TOOLTIP),
    ).add_to(m)
    sites_layer(sites, site_url, site_lines).add_to(m)
    if demand:
        demand_layer(demand, geo).add_to(m)
    m.fit_bounds(_bounds(cov, mask))
    return maps.render(m)


def _style(feature: dict) -> dict:
    c = feature["properties"]["c"]
    colour = CLASS_COLOURS[c] if c < len(CLASS_COLOURS) else NO_SITE_COLOUR
    return {"fillColor": colour, "color": "#5b5b5b", "weight": 0.4, "fillOpacity": 0.75}


# Folium evaluates this expression for every feature: the table of popup lines is built once per
# page (kept on window under its key), not once per site.
SITE_POPUP = """function (feature, layer) {
    var p = feature.properties, kept = window.sproPopupLines || (window.sproPopupLines = {});
    var lines = kept[%s] || (kept[%s] = %s);
    p.name = p.n; p.url = %s + p.u; p.lines = lines[p.g];
    (%s)(feature, layer);
}"""


def sites_layer(sites: list[Site], site_url, lines=None) -> folium.GeoJson:
    """The matching sites as small circles; ``lines(site)``: popup lines under the name.

    Sites share few distinct popup lines (network, public): each distinct list is written once, in
    the popup function, and a site carries its number ``g``; its link is written without the part
    common to all (a département of 2,500 sites stays under 1 MB). Coordinates to 5 decimals (1 m)."""
    groups: dict[tuple, int] = {}
    urls = [site_url(s.id) for s in sites]
    common = os.path.commonprefix(urls)
    features = []
    for s, url in zip(sites, urls):
        g = groups.setdefault(tuple(lines(s) if lines else ()), len(groups))
        point = {"type": "Point", "coordinates": [round(s.lon, 5), round(s.lat, 5)]}
        props = {"n": s.name, "u": url[len(common) :], "g": g}
        features.append({"type": "Feature", "geometry": point, "properties": props})
    table = _js([list(g) for g in groups])
    key = _js(hashlib.sha1(table.encode()).hexdigest()[:12])
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Lieux d'accueil adaptés",
        point_to_layer=folium.JsCode(SITE_MARKER),
        on_each_feature=folium.JsCode(SITE_POPUP % (key, key, table, _js(common), maps.ON_EACH_FEATURE)),
    )


def _js(value) -> str:
    """A JSON value written inside a <script>: no "<" that could close it."""
    return json.dumps(value).replace("<", "\\u003c")


def _bounds(cov: Coverage, mask: np.ndarray) -> list[list[float]]:
    """[[south, west], [north, east]] of the communes' reference points, as Folium wants (lat, lon)."""
    pts = cov.communes.points
    lats, lons = pts.lats[mask], pts.lons[mask]
    return [[float(lats.min()), float(lons.min())], [float(lats.max()), float(lons.max())]]
