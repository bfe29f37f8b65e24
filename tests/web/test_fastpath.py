"""The WSGI fast path of /api/v1/sites/nearest answers exactly as the Flask view does.

Both paths run with the answer cache off (``ANSWER_CACHE_SIZE=0``): with a shared cache,
Flask would replay the fast path's bytes whatever each path computes.
"""

import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from finder.domain import vocab
from finder.web.fastpath import NearestFastPath
from tests.conftest import make_app

IGNORED = {"date", "server"}


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("fast"), RATELIMIT_EXEMPT="", ANSWER_CACHE_SIZE=0)
    fast = app.wsgi_app.wsgi_app  # inside the metrics recorder
    assert isinstance(fast, NearestFastPath)
    return Client(fast), Client(fast.wsgi_app)  # with the fast path, Flask alone


def same(clients, url, headers=None):
    fast, flask = clients
    a = fast.get(url, headers=headers or {})
    b = flask.get(url, headers=headers or {})
    assert a.status_code == b.status_code, url
    assert a.get_data() == b.get_data(), url
    ha = {k.lower(): v for k, v in a.headers.items() if k.lower() not in IGNORED}
    hb = {k.lower(): v for k, v in b.headers.items() if k.lower() not in IGNORED}
    assert ha == hb, url
    return a


@pytest.mark.parametrize(
    "qs",
    [
        "lat=45.19&lon=5.72",
        "commune=15014&age=22&status=demandeurs-emploi&level=2",
        "commune=69123&network=cio&network=apec&limit=50",
        "commune=15014&network=mission-locale&territory=only",
        "lat=45.7578&lon=4.8320&max_km=3&accessible=true&mode=a-distance",
        "commune=15014&network=apec&max_km=5",
        "commune=74080&age=19&status=demandeurs-emploi&level=2&order=competent",
        "commune=69123&order=nearest",
        "lat=abc&lon=4",
        "lat=45",
        "",
        "commune=99999",
        "commune=69123&status=x",
        "commune=69123&age=20&age=30",
        "commune=69123&q=%C3%A9&status=%C3%A9",
        "lat=45.19&lon=5.72&utm_source=lettre",
        "commune=69123&netwrok=cio",
        "commune=69123&%C3%A9t%C3%A9=1",
    ],
)
def test_same_answer_as_flask(clients, qs):
    same(clients, f"/api/v1/sites/nearest?{qs}")


@pytest.mark.parametrize(
    "accept, gzipped",
    [
        (None, False),
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0, identity", False),
        ("identity", False),
        ("*", True),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("deflate, *;q=0.5", True),
        ("x-gzip", True),
        ("GZIP;Q=0.8", True),
        ("gzip;q=nonsense", False),
    ],
)
@pytest.mark.parametrize(
    "qs, large",
    [("commune=69123&limit=20", True), ("commune=15014&limit=1", False), ("lat=45&lon=4&level=3", False)],
)
def test_content_negotiation_is_the_same_on_both_paths(clients, accept, gzipped, qs, large):
    r = same(clients, f"/api/v1/sites/nearest?{qs}", {"Accept-Encoding": accept} if accept else {})
    expected = gzipped and large  # errors and answers under COMPRESS_MIN_BYTES are never compressed
    assert (r.headers.get("Content-Encoding") == "gzip") is expected, accept
    assert ("Accept-Encoding" in r.headers.get("Vary", "")) is large
    body = gzip.decompress(r.get_data()) if expected else r.get_data()
    assert body.startswith(b'{"type":"FeatureCollection"') or r.status_code == 400


@settings(max_examples=40, deadline=None)
@given(
    lat=st.floats(44.0, 47.0), lon=st.floats(2.0, 7.5), limit=st.integers(1, 50),
    level=st.sampled_from(["", "1", "2"]), status=st.sampled_from([""] + sorted(vocab.STATUS_CODES)),
    age=st.one_of(st.just(""), st.integers(0, 99).map(str)),
)  # fmt: skip
def test_property_same_answer(clients, lat, lon, limit, level, status, age):
    qs = f"lat={lat}&lon={lon}&limit={limit}&level={level}&status={status}&age={age}"
    same(clients, f"/api/v1/sites/nearest?{qs}")


def test_other_paths_and_methods_go_to_flask(clients):
    fast, _ = clients
    assert fast.get("/healthz").status_code == 200
    assert fast.head("/api/v1/sites/nearest?commune=69123").status_code == 200
    r = fast.options(
        "/api/v1/sites/nearest", headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"}
    )
    assert r.status_code in (200, 204) and r.headers["Access-Control-Allow-Origin"] == "*"


def test_rate_limit_counted_once_per_request(tmp_path):
    app = make_app(tmp_path, RATELIMIT_EXEMPT="", RATELIMIT_BURST=3, RATELIMIT_PER_MINUTE=1)
    client = Client(app.wsgi_app)
    assert client.get("/api/v1/sites/nearest?commune=69123&status=x").status_code == 400  # error via Flask
    assert client.get("/api/v1/sites/nearest?commune=69123").status_code == 200
    assert client.get("/api/v1/sites/nearest?commune=15014").status_code == 200
    r = client.get("/api/v1/sites/nearest?commune=38185")
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    assert r.get_json()["error"]["code"] == "rate_limited"


def test_valid_queries_never_reach_flask(tmp_path):
    app = make_app(tmp_path)

    def flask_must_not_run(environ, start_response):
        raise AssertionError("fell through to Flask")

    client = Client(NearestFastPath(flask_must_not_run, app))
    r = client.get("/api/v1/sites/nearest?commune=15014&age=22&level=2")
    assert r.status_code == 200 and r.get_json()["features"]
