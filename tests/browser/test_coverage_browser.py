"""/couverture and /bilan in Debian's Chromium (Playwright): the choropleth renders, the exports
download and parse, and axe-core finds no serious accessibility violation.

Fixtures (live_server on loopback, browser, page guarding against any other host) come from
tests/browser/conftest.py.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


COUNT_COMMUNES = """() => {
    const layers = [];
    window.sproMapInstances[0].eachLayer(l => { if (l instanceof L.GeoJSON) { layers.push(l); } });
    const counts = layers.map(l => l.getLayers().length);
    const fills = new Set();
    layers[0].eachLayer(l => fills.add(l.options.fillColor));
    return {counts: counts, fills: fills.size};
}"""


SITE_POPUPS = """() => {
    const layers = [];
    window.sproMapInstances[0].eachLayer(l => { if (l instanceof L.GeoJSON) { layers.push(l); } });
    return layers[1].getLayers().map(l => {
        const box = l.getPopup().getContent(), link = box.querySelector('a');
        const lines = Array.from(box.querySelectorAll('div')).map(d => d.textContent);
        return {href: link.href, lines: lines.length, lines_text: lines};
    });
}"""


def test_choropleth_renders_and_exports_download(page, live_server, tmp_path):
    page.goto(live_server.url + "/couverture")
    page.select_option("#level", "2")
    page.fill("#max_km", "20")
    page.click("button[type=submit]")
    page.wait_for_selector(".leaflet-overlay-pane canvas")
    assert "99,2 % de la population à moins de 20,0 km" in page.inner_text("h2#result-title")
    rendered = page.evaluate(COUNT_COMMUNES)
    communes, sites = rendered["counts"]
    assert communes >= 4000 and sites > 500  # every commune polygon, then the matching sites
    assert rendered["fills"] >= 4  # several distance classes coloured
    popups = page.evaluate(SITE_POPUPS)  # written compactly (shared lines, links without their common part)
    assert len(popups) == sites and all(p["href"].startswith(live_server.url + "/lieux/") for p in popups)
    assert all(p["lines"] == 2 and p["lines_text"][1].startswith("Pour qui : ") for p in popups)
    assert len({p["href"] for p in popups}) == sites
    box = page.locator(".leaflet-overlay-pane canvas").first.bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    assert page.console_errors == []

    with page.expect_download() as info:
        page.click("#export-csv")
    path = tmp_path / "c.csv"
    info.value.save_as(path)
    assert info.value.suggested_filename == "couverture-region-20km.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Code INSEE" and len(rows) == communes + 1

    with page.expect_download() as info:
        page.click("#export-geojson")
    path = tmp_path / "c.geojson"
    info.value.save_as(path)
    fc = json.loads(path.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == communes
    assert fc["features"][0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_department_view_and_accessibility(page, live_server):
    page.goto(live_server.url + "/couverture?level=2&max_km=20&department=15")
    page.wait_for_selector(".leaflet-overlay-pane canvas")
    counts = page.evaluate(COUNT_COMMUNES)["counts"]
    assert counts[0] == 250  # Cantal's communes only
    assert axe_violations(page) == []


def test_bilan_in_the_browser(page, live_server):
    page.goto(live_server.url + "/bilan")
    assert page.inner_text("#kf-structures") == "566"
    assert page.inner_text("#kf-people") == "3 011 344"
    assert page.locator("figure.chart svg rect").count() > 20
    page.select_option("#annee", "2022")
    page.click(".year-form button")
    assert page.inner_text("h1") == "Bilan du SPRO 2022"
    assert axe_violations(page) == []
