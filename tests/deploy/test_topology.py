"""Two hosts behind nginx on one PostgreSQL and one Redis, all started here on loopback (tests/topology.py):
the deployment of deploy/ as a region runs it. Bounded loops; every process stopped by its pid."""

from __future__ import annotations

import io
import random
import re
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import pytest

from finder.config import ROOT
from finder.directory import export
from finder.service.accounts import Accounts
from finder.storage.store import Store
from tests import topology
from tests.deploy.conftest import need
from tests.import_helpers import geo
from tests.web.test_admin import PASSWORD, token
from tests.web.test_metrics import requests_of, samples

pytestmark = [pytest.mark.topology, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
NEAREST = "/api/v1/sites/nearest?commune=15014&limit=5"
BURST = 10
SETTINGS = {
    "SPRO_RATELIMIT_EXEMPT": "127.0.0.1",  # the load generators; the rate-limit tests use 127.0.0.2 and up
    "SPRO_RATELIMIT_BURST": str(BURST),
    "SPRO_RATELIMIT_PER_MINUTE": "1",
    "SPRO_RATELIMIT_STORAGE_RETRY_SECONDS": "0.5",
    "SPRO_RELOAD_CHECK_SECONDS": "0.5",
}


@pytest.fixture(scope="module")
def topo(pg_server, pg_demo_template):
    need("nginx", "redis-server", "openssl")
    with topology.Topology(pg_server, pg_demo_template, SETTINGS) as t:
        Accounts(Store(t.database_url)).add("alice", PASSWORD)
        yield t


class Front:
    """Sequential requests through nginx, each with the app server that answered (from nginx's JSON log)."""

    def __init__(self, topo, source: str = "127.0.0.1"):
        self.topo = topo
        self.session = topology.client(topo.nginx.ca, source)

    def get(self, path: str, **kwargs):
        before = len(self.topo.nginx.log_lines())
        r = self.session.get(self.topo.nginx.url + path, timeout=10, **kwargs)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            lines = self.topo.nginx.log_lines()
            if len(lines) > before:
                return r, lines[-1]["upstream"]
            time.sleep(0.01)
        raise AssertionError("nginx logged nothing for " + path)


class Browser:
    """Cookies kept by hand: the session cookie is Secure, and hosts A and B are reached directly over HTTP."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.session = topology.client()

    def request(self, method: str, path: str, **kwargs):
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}  # as nginx says it (TRUSTED_PROXIES=1)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        r = self.session.request(method, self.base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs)
        self.cookies.update({c.name: c.value for c in r.cookies})
        return r

    def login(self) -> str:
        page = self.request("GET", "/admin/login")
        form = {"username": "alice", "password": PASSWORD, "csrf_token": token(page.text)}
        assert self.request("POST", "/admin/login", data=form).status_code == 302
        return token(self.request("GET", "/admin/").text)


def hosts_of(topo) -> set[str]:
    return {h.address for h in topo.hosts}


def test_a_publish_through_host_a_is_served_through_nginx_by_both(topo):
    a = Browser(topo.hosts[0].url)
    csrf = a.login()
    store = Store(topo.database_url)
    data = export.to_bytes(store.load(), geo()).replace(b"Aurillac", b"Aurillac (15)")
    store.db.close()
    files = {"fichier": ("annuaire.csv", io.BytesIO(data), "text/csv")}
    queued = a.request("POST", "/admin/import", data={"csrf_token": csrf}, files=files)
    assert queued.status_code == 303
    job = urlsplit(queued.headers["Location"]).path
    deadline = time.monotonic() + 60
    while a.request("GET", job).status_code != 303 and time.monotonic() < deadline:  # 303: done, to its report
        time.sleep(0.2)
    published = a.request("POST", "/admin/versions/2/publier", data={"csrf_token": csrf, "action": "publish"})
    assert published.status_code == 303
    front = Front(topo)
    served: dict[str, set[int]] = {}
    deadline = time.monotonic() + 10  # RELOAD_CHECK_SECONDS is 0.5
    while time.monotonic() < deadline:
        r, upstream = front.get("/healthz")
        served.setdefault(upstream, set()).add(r.json()["dataset"]["version"])
        if set(served) == hosts_of(topo) and all(2 in v for v in served.values()):
            break
        time.sleep(0.05)
    assert set(served) == hosts_of(topo) and all(2 in v for v in served.values()), served
    # and the new content from every worker of both hosts: each builds the new version in the background
    # (a worker not yet swapped answers from version 1, whole), so the last answers all come from version 2
    recent: list[tuple[str, bool]] = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        r, upstream = front.get(NEAREST)
        assert r.status_code == 200
        recent = (recent + [(upstream, "Aurillac (15)" in r.text)])[-12:]
        if len(recent) == 12 and all(new for _, new in recent) and {u for u, _ in recent} == hosts_of(topo):
            break
        time.sleep(0.05)
    assert all(new for _, new in recent) and {u for u, _ in recent} == hosts_of(topo), recent


def test_etags_are_identical_and_304_whichever_host(topo):
    front = Front(topo)
    tags: dict[str, str] = {}
    for _ in range(4):
        r, upstream = front.get("/api/v1/sites?level=2")
        assert r.status_code == 200
        tags[upstream] = r.headers["ETag"]
    assert set(tags) == hosts_of(topo) and len(set(tags.values())) == 1
    etag = next(iter(tags.values()))
    answered = set()
    for _ in range(4):
        r, upstream = front.get("/api/v1/sites?level=2", headers={"If-None-Match": etag})
        assert r.status_code == 304 and r.headers["ETag"] == etag
        answered.add(upstream)
    assert answered == hosts_of(topo)


def test_the_request_after_the_burst_gets_429_whichever_host_answers(topo):
    front = Front(topo, source="127.0.0.2")
    statuses = [front.get(NEAREST)[0].status_code for _ in range(BURST)]
    assert statuses == [200] * BURST  # the burst, shared by A and B
    refused = [front.get(path) for path in [NEAREST, "/api/v1/vocabularies"] * 2]
    assert [r.status_code for r, _ in refused] == [429] * 4
    assert {upstream for _, upstream in refused} == hosts_of(topo)
    assert all(int(r.headers["Retry-After"]) >= 1 for r, _ in refused)
    other = Front(topo, source="127.0.0.3")
    assert other.get(NEAREST)[0].status_code == 200  # another client keeps its own budget


def test_a_session_from_a_works_on_b(topo):
    on_a = Browser(topo.hosts[0].url)
    on_a.login()
    on_b = Browser(topo.hosts[1].url)
    on_b.cookies = dict(on_a.cookies)
    page = on_b.request("GET", "/admin/")
    assert page.status_code == 200
    assert on_b.request("POST", "/admin/logout", data={"csrf_token": token(page.text)}).status_code == 302
    assert on_a.request("GET", "/admin/").status_code == 302, "logged out on B: the session ends on A too"


def test_metrics_of_a_host_add_up_its_workers(topo):
    a = topo.hosts[0]
    s = topology.client()
    before = samples(s.get(a.url + "/metrics", timeout=10).text)
    threads = [threading.Thread(target=lambda: [s.get(a.url + NEAREST, timeout=10) for _ in range(15)]) for _ in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    after = samples(s.get(a.url + "/metrics", timeout=10).text)
    assert requests_of(after, "/api/v1/sites/nearest") - requests_of(before, "/api/v1/sites/nearest") == 60
    versions = {dict(k[1])["pid"]: v for k, v in after.items() if k[0] == "spro_directory_version"}
    assert len(versions) == 2 and set(versions.values()) == {2.0}  # both workers, version 2 (the publish above)
    front = Front(topo)
    assert front.get("/metrics")[0].status_code == 404  # not through nginx


def load(topo, seconds: float, threads: int = 6) -> tuple[list, list, list]:
    """GETs through nginx for ``seconds`` (nearest with random origins, healthz, vocabularies) from threads
    started here: (statuses, errors, threads), the lists filled as the threads run."""
    statuses, errors = [], []
    stop = time.monotonic() + seconds

    def run(seed):
        rng = random.Random(seed)
        session = topology.client(topo.nginx.ca)
        for _ in range(2000):  # bounded in count too
            if time.monotonic() >= stop:
                return
            path = rng.choice(
                [f"/api/v1/sites/nearest?lat={rng.uniform(44.2, 46.5):.5f}&lon={rng.uniform(2.6, 6.9):.5f}&limit=3",
                 "/healthz", "/api/v1/vocabularies", NEAREST]
            )  # fmt: skip
            try:
                statuses.append(session.get(topo.nginx.url + path, timeout=15).status_code)
            except Exception as err:
                errors.append(repr(err))

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    return statuses, errors, workers


def finish(workers) -> None:
    for w in workers:
        w.join(60)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "crashed"])
def test_stopping_one_instance_under_load_loses_no_get(topo, how):
    a = topo.hosts[0]
    statuses, errors, workers = load(topo, seconds=4)
    time.sleep(1.2)
    before_stop = len(statuses)
    a.stop(how)
    finish(workers)
    after_stop = len(statuses) - before_stop
    topo.restart(a)
    assert errors == [] and set(statuses) == {200}, (errors[:3], sorted(set(statuses)))
    assert before_stop > 20 and after_stop > 20, (before_stop, after_stop)
    lines = topo.nginx.log_lines()
    retried = [line for line in lines if "," in line["upstream"]]  # "A, B": nginx went on to the other one
    assert all(line["status"] == 200 for line in retried)


def test_stopping_postgresql_makes_readyz_503_while_searches_answer_then_recovers(topo):
    front = Front(topo)
    cached = front.get(NEAREST)[0].json()
    topo.pg.stop()
    try:
        seen = {}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (set(seen) != hosts_of(topo) or set(seen.values()) != {503}):
            r, upstream = front.get("/readyz")
            seen[upstream] = r.status_code
        assert set(seen) == hosts_of(topo) and set(seen.values()) == {503}, seen
        assert r.json()["database"] == "unreachable"
        for _ in range(4):
            r, _ = front.get(NEAREST)
            assert r.status_code == 200 and r.json() == cached
            assert front.get("/api/v1/sites/nearest?lat=45.2&lon=5.7&limit=3")[0].status_code == 200
    finally:
        topo.pg.resume()
    deadline = time.monotonic() + 20
    ready = {}
    while time.monotonic() < deadline and (set(ready) != hosts_of(topo) or set(ready.values()) != {200}):
        r, upstream = front.get("/readyz")
        ready[upstream] = r.status_code
        time.sleep(0.05)
    assert set(ready) == hosts_of(topo) and set(ready.values()) == {200}, ready


def cli(url: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "finder.cli.main", "--database", url, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_backup_taken_under_load_restores_to_the_same_info(topo, tmp_path):
    dump = tmp_path / "spro.dump"
    statuses, errors, workers = load(topo, seconds=4, threads=4)
    embed = topology.client(topo.nginx.ca)  # widget loads: writes during the backup
    for i in range(10):
        embed.get(topo.nginx.url + "/embed?commune=15014", headers={"Referer": f"https://site{i}.example/"}, timeout=10)
    cli(topo.database_url, "backup", str(dump))
    finish(workers)
    assert errors == [] and set(statuses) == {200}
    target = topo.pg.create_database()
    try:
        cli(target, "restore", str(dump))
        for command in ("info", "versions"):
            assert cli(target, command) == cli(topo.database_url, command)
        assert re.match(r"Version 2 — \d+ structures, \d+ lieux", cli(target, "info"))
    finally:
        topo.pg.drop_database(target)


def test_redis_down_the_limit_degrades_open_and_limits_again_when_it_is_back(topo):
    front = Front(topo, source="127.0.0.4")
    assert [front.get(NEAREST)[0].status_code for _ in range(BURST + 1)][-2:] == [200, 429]
    s = topology.client()
    errors_before = {h.address: samples(s.get(h.url + "/metrics").text) for h in topo.hosts}
    topo.redis.stop()
    try:
        answered = [front.get(NEAREST) for _ in range(BURST * 2)]
        assert {r.status_code for r, _ in answered} == {200}, "served while Redis is down"
        assert {upstream for _, upstream in answered} == hosts_of(topo)
        for h in topo.hosts:
            after = samples(s.get(h.url + "/metrics").text)
            key = ("spro_ratelimit_storage_errors_total", frozenset())
            assert after[key] > errors_before[h.address].get(key, 0), f"{h.name} counted the Redis failures"
        stderr = "".join((h.folder / "stderr.log").read_text() for h in topo.hosts)
        assert "Redis injoignable" in stderr
    finally:
        topo.redis.start()  # the same port, empty
    statuses = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and 429 not in statuses:
        statuses.append(front.get(NEAREST)[0].status_code)
        time.sleep(0.05)
    assert 429 in statuses and statuses.count(200) >= BURST, statuses  # a fresh burst, then limited again
