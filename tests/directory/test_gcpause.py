"""The cyclic garbage collector is paused while an import works, resumed while it waits for the BAN,
and always back on afterwards (unless it was off before)."""

from __future__ import annotations

import gc

import pytest

from finder.directory import gcpause, importer
from finder.storage.store import Store
from tests.conftest import DEMO
from tests.fake_ban import FakeBan
from tests.import_helpers import demo_rows, geo, settings, to_csv


@pytest.fixture(autouse=True)
def collector_on():
    assert gc.isenabled()
    yield
    gc.enable()


def test_a_pause_nests_and_ends_with_its_last_level():
    with gcpause.paused():
        assert not gc.isenabled()
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_after_an_error():
    with pytest.raises(ValueError), gcpause.paused():
        raise ValueError("stopped")
    assert gc.isenabled()


def test_a_collector_off_before_stays_off():
    gc.disable()
    with gcpause.paused():
        with gcpause.resumed():
            assert not gc.isenabled()
    assert not gc.isenabled()


def test_resumed_turns_it_on_for_the_block_only():
    with gcpause.resumed():
        assert gc.isenabled()  # no pause: nothing to do
    with gcpause.paused():
        with gcpause.resumed():
            assert gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "spro.sqlite3")
    s.initialise(DEMO)
    return s


def test_an_import_runs_paused_but_waits_for_the_ban_with_the_collector_on(store):
    rows = demo_rows(3)
    rows[1].update(latitude="", longitude="")  # to geocode
    seen = set()

    def progress(stage, done, total):
        seen.add((stage, gc.isenabled()))

    with FakeBan({}) as ban:
        result = importer.run(
            to_csv(rows), store, geo(), settings(ban_url=ban.url, ban_rate=1000), "test", progress=progress
        )
    assert result.version is not None
    assert {s for s, on in seen if not on} == {
        "Lecture du fichier",
        "Validation",
        "Comparaison avec la version publiée",
        "Enregistrement de la version",
    }
    assert {s for s, on in seen if on} == {"Géocodage"}
    assert gc.isenabled()


def test_the_collector_comes_back_after_a_failed_import(store):
    def progress(stage, done, total):
        if stage == "Validation":
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        importer.run(to_csv(demo_rows(3)), store, geo(), settings(), "test", progress=progress)
    assert gc.isenabled()
