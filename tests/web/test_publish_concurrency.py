"""Publishing and rolling back while gunicorn workers answer: zero errors, each answer from exactly one version."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import urllib.request

import pytest

from finder.directory import versions
from finder.domain.criteria import Criteria
from finder.domain.engine import Engine
from finder.storage.store import Store
from tests.conftest import DEMO
from tests.import_helpers import geo
from tests.live import gunicorn

NEAREST = "/api/v1/sites/nearest?commune=01053&limit=10"
CYCLE = [2, 3, 1, 3, 2, 1, 2]  # versions published one after another (each switch logged)


def make_versions(store: Store) -> dict[int, tuple[int, list[str]]]:
    """Versions 2 (ids renamed) and 3 (every other site); per version: site count and nearest ids."""
    d = store.load()
    renamed = [dataclasses.replace(s, id=s.id + "-v2") for s in d.sites]
    half = d.sites[::2]
    structures = list(d.structures.values())
    assert store.add_version(structures, renamed, False, "v2", "test") == 2
    assert store.add_version(structures, half, False, "v3", "test") == 3
    expected = {}
    for v in (1, 2, 3):
        engine = Engine(store.load(v), geo())
        origin = engine.origin_from_commune("01053")
        expected[v] = (len(engine.sites), [r.site.id for r in engine.nearest(origin, Criteria(), 10)])
    assert len({tuple(ids) for _, ids in expected.values()}) == 3
    return expected


@pytest.fixture()
def server(tmp_path):
    store = Store(tmp_path / "spro.sqlite3")
    store.initialise(DEMO)
    expected = make_versions(store)
    settings = {
        "SPRO_DATABASE": str(store.path),
        "SPRO_RELOAD_CHECK_SECONDS": "0.05",
        "SPRO_RATELIMIT_ENABLED": "false",  # the API's per-client rate limit would answer 429 to this test
    }
    with gunicorn(tmp_path, settings) as base:
        yield base, store, expected


def get(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=10) as r:
        assert r.status == 200
        return json.loads(r.read())


class Reader(threading.Thread):
    def __init__(self, base: str, expected: dict, stop: threading.Event):
        super().__init__(daemon=True)
        self.base, self.expected, self.stop = base, expected, stop
        self.errors: list[str] = []
        self.seen: list[int] = []

    def run(self):
        while not self.stop.is_set():
            try:
                self.check_nearest()
                self.check_health()
            except Exception as err:  # every failure is a test failure, reported below
                self.errors.append(repr(err))

    def check_nearest(self):
        body = get(self.base, NEAREST)
        version = body["dataset"]["version"]
        sites, ids = self.expected[version]
        got = [f["id"] for f in body["features"]]
        if got != ids or body["dataset"]["sites"] != sites:
            self.errors.append(f"version {version}: answer mixes versions ({got[:3]}…)")
        self.seen.append(version)

    def check_health(self):
        dataset = get(self.base, "/healthz")["dataset"]
        if dataset["sites"] != self.expected[dataset["version"]][0]:
            self.errors.append(f"healthz: version {dataset['version']} with {dataset['sites']} sites")


def test_queries_during_publish_and_rollback_never_fail_nor_mix(server):
    base, store, expected = server
    stop = threading.Event()
    readers = [Reader(base, expected, stop) for _ in range(3)]
    for r in readers:
        r.start()
    try:
        for version in CYCLE:
            time.sleep(0.35)
            action = "rollback" if version < store.published_version() else "publish"
            versions.publish(store, version, "test", action=action)
        time.sleep(0.35)
    finally:
        stop.set()
        for r in readers:
            r.join(timeout=15)
    errors = [e for r in readers for e in r.errors]
    seen = [v for r in readers for v in r.seen]
    print(
        f"\n{len(seen)} nearest answers (+ as many /healthz), versions seen {sorted(set(seen))}, errors {len(errors)}"
    )
    assert errors == []
    assert len(seen) > 50 and set(seen) == {1, 2, 3}, "the workers picked up each version without a restart"
    deadline = time.monotonic() + 20  # each worker builds the last version in the background
    while get(base, "/healthz")["dataset"]["version"] != CYCLE[-1] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert get(base, "/healthz")["dataset"]["version"] == CYCLE[-1]
    actions = [e["action"] for e in store.publish_log()]
    assert actions.count("rollback") >= 2 and len(actions) == len(CYCLE) + 1
