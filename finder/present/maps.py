"""Folium maps rendered for embedding in our pages, with every asset served by the app.

Folium's defaults load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs: they are
replaced at import by the copies vendored under static/vendor/ (see static/vendor/README.md).
A rendered map is a <div>, the script that builds it and the static files it needs: pages
load those only when the map is needed (static/js/maps.js: at once on wide screens, when it
scrolls into view on small ones), which also sets French control labels and a metric scale.
Maps never carry one Folium object per site beyond a few: points go through one GeoJson
layer whose popups are built with textContent, so directory text is never parsed as HTML.
Coordinates: Folium/Leaflet take (lat, lon); GeoJSON data [lon, lat]. Folium writes its data
with Jinja's ``tojson``: set (a Jinja policy of the one environment Folium's templates share) to
compact separators and UTF-8 text, a fifth lighter than spaced and escaped JSON; ``tojson`` still
escapes <, >, & and ' for the <script>.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
from branca.element import CssLink, JavascriptLink
from folium.plugins import FastMarkerCluster, MarkerCluster
from markupsafe import Markup

STATIC = "/static/"
VENDOR = "/static/vendor"
LEAFLET_JS = [("leaflet", f"{VENDOR}/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{VENDOR}/leaflet/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", f"{VENDOR}/leaflet.markercluster/leaflet.markercluster.js")]
CLUSTER_CSS = [
    ("markerclustercss", f"{VENDOR}/leaflet.markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{VENDOR}/leaflet.markercluster/MarkerCluster.Default.css"),
]

folium.template.Template("").environment.policies["json.dumps_kwargs"] = {
    "sort_keys": True,
    "separators": (",", ":"),
    "ensure_ascii": False,
}
folium.Map.default_js = LEAFLET_JS
folium.Map.default_css = LEAFLET_CSS
for _cls in (MarkerCluster, FastMarkerCluster):
    _cls.default_js = CLUSTER_JS
    _cls.default_css = CLUSTER_CSS


@dataclass(frozen=True)
class RenderedMap:
    id: str  # the map <div>'s id
    html: Markup  # the map's <div>
    script: Markup  # the script building the map (needs Leaflet loaded first)
    css: tuple[str, ...]  # static files (names under static/) the map needs, in order
    js: tuple[str, ...]


def base_map(center: tuple[float, float], zoom: int, tiles_url: str, attribution: str) -> folium.Map:
    """A map centred on (lat, lon) with the configured tile layer."""
    m = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        control_scale=False,  # added by static/js/maps.js: metric only
        scrollWheelZoom=False,
        width="100%",
        height="100%",
    )
    folium.TileLayer(tiles=tiles_url, attr=attribution, name="Fond de carte", max_zoom=19).add_to(m)
    return m


# Popups and numbered markers built in the browser from feature properties with textContent.
# Markers are out of the tab order (the list before the map says everything); their title (a
# tooltip for the mouse) names the place and its distance; the number is decoration.
POINT_TO_LAYER = """function (feature, latlng) {
    var p = feature.properties;
    var icon = L.divIcon({className: 'map-pin' + (p.kind ? ' map-pin--' + p.kind : ''),
                          html: '', iconSize: [28, 28], iconAnchor: [14, 14]});
    var marker = L.marker(latlng, {icon: icon, keyboard: false, title: p.title || p.name || ''});
    marker.on('add', function () {
        var el = marker.getElement();
        if (el) {
            el.textContent = p.rank ? String(p.rank) : '';
            el.setAttribute('aria-hidden', 'true');
        }
    });
    return marker;
}"""

ON_EACH_FEATURE = """function (feature, layer) {
    var p = feature.properties, box = document.createElement('div');
    var title = document.createElement(p.url ? 'a' : 'strong');
    title.textContent = (p.rank ? p.rank + '. ' : '') + (p.name || '');
    if (p.url) { title.href = p.url; }
    box.appendChild(title);
    (p.lines || []).forEach(function (text) {
        var line = document.createElement('div');
        line.textContent = text;
        box.appendChild(line);
    });
    layer.bindPopup(box);
}"""


def points_layer(points: list[dict], name: str) -> folium.GeoJson:
    """One GeoJson layer of points: dicts with lat, lon, name, and optional rank, url, lines, kind and
    title (the marker's name, « 1. Mission locale … — 2,3 km »; the name by default)."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": {k: p.get(k) for k in ("name", "title", "rank", "url", "lines", "kind")},
        }
        for p in points
    ]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        point_to_layer=folium.JsCode(POINT_TO_LAYER),
        on_each_feature=folium.JsCode(ON_EACH_FEATURE),
    )


def results_map(
    origin: dict | None, points: list[dict], tiles_url: str, attribution: str, zoom: int = 11
) -> RenderedMap:
    """The origin (lat, lon, name) and ranked results, fitted to their extent."""
    everything = ([origin] if origin else []) + points
    center = (everything[0]["lat"], everything[0]["lon"]) if everything else (45.5, 4.6)
    m = base_map(center, zoom, tiles_url, attribution)
    if origin:
        points_layer([dict(origin, kind="origin")], "Votre point de départ").add_to(m)
    if points:
        points_layer(points, "Lieux d'accueil").add_to(m)
    if len(everything) > 1:
        lats = [p["lat"] for p in everything]
        lons = [p["lon"] for p in everything]
        m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(24, 24))
    return render(m)


def render(m: folium.Map) -> RenderedMap:
    """Split a Folium map into its div, its script and the static files it needs."""
    fig = m.get_root()
    fig.render()
    css, js = [], []
    for child in fig.header._children.values():
        if isinstance(child, (JavascriptLink, CssLink)):
            assert child.url.startswith(VENDOR), child.url  # never a third-party host
            (js if isinstance(child, JavascriptLink) else css).append(child.url[len(STATIC) :])
        # Folium's other header parts (page-wide html/body rules, a zoom-blocking viewport meta)
        # are left out: static/css/app.css sizes .folium-map.
    script = _safe_script(fig.script.render())
    return RenderedMap(m.get_name(), Markup(fig.html.render()), Markup(script), tuple(css), tuple(js))


def _safe_script(js: str) -> str:
    """Inline JS whose data cannot close the <script> element ("</script>" in a site name)."""
    return js.replace("</", "<\\/").replace("<!--", "<\\!--")
