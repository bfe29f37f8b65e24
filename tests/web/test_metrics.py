"""/metrics: Prometheus text, by route rule, the fast path counted too, aggregated across gunicorn workers,
readable from the allowed networks only."""

from __future__ import annotations

import re
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from finder import config
from finder.web import metrics
from tests import live
from tests.conftest import make_app


def samples(text: str) -> dict:
    """{(name, frozenset(labels)): value} of a Prometheus text answer."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def requests_of(values: dict, route: str, status: str = "200", method: str = "GET") -> float:
    key = ("spro_http_requests_total", frozenset({"route": route, "method": method, "status": status}.items()))
    return values.get(key, 0.0)


@pytest.fixture(scope="module")
def metered(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("metrics"), RATELIMIT_EXEMPT="", RATELIMIT_BURST=5, RATELIMIT_PER_MINUTE=1)


def test_counts_by_route_rule_with_the_fast_path_and_unmatched_paths(metered):
    c = metered.test_client()
    before = samples(c.get("/metrics").text)
    env = {"REMOTE_ADDR": "198.51.100.20"}
    assert c.get("/api/v1/sites/nearest?commune=15014", environ_base=env).status_code == 200  # fast path
    assert c.get("/api/v1/sites/nearest?commune=1", environ_base=env).status_code == 400  # through Flask
    for site in ("inconnu-1", "inconnu-2", "inconnu-3"):
        assert c.get(f"/lieux/{site}").status_code == 404
    for n in range(3):
        c.get(f"/pas/une/route/{n}")
    r = c.get("/metrics")
    assert r.status_code == 200 and r.content_type.startswith("text/plain; version=")
    assert r.headers["Cache-Control"] == "no-store"
    after = samples(r.text)

    def delta(route, status):
        return requests_of(after, route, status) - requests_of(before, route, status)

    assert delta("/api/v1/sites/nearest", "200") == 1 and delta("/api/v1/sites/nearest", "400") == 1
    assert delta("/lieux/<site_id>", "404") == 3  # one series for every site id
    assert delta(metrics.UNMATCHED, "404") == 3  # one series for every unknown path
    assert not [k for k in after if "pas/une" in str(k) or "inconnu" in str(k)]
    count = ("spro_http_request_duration_seconds_count", frozenset({("route", "/api/v1/sites/nearest")}))
    assert after[count] - before.get(count, 0) == 2
    assert after[("spro_directory_version", frozenset())] == 1


def test_refusals_are_counted_per_budget(metered):
    c = metered.test_client()
    key = ("spro_ratelimit_refusals_total", frozenset({("budget", "api")}))
    before = samples(c.get("/metrics").text).get(key, 0)
    env = {"REMOTE_ADDR": "198.51.100.21"}
    codes = [c.get("/api/v1/sites/nearest?commune=15014", environ_base=env).status_code for _ in range(8)]
    assert codes == [200] * 5 + [429] * 3
    assert samples(c.get("/metrics").text)[key] - before == 3


@pytest.mark.parametrize(
    "allowed, address, status",
    [
        ("127.0.0.0/8 ::1/128", "127.0.0.1", 200),
        ("127.0.0.0/8 ::1/128", "::1", 200),
        ("127.0.0.0/8 ::1/128", "203.0.113.50", 403),
        ("10.20.0.0/16", "10.20.3.4", 200),
        ("10.20.0.0/16", "::ffff:10.20.3.4", 200),
        ("10.20.0.0/16", "127.0.0.1", 403),
        ("", "127.0.0.1", 403),
    ],
)
def test_only_allowed_networks_read_metrics(tmp_path, allowed, address, status):
    c = make_app(tmp_path, METRICS_ALLOWED=allowed).test_client()
    r = c.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert r.status_code == status
    if status == 403:
        assert "spro_" not in r.text and "supervision" in r.text


def test_a_forwarded_address_counts_only_behind_trusted_proxies(tmp_path):
    spoof = {"REMOTE_ADDR": "203.0.113.60", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    direct = make_app(tmp_path / "a", TRUSTED_PROXIES=0).test_client()
    assert direct.get("/metrics", environ_base=spoof).status_code == 403
    proxied = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.60"}  # a client through nginx
    c = make_app(tmp_path / "b", TRUSTED_PROXIES=1).test_client()
    assert c.get("/metrics", environ_base=proxied).status_code == 403


def test_a_bad_network_stops_the_start(tmp_path):
    with pytest.raises(config.ConfigError, match="^METRICS_ALLOWED : réseau invalide"):
        make_app(tmp_path, METRICS_ALLOWED="10.0.0.0/33")


def test_reload_failures_are_counted_once_per_outage(tmp_path, monkeypatch):
    app = make_app(tmp_path, RELOAD_CHECK_SECONDS=0)
    c = app.test_client()
    key_failures = ("spro_reload_failures_total", frozenset())
    key_failing = ("spro_reload_failing", frozenset())
    c.get("/api/v1/sites/nearest?commune=15014")
    before = samples(c.get("/metrics").text)
    assert before[key_failing] == 0

    def broken():
        raise OSError("base injoignable")

    monkeypatch.setattr(app.extensions["spro"].store, "published", broken)
    for _ in range(3):
        assert c.get("/api/v1/sites/nearest?commune=15014").status_code == 200
    during = samples(c.get("/metrics").text)
    assert during[key_failing] == 1 and during[key_failures] - before[key_failures] == 1
    monkeypatch.undo()
    c.get("/api/v1/sites/nearest?commune=15014")
    assert samples(c.get("/metrics").text)[key_failing] == 0


@pytest.mark.slow
def test_gunicorn_workers_are_summed(tmp_path):
    """Two workers, 80 requests from 8 threads: /metrics adds up both workers' counts exactly."""
    with live.gunicorn(tmp_path, {"SPRO_RATELIMIT_ENABLED": "false"}, workers=2) as base:

        def get(url: str) -> str:
            with urllib.request.urlopen(base + url, timeout=10) as r:
                return r.read().decode()

        before = samples(get("/metrics"))
        lock = threading.Lock()
        seen = set()

        def one(i):
            get(f"/api/v1/sites/nearest?lat={45 + i / 100:.2f}&lon=4.8&limit=2")
            with lock:
                seen.add(i)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, range(80)))
        after = samples(get("/metrics"))
    assert len(seen) == 80
    route = "/api/v1/sites/nearest"
    assert requests_of(after, route) - requests_of(before, route) == 80
    pids = {dict(k[1]).get("pid") for k in after if k[0] == "spro_directory_version"}
    assert len(pids) == 2, f"both workers served and are reported: {pids}"
    assert re.fullmatch(r"\d+", next(iter(pids)))
