"""QR codes (segno) and the static print map: decoded back, drawn where the geodata says."""

from __future__ import annotations

import re

import pytest
import shapely

from finder.present import printmap, qr
from tests.qr_decode import decode

URLS = [
    "https://orientation.exemple.fr/lieux/lieu-0001",
    "https://orientation.exemple.fr/?commune=15014&age=19&status=demandeur-emploi&network=cio%2Cmission-locale",
    "http://127.0.0.1:5000/?commune=69381&accessible=true&mode=a-distance&level=2",
]


@pytest.mark.parametrize("url", URLS)
def test_the_qr_svg_decodes_to_its_url(url):
    svg = qr.svg(url, "QR code")
    assert decode(svg) == [url]


def test_the_decoder_can_fail():
    """A broken finder pattern: nothing decodes (the helper does not just echo an input)."""
    svg = qr.svg(URLS[0], "QR code")
    assert decode(re.sub(r'd="M4 4\.5h7', 'd="M4 4.5h2', svg)) == []


def test_the_qr_svg_is_named_and_scaled_by_css():
    svg = qr.svg(URLS[0], 'Vers « la page » & "plus"')
    assert svg.startswith('<svg role="img" aria-label="Vers « la page » &amp; &quot;plus&quot;"')
    assert 'viewBox="0 0 ' in svg and "width=" not in svg.split(">", 1)[0]  # CSS sizes it
    size = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    assert (size - 2 * qr.QUIET_ZONE - 17) % 4 == 0  # a QR version is 17 + 4 v modules wide


def _points(svg: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.-]+)" cy="([\d.-]+)"', svg)]


def test_the_map_draws_the_outline_and_points_inside_the_box(geo):
    commune = geo.communes["15014"]  # Aurillac
    polygon = geo.polygons["15014"]
    far = {"lat": commune.ref_lat + 0.05, "lon": commune.ref_lon + 0.08, "mark": "2", "kind": "site"}
    here = {"lat": commune.ref_lat, "lon": commune.ref_lon, "mark": "", "kind": "origin"}
    svg = printmap.svg(polygon, [here, far], "Plan", 400, 300)
    assert svg.startswith('<svg role="img" aria-label="Plan" viewBox="0 0 400 300"')
    assert 'class="map-commune"' in svg and ">2</text>" in svg
    (x0, y0), (x1, y1) = _points(svg)
    for x, y in ((x0, y0), (x1, y1)):
        assert 0 < x < 400 and 0 < y < 300
    assert x1 > x0 and y1 < y0, "east is right, north is up"
    # the outline's drawn box matches the polygon's, in the same frame
    frame = printmap.Frame(printmap.bounds(polygon, [here, far]), 400, 300)
    path = re.search(r'class="map-commune"', svg) and re.search(r'<path d="([^"]+)"', svg).group(1)
    xs = [float(v) for v in re.findall(r"[ML]([\d.-]+) ", path)]
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    assert min(xs) == pytest.approx(frame.xy(min_lat, min_lon)[0], abs=1.0)
    assert max(xs) == pytest.approx(frame.xy(max_lat, max_lon)[0], abs=1.0)


def test_the_origin_is_drawn_inside_the_outline(geo):
    """The commune's reference point falls inside the drawn outline (same projection for both)."""
    polygon = geo.polygons["15014"]
    c = geo.communes["15014"]
    point = {"lat": c.ref_lat, "lon": c.ref_lon, "kind": "origin"}
    svg = printmap.svg(polygon, [point], "Plan")
    path = re.search(r'<path d="([^"]+)"', svg).group(1)
    rings = [
        [tuple(map(float, xy.split())) for xy in ring.strip("MZ").split("L")] for ring in re.findall(r"M[^Z]+Z", path)
    ]
    drawn = shapely.Polygon(rings[0], rings[1:])
    assert drawn.contains(shapely.Point(*_points(svg)[0]))


def test_a_point_without_outline_still_gets_a_map():
    svg = printmap.svg(None, [{"lat": 45.0, "lon": 4.0, "mark": "1"}], "Plan")
    assert "map-commune" not in svg and len(_points(svg)) == 1
    assert printmap.svg(None, [], "Plan") == ""
