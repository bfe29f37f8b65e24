"""The rate limit's two storages: the same token-bucket semantics in shared memory and in Redis; Redis shared
by hosts, atomic, short timeouts, open while Redis is down and limiting again when it is back."""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest
import redis

from finder import config
from finder.web import metrics
from finder.web.ratelimit import RateLimiter
from finder.web.ratelimit_redis import PREFIX, RedisBuckets, RedisRateLimiter
from tests.conftest import make_app

pytestmark = pytest.mark.redis
STORAGES = ["memory", "redis"]
NEAREST = "/api/v1/sites/nearest?commune=15014&limit=3"


def value(sample: str, labels: dict | None = None) -> float:
    return metrics.REGISTRY.get_sample_value(sample, labels or {}) or 0.0


@pytest.fixture(params=STORAGES)
def storage(request):
    """A maker of one budget's limiter, in shared memory or in the session's Redis."""
    if request.param == "memory":
        return lambda per_minute, burst: RateLimiter(per_minute, burst, slots=4096)
    buckets = RedisBuckets(request.getfixturevalue("redis_url"), timeout=0.5, retry_seconds=1.0)
    return lambda per_minute, burst: RedisRateLimiter(buckets, "api", per_minute, burst)


def test_burst_then_wait(storage):
    rl = storage(per_minute=60, burst=3)
    assert [rl.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert rl.hit("a") == pytest.approx(1.0, abs=0.05)  # one token a second


def test_tokens_come_back_at_the_rate_and_never_above_the_burst(storage):
    rl = storage(per_minute=6000, burst=2)  # 100 tokens a second
    assert [rl.hit("b"), rl.hit("b")] == [0.0, 0.0]
    assert 0 < rl.hit("b") <= 0.011
    time.sleep(0.05)  # 5 tokens' worth, capped at the burst of 2
    assert [rl.hit("b"), rl.hit("b")] == [0.0, 0.0]
    assert rl.hit("b") > 0


def test_clients_are_independent(storage):
    rl = storage(per_minute=1, burst=1)
    assert rl.hit("198.51.100.1") == 0.0
    assert rl.hit("198.51.100.1") > 0
    assert rl.hit("198.51.100.2") == 0.0


@pytest.mark.parametrize("storage_url", STORAGES)
def test_the_policy_is_the_same_whatever_the_storage(tmp_path, request, storage_url):
    """429 + Retry-After on /api/ for the fast path and Flask alike, IPv6 by /64, pages and exemptions apart."""
    settings = {"RATELIMIT_PER_MINUTE": 6, "RATELIMIT_BURST": 3, "HEAVY_PAGES_BURST": 1, "HEAVY_PAGES_PER_MINUTE": 1}
    if storage_url == "redis":
        settings["RATELIMIT_STORAGE_URL"] = request.getfixturevalue("redis_url")
    c = make_app(tmp_path, **settings).test_client()
    v6 = [{"REMOTE_ADDR": f"2001:db8:7:7::{i}"} for i in range(1, 5)]
    assert [c.get(NEAREST, environ_base=env).status_code for env in v6[:3]] == [200, 200, 200]
    refused = c.get("/api/v1/vocabularies", environ_base=v6[3])
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "10"
    assert c.get(NEAREST, environ_base=v6[3]).status_code == 429  # fast path: refused, Flask answers
    assert c.get(NEAREST, environ_base={"REMOTE_ADDR": "2001:db8:7:8::1"}).status_code == 200
    assert c.get("/", environ_base=v6[0]).status_code == 200  # pages are not limited
    assert c.get(NEAREST).status_code == 200  # loopback is exempt
    heavy = {"REMOTE_ADDR": "198.51.100.40"}
    assert c.get("/bilan", environ_base=heavy).status_code == 200
    assert c.get("/bilan", environ_base=heavy).status_code == 429


def hosts(tmp_path, url: str, **settings):
    """Two apps ("hosts") keeping their buckets in one Redis."""
    apps = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        apps.append(make_app(folder, RATELIMIT_STORAGE_URL=url, **settings))
    return apps


def test_hosts_share_one_budget_through_redis(tmp_path, redis_url):
    a, b = hosts(tmp_path, redis_url, RATELIMIT_PER_MINUTE=1, RATELIMIT_BURST=4)
    env = {"REMOTE_ADDR": "203.0.113.5"}
    codes = [app.test_client().get(NEAREST, environ_base=env).status_code for app in (a, b, a, b, a, b)]
    assert codes == [200, 200, 200, 200, 429, 429]
    refused = value("spro_ratelimit_refusals_total", {"budget": "api"})
    assert b.test_client().get("/api/v1/vocabularies", environ_base=env).status_code == 429
    assert value("spro_ratelimit_refusals_total", {"budget": "api"}) == refused + 1


def test_the_memory_table_is_per_server(tmp_path):
    """Why Redis: without it each host lets a client through its whole burst."""
    folders = [tmp_path / "a", tmp_path / "b"]
    for f in folders:
        f.mkdir()
    a, b = (make_app(f, RATELIMIT_PER_MINUTE=1, RATELIMIT_BURST=2) for f in folders)
    env = {"REMOTE_ADDR": "203.0.113.6"}
    codes = [app.test_client().get(NEAREST, environ_base=env).status_code for app in (a, a, b, b)]
    assert codes == [200, 200, 200, 200]


def test_widget_counts_share_their_budget_through_redis(tmp_path, redis_url):
    a, b = hosts(tmp_path, redis_url, WIDGET_COUNT_PER_MINUTE=1, WIDGET_COUNT_BURST=2)
    env = {"REMOTE_ADDR": "203.0.113.7"}
    headers = {"Referer": "https://partenaire.example/page"}
    for app in (a, b, a, b):
        assert app.test_client().get("/embed?commune=15014", environ_base=env, headers=headers).status_code == 200
    client = redis.Redis.from_url(redis_url)
    assert client.exists(f"{PREFIX}widget:203.0.113.7")
    from finder.storage import widget_loads

    counted = sum(row["count"] for app in (a, b) for row in widget_loads.counts(app.extensions["spro"].store))
    assert counted == 2  # four loads, two counted: one budget for both hosts


def test_no_token_is_spent_twice_under_concurrent_hosts(redis_url):
    """Eight connections (as eight workers of several hosts) race for one client's 50 tokens."""
    served = []

    def worker():
        rl = RedisRateLimiter(RedisBuckets(redis_url, timeout=1.0, retry_seconds=1.0), "api", 1, 50)
        served.append(sum(rl.hit("198.51.100.77") == 0.0 for _ in range(40)))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(served) == 50  # 320 attempts; the refill during the run (1 a minute) gives none


def test_one_atomic_evalsha_per_request_and_entries_expire_when_full_again(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.config_resetstat()
    rl = RedisRateLimiter(RedisBuckets(redis_url, timeout=0.5, retry_seconds=1.0), "api", 120, 240)
    for _ in range(10):
        rl.hit("198.51.100.78")
    stats = client.info("commandstats")
    assert stats["cmdstat_evalsha"]["calls"] in (10, 11)  # 11 when the script had to be loaded first
    assert "cmdstat_eval" not in stats  # the script by its SHA (its own HMGET, HSET, PEXPIRE are counted too)
    ttl = client.pttl(f"{PREFIX}api:198.51.100.78")
    assert 0 < ttl <= 10 / 2 * 1000 + 1000  # 10 tokens to win back at 2 a second, plus a second


def test_redis_down_degrades_open_then_limits_again(tmp_path, redis_server, redis_url, caplog):
    caplog.set_level(logging.WARNING, logger="finder.web.ratelimit_redis")
    app = make_app(
        tmp_path,
        RATELIMIT_STORAGE_URL=redis_url,
        RATELIMIT_PER_MINUTE=1,
        RATELIMIT_BURST=2,
        RATELIMIT_STORAGE_RETRY_SECONDS=0.3,
    )
    c = app.test_client()
    env = {"REMOTE_ADDR": "203.0.113.8"}
    assert [c.get(NEAREST, environ_base=env).status_code for _ in range(3)] == [200, 200, 429]
    errors = value("spro_ratelimit_storage_errors_total")
    unchecked = value("spro_ratelimit_unchecked_total", {"budget": "api"})
    redis_server.stop()
    try:
        codes = [c.get(NEAREST, environ_base=env).status_code for _ in range(20)]
        assert codes == [200] * 20  # served, unchecked
        assert value("spro_ratelimit_storage_errors_total") - errors == 1  # then paused: no call for 0.3 s
        assert value("spro_ratelimit_unchecked_total", {"budget": "api"}) - unchecked == 20
        warnings = [r.getMessage() for r in caplog.records if "Redis injoignable" in r.getMessage()]
        assert len(warnings) == 1
        time.sleep(0.35)
        assert c.get(NEAREST, environ_base=env).status_code == 200
        assert value("spro_ratelimit_storage_errors_total") - errors == 2  # tried again, still down
    finally:
        redis_server.start()  # empty, as after a restart without persistence; the script is loaded again
    deadline = time.monotonic() + 5
    codes = []
    while time.monotonic() < deadline and 429 not in codes:
        codes.append(c.get(NEAREST, environ_base=env).status_code)
        time.sleep(0.02)
    assert codes[-3:] == [200, 200, 429], "a fresh bucket of 2, then limited again"
    assert any("Redis répond de nouveau" in r.getMessage() for r in caplog.records)


def test_a_redis_that_does_not_answer_costs_one_short_timeout(tmp_path):
    """A server that accepts connections and never replies: each worker waits the timeout once, then
    serves without asking until the retry delay is over."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)  # connections complete in the backlog, nothing is ever read nor answered
    try:
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        buckets = RedisBuckets(url, timeout=0.1, retry_seconds=30)
        rl = RedisRateLimiter(buckets, "api", 1, 1)
        start = time.perf_counter()
        assert rl.hit("198.51.100.79") == 0.0
        first = time.perf_counter() - start
        start = time.perf_counter()
        assert [rl.hit("198.51.100.79") for _ in range(50)] == [0.0] * 50
        rest = time.perf_counter() - start
    finally:
        silent.close()
    assert 0.1 <= first < 0.5 and rest < 0.05


def test_an_app_starts_while_redis_is_down(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    url = f"redis://127.0.0.1:{port.getsockname()[1]}/0"
    port.close()  # nothing listens there
    c = make_app(tmp_path, RATELIMIT_STORAGE_URL=url, RATELIMIT_BURST=1).test_client()
    assert any("Redis ne répond pas au démarrage" in r.getMessage() for r in caplog.records)
    env = {"REMOTE_ADDR": "203.0.113.9"}
    assert [c.get(NEAREST, environ_base=env).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize(
    "key, bad, message",
    [
        ("RATELIMIT_STORAGE_URL", "memcached://h:11211", "RATELIMIT_STORAGE_URL : « memcached://h:11211 » n'est pas"),
        ("RATELIMIT_STORAGE_TIMEOUT", 5, "RATELIMIT_STORAGE_TIMEOUT doit être compris entre 0 et 2"),
        ("RATELIMIT_STORAGE_TIMEOUT", "vite", "RATELIMIT_STORAGE_TIMEOUT doit être un nombre"),
        ("RATELIMIT_STORAGE_RETRY_SECONDS", 0, "RATELIMIT_STORAGE_RETRY_SECONDS doit être compris"),
    ],
)
def test_bad_storage_settings_are_one_french_line(tmp_path, key, bad, message):
    with pytest.raises(config.ConfigError) as err:
        make_app(tmp_path, **{key: bad})
    assert str(err.value).startswith(message) and "\n" not in str(err.value)
