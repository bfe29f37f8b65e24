"""/api/v1/sites page by page (page, page_size, bbox, total, next) and the gzip dump of every site."""

import gzip
import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from finder.service import params, sites


def _all(client):
    fc = json.loads(gzip.decompress(client.get("/api/v1/sites.geojson.gz").get_data()))
    return fc["features"]


def test_default_page_holds_the_demo_directory(client):
    everything = _all(client)
    fc = client.get("/api/v1/sites").get_json()
    assert fc["total"] == len(everything) == len(fc["features"])
    assert fc["page"] == 1 and fc["page_size"] == params.PAGE_SIZE_WHOLE and fc["next"] is None


def test_a_directory_larger_than_a_region_s_comes_in_default_pages_under_1_mb(client, monkeypatch):
    """Without page_size, a directory above PAGE_SIZE_WHOLE sites is cut in pages of PAGE_SIZE_DEFAULT:
    lowered here below the demo's size, so that the demo takes that path."""
    monkeypatch.setattr(sites, "PAGE_SIZE_WHOLE", 500)
    everything = {f["id"] for f in _all(client)}
    url, seen, sizes = "http://localhost/api/v1/sites", [], []
    while url:
        answer = client.get(url)
        fc = answer.get_json()
        assert fc["page_size"] == params.PAGE_SIZE_DEFAULT and fc["total"] == len(everything)
        assert "page_size" not in dict(parse_qsl(urlsplit(fc["next"] or "").query))
        seen += [f["id"] for f in fc["features"]]
        sizes.append(len(answer.get_data()))
        url = fc["next"]
    assert len(seen) == len(set(seen)) and set(seen) == everything
    assert len(sizes) == -(-len(everything) // params.PAGE_SIZE_DEFAULT) == 2
    assert max(sizes) < 1_000_000


def test_default_page_size_follows_the_directory_size():
    assert sites.default_page_size(1073) == sites.default_page_size(params.PAGE_SIZE_WHOLE) == params.PAGE_SIZE_WHOLE
    assert sites.default_page_size(params.PAGE_SIZE_WHOLE + 1) == sites.default_page_size(100_000) == 800


def test_pages_cover_every_site_once_and_next_keeps_the_parameters(client):
    url = "http://localhost/api/v1/sites?level=2&page_size=100"
    seen, pages = [], 0
    while url:
        fc = client.get(url).get_json()
        assert len(fc["features"]) <= 100
        seen += [f["id"] for f in fc["features"]]
        pages += 1
        url = fc["next"]
        if url:
            query = dict(parse_qsl(urlsplit(url).query))
            assert urlsplit(url).scheme == "http" and query["level"] == "2" and query["page_size"] == "100"
            assert query["page"] == str(pages + 1)
    total = fc["total"]
    assert len(seen) == len(set(seen)) == total > 100
    assert pages == -(-total // 100)
    two = {f["id"] for f in _all(client) if 2 in f["properties"]["levels"]}
    assert set(seen) == two


def test_a_page_past_the_end_is_empty(client):
    fc = client.get("/api/v1/sites?page=99999&page_size=1000").get_json()
    assert fc["features"] == [] and fc["next"] is None and fc["total"] > 0


BOX = (4.7, 45.6, 5.0, 45.9)  # around Lyon


def test_bbox_keeps_the_sites_inside(client):
    fc = client.get("/api/v1/sites?bbox=" + ",".join(map(str, BOX))).get_json()
    inside = {
        f["id"]
        for f in _all(client)
        if BOX[0] <= f["geometry"]["coordinates"][0] <= BOX[2] and BOX[1] <= f["geometry"]["coordinates"][1] <= BOX[3]
    }
    assert {f["id"] for f in fc["features"]} == inside and 0 < fc["total"] == len(inside)
    assert fc["filters"]["bbox"] == list(BOX)


@pytest.mark.parametrize(
    "qs, field",
    [
        ("bbox=", "bbox"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=5,45,4,46", "bbox"),  # min > max
        ("bbox=0,-91,1,1", "bbox"),
        ("bbox=nan,1,2,3", "bbox"),
        ("bbox=1,2,3,4&bbox=1,2,3,4", "bbox"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("page_size=0", "page_size"),
        (f"page_size={params.PAGE_SIZE_MAX + 1}", "page_size"),
        ("limit=10", "limit"),  # was silently ignored before
    ],
)
def test_bad_paging_names_the_parameter(client, qs, field):
    r = client.get("/api/v1/sites?" + qs)
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == field


def test_dump_is_a_gzip_file_with_an_etag(client):
    r = client.get("/api/v1/sites.geojson.gz")
    assert r.status_code == 200 and r.mimetype == "application/gzip"
    assert "Content-Encoding" not in r.headers  # a file to download, not a transfer encoding
    assert "attachment" in r.headers["Content-Disposition"]
    fc = json.loads(gzip.decompress(r.get_data()))
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == client.get("/api/v1/sites?page_size=1").get_json()["total"]
    again = client.get("/api/v1/sites.geojson.gz", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_dump_is_built_once_per_catalog(app):
    catalog = app.extensions["spro"].catalog
    assert catalog.dump() is catalog.dump()
