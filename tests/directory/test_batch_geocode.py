"""Geocoding of rows without coordinates: BAN (fake, on loopback) with cache and rate limit, else the commune."""

from __future__ import annotations

import pytest

from finder.directory import batch_geocode, importer
from finder.directory.batch_geocode import Throttle
from finder.storage.store import Store
from tests.fake_ban import FakeBan, feature
from tests.import_helpers import demo_rows, geo, settings, to_csv

# lieu-0001 is 120 rue de la Liberté, Bourg-en-Bresse (01053); lieu-0002 44 quai des Célestins, 01351.
NEAR_BOURG = feature(46.2051, 5.2255, "01053")


def rows_without_coordinates(n: int = 3) -> list[dict]:
    rows = demo_rows(n)
    for r in rows:
        r["latitude"] = r["longitude"] = ""
    return rows


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "spro.sqlite3")
    s.migrate()
    return s


def check(store, rows, **kw):
    return importer.check(to_csv(rows), store, geo(), settings(**kw))


def test_without_ban_rows_get_the_commune_reference_point_flagged(store):
    result = check(store, rows_without_coordinates())
    assert result.report.ok
    first = result.directory.sites[0]
    commune = geo().communes[first.commune]
    assert (first.lat, first.lon, first.position_source) == (commune.ref_lat, commune.ref_lon, "commune")
    warnings = [i for i in result.report.warnings if i.code == "approximate_position"]
    assert [i.line for i in warnings] == [2, 3, 4] and "n'est pas configurée" in warnings[0].message
    assert result.report.facts["geocoded_commune"] == 3


def test_ban_positions_are_used_and_cached(store):
    with FakeBan({"liberté": NEAR_BOURG}) as ban:
        result = check(store, rows_without_coordinates(), ban_url=ban.url, ban_rate=1000)
        assert result.report.ok
        first = result.directory.sites[0]
        assert (first.lat, first.lon, first.position_source) == (46.2051, 5.2255, "ban")
        assert [s.position_source for s in result.directory.sites] == ["ban", "commune", "commune"]
        assert len(ban.requests) == 3
        # The pool's 4 threads send in any order: compare what was asked, not in which order.
        bourg = [r for r in ban.requests if r["postcode"] == "01000"]
        assert len(bourg) == 1 and "Bourg-en-Bresse" in bourg[0]["q"]
        assert len({(r["postcode"], r["q"]) for r in ban.requests}) == 3
        again = check(store, rows_without_coordinates(), ban_url=ban.url, ban_rate=1000)
        assert len(ban.requests) == 3, "a re-import must not ask the BAN again"
        assert again.report.facts["ban_cached"] == 3 and again.directory.sites == result.directory.sites


@pytest.mark.parametrize(
    "answer,reason",
    [
        (feature(45.767, 4.8357, "69383"), "autre commune"),
        (feature(46.2051, 5.2255, "01053", score=0.3), "imprécise"),
        (feature(46.2051, 5.2255, "01053", kind="municipality"), "imprécise"),
        (feature(45.767, 4.8357, "01053"), "rejetée"),  # says Bourg, points at Lyon
    ],
    ids=["other commune", "low score", "municipality", "outside the commune"],
)
def test_doubtful_ban_answers_fall_back_to_the_commune(store, answer, reason):
    with FakeBan({"liberté": answer}) as ban:
        result = check(store, rows_without_coordinates(1), ban_url=ban.url, ban_rate=1000)
    assert result.directory.sites[0].position_source == "commune"
    assert reason in result.report.warnings[0].message


def test_unavailable_ban_falls_back_and_is_not_cached(store):
    with FakeBan({"liberté": NEAR_BOURG}) as ban:
        ban.fail = 100
        result = check(store, rows_without_coordinates(2), ban_url=ban.url, ban_rate=1000)
        assert result.report.ok and {s.position_source for s in result.directory.sites} == {"commune"}
        assert "n'a pas répondu" in result.report.warnings[0].message
        ban.fail = 0
        result = check(store, rows_without_coordinates(2), ban_url=ban.url, ban_rate=1000)
        assert result.directory.sites[0].position_source == "ban"


def test_a_transient_429_is_retried(store):
    with FakeBan({"liberté": NEAR_BOURG}) as ban:
        ban.fail, ban.fail_status = 1, 429
        client = batch_geocode.BanClient(ban.url, batch_geocode.urllib_fetch(2.0), sleep=lambda s: None)
        q = batch_geocode.Query("120 rue de la Liberté", "01000", "01053", "Bourg-en-Bresse")
        assert client.search(q).citycode == "01053"
        assert len(ban.requests) == 2


def test_time_budget_stops_asking(store):
    with FakeBan({"liberté": NEAR_BOURG}) as ban:
        result = check(store, rows_without_coordinates(3), ban_url=ban.url, ban_rate=1000, ban_budget_seconds=1e-9)
    assert not ban.requests
    assert "interrompu" in result.report.warnings[0].message


def test_rows_with_errors_are_not_geocoded(store):
    rows = rows_without_coordinates(2)
    rows[1]["telephone"] = "faux"
    with FakeBan({"liberté": NEAR_BOURG}) as ban:
        result = check(store, rows, ban_url=ban.url)
    assert not result.report.ok and not ban.requests
    assert result.report.facts["geocoding_deferred"] == 2


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_throttle_spaces_calls():
    clock = FakeClock()
    throttle = Throttle(4, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        throttle.wait()
    assert clock.slept == [0.25, 0.25, 0.25, 0.25]
    assert clock.now == 1.0


def test_progress_is_reported(store):
    seen = []
    with FakeBan({}) as ban:
        importer.check(
            to_csv(rows_without_coordinates(3)),
            store,
            geo(),
            settings(ban_url=ban.url, ban_rate=1000),
            progress=lambda label, done, total: seen.append((label, done, total)),
        )
    assert ("Validation", 3, 3) in seen and seen[-1] == ("Géocodage", 3, 3)
