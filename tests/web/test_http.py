"""HTTP behaviour: security headers, framing, CORS, ETag/304, gzip and rate limiting."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.conftest import make_app

API_URLS = ["/api/v1/vocabularies", "/api/v1/sites", "/api/v1/sites/lieu-0001", "/api/v1/openapi.json"]


@pytest.mark.parametrize(
    "url", ["/", "/healthz", "/api", "/integrer", "/embed", "/lieux/lieu-0001", "/api/v1/sites/nearest?commune=69123"]
)
def test_security_headers_on_every_answer(client, url):
    r = client.get(url)
    assert r.status_code == 200
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors" in csp and "default-src" in csp


@pytest.mark.parametrize("url", ["/api/v1/nothing", "/lieux/nope"])
def test_security_headers_on_errors_too(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert r.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in r.headers


@pytest.mark.parametrize("url", ["/", "/lieux/lieu-0001", "/api", "/integrer"])
def test_pages_refuse_framing_by_other_sites(client, url):
    r = client.get(url)
    assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_embed_may_be_framed_by_any_site_by_default(client):
    r = client.get("/embed?commune=69123")
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "X-Frame-Options" not in r.headers


def test_embed_framing_allow_list(tmp_path):
    app = make_app(tmp_path, EMBED_FRAME_ANCESTORS="https://www.lycee-exemple.fr, https://ml.example.org")
    r = app.test_client().get("/embed")
    assert (
        "frame-ancestors 'self' https://www.lycee-exemple.fr https://ml.example.org"
        in r.headers["Content-Security-Policy"]
    )
    assert "frame-ancestors 'self';" in app.test_client().get("/").headers["Content-Security-Policy"] + ";"


def test_api_forbids_everything_but_data(client):
    csp = client.get("/api/v1/vocabularies").headers["Content-Security-Policy"]
    assert csp == "default-src 'none'; frame-ancestors 'none'"


def test_inline_map_script_carries_the_csp_nonce(client):
    r = client.get("/?commune=69123")
    csp = r.headers["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in r.get_data(as_text=True)
    other = client.get("/?commune=69123").headers["Content-Security-Policy"]
    assert nonce not in other  # one per answer
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


def test_no_third_party_source_in_csp_but_the_tiles(client, app):
    csp = client.get("/").headers["Content-Security-Policy"]
    hosts = {w for w in csp.replace(";", " ").split() if "://" in w}
    assert hosts == {"https://*.tile.openstreetmap.fr"}


# -- CORS ---------------------------------------------------------------------------------
@pytest.mark.parametrize("url", API_URLS + ["/api/v1/sites/nearest?commune=69123", "/api/v1/sites/nearest"])
def test_cors_open_for_get_on_the_api(client, url):
    r = client.get(url, headers={"Origin": "https://www.mairie-exemple.fr"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]


def test_cors_preflight(client):
    r = client.options(
        "/api/v1/sites/nearest",
        headers={
            "Origin": "https://www.mairie-exemple.fr",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in r.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in r.headers["Access-Control-Allow-Headers"]


def test_no_cors_on_pages(client):
    assert "Access-Control-Allow-Origin" not in client.get("/").headers


# -- ETag / 304 ---------------------------------------------------------------------------
@pytest.mark.parametrize("url", API_URLS + ["/api/v1/sites?department=15&level=2"])
def test_etag_and_304_on_revalidation(client, url):
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    other = client.get(url, headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200 and other.data == first.data


def test_etag_differs_per_query_and_after_a_publish(tmp_path):
    app = make_app(tmp_path, RELOAD_CHECK_SECONDS=0)
    c = app.test_client()
    a = c.get("/api/v1/sites?level=1").headers["ETag"]
    b = c.get("/api/v1/sites?level=2").headers["ETag"]
    assert a != b
    st = app.extensions["spro"]
    directory = st.engine.directory
    version = st.store.add_version(list(directory.structures.values()), directory.sites, False, "test", "test")
    st.store.publish(version, "test")
    r = c.get("/api/v1/sites?level=1", headers={"If-None-Match": a})
    assert r.status_code == 200 and r.headers["ETag"] != a


def test_star_if_none_match(client):
    assert client.get("/api/v1/sites/lieu-0001", headers={"If-None-Match": "*"}).status_code == 304
    assert client.get("/api/v1/sites/nope", headers={"If-None-Match": "*"}).status_code == 404


def test_errors_and_nearest_carry_no_etag(client):
    assert "ETag" not in client.get("/api/v1/sites/nope").headers
    assert "ETag" not in client.get("/api/v1/sites?level=9").headers
    assert "ETag" not in client.get("/api/v1/sites/nearest?commune=69123").headers


# -- compression --------------------------------------------------------------------------
def test_large_json_is_gzipped_when_accepted(client):
    plain = client.get("/api/v1/sites")
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    zipped = client.get("/api/v1/sites", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert len(zipped.data) < len(plain.data) / 5
    assert json.loads(gzip.decompress(zipped.data)) == plain.get_json()
    assert int(zipped.headers["Content-Length"]) == len(zipped.data)


def test_nearest_is_gzipped_too_and_small_answers_are_not(client):
    r = client.get("/api/v1/sites/nearest?commune=69123", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(r.data))["features"]
    small = client.get("/api/v1/sites/lieu-0001", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers


def test_gzip_refused_by_quality_zero(client):
    r = client.get("/api/v1/sites", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in r.headers


# -- rate limiting ------------------------------------------------------------------------
def test_rate_limit_429_with_retry_after(tmp_path):
    app = make_app(tmp_path, RATELIMIT_PER_MINUTE=6, RATELIMIT_BURST=3)
    c = app.test_client()
    env = {"REMOTE_ADDR": "198.51.100.7"}
    codes = [c.get("/api/v1/vocabularies", environ_base=env).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    r = c.get("/api/v1/sites/nearest?commune=69123", environ_base=env)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "10"  # one token every 10 s
    err = r.get_json()["error"]
    assert err["code"] == "rate_limited" and "réessayez" in err["message"]
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    # another client is not affected; pages are not limited
    assert c.get("/api/v1/vocabularies", environ_base={"REMOTE_ADDR": "198.51.100.8"}).status_code == 200
    assert c.get("/healthz", environ_base=env).status_code == 200
    assert c.get("/", environ_base=env).status_code == 200


def test_rate_limit_can_be_disabled(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=False, RATELIMIT_BURST=1)
    c = app.test_client()
    assert {c.get("/api/v1/vocabularies").status_code for _ in range(5)} == {200}


def test_trusted_proxy_gives_the_client_address(tmp_path):
    app = make_app(tmp_path, RATELIMIT_PER_MINUTE=1, RATELIMIT_BURST=1, TRUSTED_PROXIES=1)
    c = app.test_client()
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.1"}
    assert c.get("/api/v1/vocabularies", environ_base=first).status_code == 200
    assert c.get("/api/v1/vocabularies", environ_base=first).status_code == 429
    second = {"HTTP_X_FORWARDED_FOR": "203.0.113.2"}
    assert c.get("/api/v1/vocabularies", environ_base=second).status_code == 200


def test_405_keeps_the_allow_header(client):
    r = client.post("/api/v1/sites")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]


@pytest.mark.parametrize(
    "key, value",
    [
        ("RATELIMIT_PER_MINUTE", 0),
        ("RATELIMIT_BURST", "many"),
        ("COMPRESS_LEVEL", 10),
        ("CACHE_MAX_AGE", -1),
        ("EMBED_FRAME_ANCESTORS", "www.example.fr"),
        ("HEAVY_PAGES_PER_MINUTE", 0),
        ("HEAVY_PAGES_CONCURRENCY", "deux"),
        ("EXPORT_CACHE_SIZE", -1),
        ("HSTS_MAX_AGE", -1),
        ("WIDGET_COUNT_BURST", 0),
        ("WIDGET_NEW_ORIGINS_PER_DAY", -1),
    ],
)
def test_bad_partner_settings_stop_the_app(tmp_path, key, value):
    from finder.config import ConfigError

    with pytest.raises(ConfigError, match=key):
        make_app(tmp_path, **{key: value})


# -- answer cache -------------------------------------------------------------------------
def test_nearest_answers_are_memoised_per_query_and_version(tmp_path):
    app = make_app(tmp_path, RELOAD_CHECK_SECONDS=0)
    c = app.test_client()
    cache = app.extensions["spro_answers"]
    first = c.get("/api/v1/sites/nearest?commune=69123&limit=3")
    assert len(cache._bodies) == 1
    assert c.get("/api/v1/sites/nearest?commune=69123&limit=3").data == first.data
    assert len(cache._bodies) == 1
    assert c.get("/api/v1/sites/nearest?commune=69123&limit=99").status_code == 400
    assert len(cache._bodies) == 1  # errors are not kept
    st = app.extensions["spro"]
    d = st.engine.directory
    st.store.publish(st.store.add_version(list(d.structures.values()), d.sites[:5], False, "t", "t"), "t")
    fresh = c.get("/api/v1/sites/nearest?commune=69123&limit=3").get_json()
    assert fresh["dataset"]["sites"] == 5 and len(cache._bodies) == 2


def test_answer_cache_is_bounded():
    from finder.web.http import AnswerCache

    cache = AnswerCache(2)
    for key in "abc":
        assert cache.get(key, lambda k=key: k.encode()) == key.encode()
    assert len(cache._bodies) == 1  # emptied when full, then "c" kept
    off = AnswerCache(0)
    off.get("a", lambda: b"x")
    assert off._bodies == {}


def test_loopback_is_exempt_by_default_and_configurable(tmp_path):
    app = make_app(tmp_path, RATELIMIT_PER_MINUTE=1, RATELIMIT_BURST=1)
    c = app.test_client()  # REMOTE_ADDR 127.0.0.1: local checks are never limited
    assert {c.get("/api/v1/vocabularies").status_code for _ in range(3)} == {200}
    strict = make_app(tmp_path, RATELIMIT_PER_MINUTE=1, RATELIMIT_BURST=1, RATELIMIT_EXEMPT="").test_client()
    assert [strict.get("/api/v1/vocabularies").status_code for _ in range(2)] == [200, 429]
