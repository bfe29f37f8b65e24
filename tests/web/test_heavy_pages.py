"""The costly anonymous pages (coverage, planning, bilan) cannot starve citizen search.

Their own per-client budget (429), a bound on how many are computed at once across the
workers (a French 503 with Retry-After), exports kept per profile; and, against a real
gunicorn on loopback, a flood of distinct coverage profiles measured against the latency
of the citizens' nearest search (issue 15: its median went from 2 ms to 1,780 ms).
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from finder.storage.store import Store
from finder.web.slots import Slots
from tests.conftest import DEMO, make_app
from tests.live import gunicorn

CLIENT = {"REMOTE_ADDR": "198.51.100.20"}
CHEAP_HEAVY = ("/bilan/export.csv?tableau=reseaux", "/couverture", "/bilan?annee=2022")


def test_costly_pages_have_their_own_lower_budget(tmp_path):
    c = make_app(tmp_path, HEAVY_PAGES_PER_MINUTE=1, HEAVY_PAGES_BURST=3).test_client()
    assert [c.get(url, environ_base=CLIENT).status_code for url in CHEAP_HEAVY] == [200, 200, 200]
    refused = c.get("/couverture/planification", environ_base=CLIENT)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert refused.mimetype == "text/html" and "Trop de requêtes" in refused.text and "réessayez" in refused.text
    # the API and the citizen pages keep their own budget; another client is not concerned
    assert c.get("/api/v1/sites/nearest?commune=69123", environ_base=CLIENT).status_code == 200
    assert c.get("/", environ_base=CLIENT).status_code == 200
    assert c.get("/bilan", environ_base={"REMOTE_ADDR": "198.51.100.21"}).status_code == 200


def test_over_the_concurrency_bound_a_french_503_with_retry_after(tmp_path):
    app = make_app(tmp_path, HEAVY_PAGES_CONCURRENCY=1)
    c = app.test_client()
    slots = app.extensions["spro_http"].heavy_slots
    held = slots.acquire()  # another request is computing a map
    try:
        busy = c.get("/bilan")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
        assert "Service très sollicité" in busy.text and "reste disponible" in busy.text
        assert c.get("/?commune=69123").status_code == 200  # citizen search is never bounded
        assert c.get("/api/v1/sites/nearest?commune=69123").status_code == 200
    finally:
        slots.release(held)
    assert c.get("/bilan").status_code == 200
    assert slots.acquire() == 0, "each answered request gave its slot back"


def test_slots_are_shared_by_forked_workers_and_freed_when_one_dies():
    slots = Slots(1)
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # a worker forked after the slots were created, as gunicorn's preload does
        os.write(ready_w, b"1" if slots.acquire() == 0 else b"0")
        time.sleep(30)
        os._exit(0)
    try:
        assert os.read(ready_r, 1) == b"1"
        assert slots.acquire() is None, "the other worker holds the only slot"
    finally:
        os.kill(pid, signal.SIGKILL)  # killed mid-request (a worker timeout)
        os.waitpid(pid, 0)
    assert slots.acquire() == 0, "the kernel freed the slot of the dead worker"


def test_threads_of_one_worker_are_bounded_too():
    slots = Slots(2)
    taken = [slots.acquire() for _ in range(3)]
    assert taken == [0, 1, None]
    slots.release(1)
    assert slots.acquire() == 1


def test_exports_are_kept_per_version_and_profile(tmp_path):
    app = make_app(tmp_path)
    c = app.test_client()
    cache = app.extensions["spro_exports"]
    first = c.get("/couverture/export.csv?level=2&max_km=20&department=15")
    again = c.get("/couverture/export.csv?department=15&max_km=20.0&level=2")  # the same profile, written otherwise
    assert first.status_code == again.status_code == 200 and first.data == again.data
    assert len(cache._bodies) == 1
    c.get("/couverture/export.geojson?level=2&max_km=20&department=15")
    c.get("/couverture/export.csv?level=1&max_km=20&department=15")
    assert len(cache._bodies) == 3


@pytest.mark.parametrize(
    "url, environ, hsts",
    [
        ("https://localhost/", {}, True),
        ("https://localhost/api/v1/sites/nearest?commune=69123", {}, True),  # the fast path too
        ("https://localhost/admin/login", {}, True),
        ("http://localhost/", {}, False),
        ("http://localhost/", {"HTTP_X_FORWARDED_PROTO": "https"}, False),  # no trusted proxy: not believed
    ],
)
def test_hsts_on_https_answers(client, url, environ, hsts):
    r = client.get(url, environ_base=environ)
    assert r.status_code == 200
    assert (r.headers.get("Strict-Transport-Security") == "max-age=31536000") is hsts


def test_hsts_behind_a_trusted_proxy_and_when_disabled(tmp_path):
    proxied = make_app(tmp_path, TRUSTED_PROXIES=1).test_client()
    for url in ("/", "/api/v1/sites/nearest?commune=69123"):
        r = proxied.get(url, environ_base={"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "203.0.113.5"})
        assert r.headers["Strict-Transport-Security"] == "max-age=31536000", url
    off = make_app(tmp_path, HSTS_MAX_AGE=0).test_client()
    assert "Strict-Transport-Security" not in off.get("https://localhost/").headers


# -- the flood, against a real server --------------------------------------------------------------
FLOOD_THREADS = 8
FLOOD_SECONDS = 8.0
WORKERS = 4  # as scripts/run starts gunicorn on this 2-core machine (2 × cores); HEAVY_PAGES_CONCURRENCY 1


def _get(base: str, path: str) -> tuple[int, float, dict]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=60) as r:
            r.read()
            return r.status, time.perf_counter() - start, dict(r.headers)
    except urllib.error.HTTPError as err:
        err.read()
        return err.code, time.perf_counter() - start, dict(err.headers)


def _nearest_latencies(base: str, rng: random.Random, seconds: float, pause: float = 0.05) -> list[float]:
    """Citizens' searches one after another for ``seconds`` (3 at least), each from a new position (computed)."""
    out, end = [], time.monotonic() + seconds
    while time.monotonic() < end or len(out) < 3:
        lat, lon = rng.uniform(44.2, 46.3), rng.uniform(2.4, 7.0)
        status, elapsed, _ = _get(base, f"/api/v1/sites/nearest?lat={lat:.5f}&lon={lon:.5f}&limit=5")
        assert status == 200
        out.append(elapsed)
        time.sleep(pause)
    return out


def test_a_coverage_flood_leaves_citizen_search_its_capacity(tmp_path):
    store = Store(tmp_path / "spro.sqlite3")
    store.initialise(DEMO)
    settings = {"SPRO_DATABASE": str(store.path), "SPRO_HEAVY_PAGES_CONCURRENCY": "1"}  # loopback: no rate limit
    rng = random.Random(15)
    with gunicorn(tmp_path, settings, workers=WORKERS) as base:
        _nearest_latencies(base, rng, 1.0)  # warm-up
        quiet = _nearest_latencies(base, rng, 3.0)
        stop, statuses, retry = threading.Event(), Counter(), set()

        def flood(seed: int) -> None:
            own = random.Random(seed)
            while not stop.is_set():  # a new profile each time: nothing to reuse
                km = own.uniform(5, 60)
                status, _, headers = _get(base, f"/couverture?level=2&max_km={km:.3f}&age={own.randint(16, 70)}")
                statuses[status] += 1
                if status == 503:
                    retry.add(headers.get("Retry-After"))

        threads = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(FLOOD_THREADS)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.5)
            flooded = _nearest_latencies(base, rng, FLOOD_SECONDS)
        finally:
            stop.set()
            for t in threads:
                t.join(60)
    q50, f50 = statistics.median(quiet), statistics.median(flooded)
    f90 = statistics.quantiles(flooded, n=10)[-1]
    print(
        f"\n{WORKERS} workers: nearest median {q50 * 1e3:.1f} ms quiet, {f50 * 1e3:.1f} ms "
        f"(p90 {f90 * 1e3:.1f} ms) under {FLOOD_THREADS} connections looping on /couverture for "
        f"{FLOOD_SECONDS:g} s ({len(flooded)} searches); coverage answers {dict(statuses)}"
    )
    assert statuses[200] >= 1 and statuses[503] >= 1 and retry == {"5"}
    assert f50 < max(0.25, 10 * q50), "citizen search kept its capacity"
