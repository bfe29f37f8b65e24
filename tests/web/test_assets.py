"""Static files and pages on a phone's budget: fingerprinted URLs cached a year, gzip, deferred maps."""

import gzip
import re

import pytest

from finder.web.assets import IMMUTABLE, Assets

GZ = {"Accept-Encoding": "gzip, deflate, br"}


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html) + [
        u for attr in re.findall(r'data-(?:css|js)="([^"]*)"', html) for u in attr.split()
    ]


def test_pages_link_fingerprinted_files(client):
    html = client.get("/?q=Grenoble&age=22&level=2").get_data(as_text=True)
    urls = static_urls(html)
    assert any("/js/search." in u for u in urls) and any("/vendor/leaflet/leaflet." in u for u in urls)
    for url in urls:
        assert re.search(r"\.[0-9a-f]{10}\.(css|js)$", url), url
    staff = client.get("/bilan").get_data(as_text=True)
    assert re.search(r'href="/static/css/staff\.[0-9a-f]{10}\.css"', staff)


def test_citizen_pages_inline_their_small_stylesheet(client, app):
    css = app.extensions["spro_assets"].files["css/app.css"].data.decode()
    for url in ("/", "/?q=Grenoble", "/lieux/lieu-0001", "/embed?commune=15014"):
        html = client.get(url).get_data(as_text=True)
        assert f"<style>{css}</style>" in html, url  # one round trip less on a slow network
        assert '<link rel="icon" href="data:,">' in html  # and no /favicon.ico request
    login = client.get("/admin/login")  # staff pages keep a strict CSP (no inline style): a link
    assert re.search(r'<link rel="stylesheet" href="/static/css/app\.[0-9a-f]{10}\.css">', login.text)


@pytest.mark.parametrize("name", ["css/app.css", "js/search.js", "js/maps.js", "vendor/leaflet/leaflet.js"])
def test_a_fingerprinted_file_is_cached_for_a_year(client, app, name):
    asset = app.extensions["spro_assets"].files[name]
    r = client.get(f"/static/{asset.fingerprinted}")
    assert r.status_code == 200 and r.data == asset.data
    assert r.headers["Cache-Control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert asset.digest in asset.fingerprinted


def test_plain_and_outdated_names_are_revalidated(client, app):
    asset = app.extensions["spro_assets"].files["embed.js"]  # partner pages load it by this stable address
    plain = client.get("/static/embed.js")
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == "no-cache"
    assert plain.headers["ETag"] == f'W/"{asset.digest}"'
    again = client.get("/static/embed.js", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and "Accept-Encoding" in again.headers["Vary"]
    stale = client.get("/static/css/app.0123456789.css")
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/css/nope.css").status_code == 404
    assert client.get("/static/../finder/config.py").status_code == 404


def test_pages_and_files_are_gzipped_when_accepted(client, app):
    page = client.get("/?q=Grenoble&age=22&level=2", headers=GZ)
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    raw = client.get("/?q=Grenoble&age=22&level=2")
    assert "Content-Encoding" not in raw.headers
    assert len(page.data) < len(raw.data) / 3
    assert gzip.decompress(page.data).decode().startswith("<!doctype html>")
    for name in ("css/app.css", "vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css"):
        asset = app.extensions["spro_assets"].files[name]
        r = client.get(f"/static/{asset.fingerprinted}", headers=GZ)
        assert r.headers["Content-Encoding"] == "gzip", name
        assert gzip.decompress(r.data) == asset.data
        assert int(r.headers["Content-Length"]) == len(r.data)
    refused = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_map_scripts_never_block_rendering(client):
    for url in ("/?q=Grenoble", "/lieux/lieu-0001", "/embed?commune=15014"):
        html = client.get(url).get_data(as_text=True)
        head = html.split("</head>")[0]
        assert "leaflet" not in head, url  # Leaflet is fetched by maps.js when the map is needed
        for tag in re.findall(r"<script [^>]*src=[^>]*>", html):
            assert " defer" in tag or " async" in tag, tag
        assert 'data-map="map_' in html and "window.sproMaps" in html


def test_the_note_comes_before_the_map(client):
    html = client.get("/?q=Grenoble").get_data(as_text=True)
    assert html.index("La carte complète la liste") < html.index('data-map="map_')


def test_file_names_keep_their_folder_and_extension(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "a.b.css").write_bytes(b"x")
    (tmp_path / "LICENSE").write_bytes(b"y")
    assets = Assets(tmp_path)
    name = assets.url_name("css/a.b.css")
    assert re.fullmatch(r"css/a\.b\.[0-9a-f]{10}\.css", name)
    assert assets.find(name) == (assets.files["css/a.b.css"], True)
    assert assets.url_name("LICENSE") == "LICENSE" and assets.url_name("unknown.js") == "unknown.js"
