"""/couverture and /bilan in Debian's Chromium (Playwright): the choropleth renders, the exports
download and parse, and axe-core finds no serious accessibility violation.

The app runs in a thread on a free loopback port with a temporary store; every request to
another host (map tiles) is aborted, so nothing leaves the machine.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from finder.web import create_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def coverage_server(tmp_path_factory):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path_factory.mktemp("browser") / "spro.sqlite3")})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, coverage_server):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    local = coverage_server + "/"
    pg.route("**/*", lambda route: route.continue_() if route.request.url.startswith(local) else route.abort())
    errors: list[str] = []
    pg.on("pageerror", lambda err: errors.append(str(err)))
    pg.errors = errors
    yield pg
    context.close()


COUNT_COMMUNES = """() => {
    const layers = Object.keys(window).filter(k => k.startsWith('geo_json_')).map(k => window[k])
        .filter(v => v instanceof L.GeoJSON);
    const counts = layers.map(l => l.getLayers().length);
    const fills = new Set();
    layers[0].eachLayer(l => fills.add(l.options.fillColor));
    return {counts: counts, fills: fills.size};
}"""


def test_choropleth_renders_and_exports_download(page, coverage_server, tmp_path):
    page.goto(coverage_server + "/couverture")
    page.select_option("#level", "2")
    page.fill("#max_km", "20")
    page.click("button[type=submit]")
    page.wait_for_selector(".leaflet-overlay-pane canvas")
    assert "99,2 % de la population à moins de 20,0 km" in page.inner_text("h2#result-title")
    rendered = page.evaluate(COUNT_COMMUNES)
    communes, sites = rendered["counts"]
    assert communes >= 4000 and sites > 500  # every commune polygon, then the matching sites
    assert rendered["fills"] >= 4  # several distance classes coloured
    box = page.locator(".leaflet-overlay-pane canvas").first.bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    assert page.errors == []

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


def _axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_department_view_and_accessibility(page, coverage_server):
    page.goto(coverage_server + "/couverture?level=2&max_km=20&department=15")
    page.wait_for_selector(".leaflet-overlay-pane canvas")
    counts = page.evaluate(COUNT_COMMUNES)["counts"]
    assert counts[0] == 250  # Cantal's communes only
    assert _axe_violations(page) == []


def test_bilan_in_the_browser(page, coverage_server):
    page.goto(coverage_server + "/bilan")
    assert page.inner_text("#kf-structures") == "566"
    assert page.inner_text("#kf-people") == "3 011 344"
    assert page.locator("figure.chart svg rect").count() > 20
    page.select_option("#annee", "2022")
    page.click(".year-form button")
    assert page.inner_text("h1") == "Bilan du SPRO 2022"
    assert _axe_violations(page) == []
