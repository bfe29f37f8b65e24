"""A site named <script>alert(1)</script> is shown escaped on every page, popup and export."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest

from finder.directory import export
from finder.service.accounts import Accounts
from finder.storage.store import Store
from tests.conftest import make_app
from tests.import_helpers import demo_rows, geo, settle, to_csv
from tests.web.test_admin import exported

XSS = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
PASSWORD = "un mot de passe solide"


@pytest.fixture(scope="module")
def staff(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("xss"), SECRET_KEY="k" * 32, RELOAD_CHECK_SECONDS=0)
    store = Store(app.config["DATABASE"])
    Accounts(store).add("alice", PASSWORD)
    d = store.load()
    structures = dict(d.structures)
    structures["str-0001"] = dataclasses.replace(structures["str-0001"], name=XSS)
    sites = [
        dataclasses.replace(s, name=XSS, address=IMG, description=XSS, closures=()) if s.id == "lieu-0001" else s
        for s in d.sites
    ]
    version = store.add_version(list(structures.values()), sites, False, XSS, XSS)
    store.publish(version, XSS, XSS)
    client = app.test_client()
    page = client.get("/admin/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/admin/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf})
    client.csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/").text).group(1)
    rows = demo_rows(2)
    rows[0]["telephone"] = XSS  # an error whose value is shown in the report
    form = {"csrf_token": client.csrf, "fichier": (io.BytesIO(to_csv(rows)), f"{XSS}.csv")}
    job = client.post("/admin/import", data=form, content_type="multipart/form-data").location
    client.report = settle(client, job).url
    form = {"csrf_token": client.csrf, "site": "lieu-0002", "start": "2026-01-01", "end": "2099-01-01", "reason": XSS}
    client.post("/admin/fermetures", data=form)
    client.app = app
    return client


def assert_escaped(body: str, where: str) -> None:
    assert XSS not in body and IMG not in body, where
    assert "<script>alert" not in body and 'onerror="alert' not in body, where


def test_every_page_escapes(staff):
    values = {
        "version": 1,
        "report_id": int(staff.report.rsplit("/", 1)[1]),
        "site_id": "lieu-0001",
        "structure_id": "str-0001",
        "token": "x",
        "campaign_id": 1,
        "job_id": 1,
    }
    pages = ["/?commune=01053", "/?q=Bourg-en-Bresse", "/lieux/lieu-0001", "/lieux/lieu-0002", staff.report]
    for rule in staff.app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        try:
            pages.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule))
        except KeyError:  # a parameter we do not know how to fill (format-specific downloads below)
            continue
    seen_html = 0
    for url in pages:
        r = staff.get(url, follow_redirects=True)
        assert r.status_code in (200, 400, 404, 410), url  # 404: no campaign n° 1; 410: a link token "x"
        if r.mimetype == "text/html":
            seen_html += 1
            assert_escaped(r.text, url)
    assert seen_html >= 12
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in staff.get("/lieux/lieu-0001").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in staff.get(staff.report).text


def test_map_popups_carry_text_only(staff):
    body = staff.get("/?commune=01053").text
    assert "\\u003cscript\\u003ealert(1)" in body or "&lt;script&gt;" in body
    assert_escaped(body, "map")


def test_api_answers_are_json_never_html(staff):
    for url in ("/api/v1/sites", "/api/v1/sites/lieu-0001", "/api/v1/sites/nearest?commune=01053"):
        r = staff.get(url)
        assert r.mimetype in ("application/json", "application/geo+json")
    names = {f["properties"]["name"] for f in r.get_json()["features"]}
    assert XSS in names  # data kept as is, JSON-encoded


@pytest.mark.parametrize("url", ["/admin/export.csv", "/admin/export.xlsx", "/admin/qualite/a-verifier.csv"])
def test_exports_are_attachments_that_keep_the_text(staff, url):
    r = staff.get(url) if url.startswith("/admin/qualite") else exported(staff, url)
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.mimetype != "text/html"


def test_csv_export_round_trips_the_name_as_plain_text(staff):
    data = exported(staff, "/admin/export.csv").data
    assert XSS.encode() in data  # a CSV is text, not HTML: the value is kept exactly
    from finder.directory import importer
    from tests.import_helpers import settings

    result = importer.check(data, Store(":memory:"), geo(), settings())
    site = next(s for s in result.directory.sites if s.id == "lieu-0001")
    assert (site.name, site.address) == (XSS, IMG)
    again = export.to_bytes(result.directory, geo())
    assert again == data


def test_report_csv_is_an_attachment(staff):
    r = staff.get(staff.report + "/rapport.csv")
    assert "attachment" in r.headers["Content-Disposition"] and r.mimetype == "text/csv"
