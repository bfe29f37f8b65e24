"""A newly published version is built in a background thread; requests never wait for it.

The build is held by a test hook (``State.build_hook``) until the test releases it: meanwhile
every answer comes from the old version, at once; after the swap, from the new one.
"""

import threading
import time

import pytest
from werkzeug.test import Client

from finder.service import catalog_cache
from tests.conftest import make_app

HOLD_SECONDS = 20.0  # the hook's own bound: a request that waited for the build would take this long


@pytest.fixture()
def held(tmp_path):
    app = make_app(tmp_path, RELOAD_IN_BACKGROUND=True, RELOAD_CHECK_SECONDS=0, ANSWER_CACHE_SIZE=0)
    st = app.extensions["spro"]
    started, release = threading.Event(), threading.Event()

    def hook(version):
        started.set()
        release.wait(HOLD_SECONDS)

    st.build_hook = hook
    yield app, st, started, release
    release.set()
    st.wait_reload()


def _publish_smaller(st) -> int:
    d = st.engine.directory
    version = st.store.add_version(list(d.structures.values()), d.sites[:7], False, "test", "test")
    st.store.publish(version, "test")
    return version


def test_requests_during_a_build_are_served_by_the_old_version_without_waiting(held):
    app, st, started, release = held
    flask, fast = app.test_client(), Client(app.wsgi_app)  # the fast path too
    old = flask.get("/healthz").get_json()["dataset"]
    new_version = _publish_smaller(st)
    flask.get("/healthz")  # a due check starts the build in the background
    assert started.wait(10), "the build did not start"
    latencies = []
    for _ in range(20):
        t0 = time.perf_counter()
        health = flask.get("/healthz").get_json()["dataset"]
        nearest = fast.get("/api/v1/sites/nearest?commune=15014&limit=50").get_json()["dataset"]
        latencies.append(time.perf_counter() - t0)
        assert health == old and nearest == old  # one version, the old one, whole
    assert max(latencies) < 2.0, latencies  # nobody waited for the held build (HOLD_SECONDS)
    assert not release.is_set()
    release.set()
    st.wait_reload()
    health = flask.get("/healthz").get_json()["dataset"]
    assert health["version"] == new_version and health["sites"] == 7
    assert fast.get("/api/v1/sites/nearest?commune=15014&limit=50").get_json()["dataset"]["sites"] == 7


def test_one_build_at_a_time(held):
    app, st, started, release = held
    client = app.test_client()
    _publish_smaller(st)
    client.get("/healthz")
    assert started.wait(10)
    worker = st._worker
    for _ in range(5):
        client.get("/healthz")
    assert st._worker is worker  # checks due meanwhile start no second thread
    release.set()
    st.wait_reload()


@pytest.mark.parametrize("where", ["in memory", "in a separate process"])
def test_a_failed_background_build_keeps_the_version_and_is_reported(tmp_path, monkeypatch, where):
    cache = {"CACHE_DIR": "off"} if where == "in memory" else {"BUILD_APART_MIN_SITES": 0}
    app = make_app(tmp_path, RELOAD_IN_BACKGROUND=True, RELOAD_CHECK_SECONDS=0, **cache)
    st = app.extensions["spro"]
    client = app.test_client()
    old = client.get("/healthz").get_json()["dataset"]["version"]
    _publish_smaller(st)

    def broken(version=None):
        raise OSError("base injoignable")

    if where == "in memory":
        monkeypatch.setattr(st.store, "load_rows", broken)
    else:  # the build process finds no geography there
        monkeypatch.setitem(st.source, "geodata_dir", str(tmp_path / "nowhere"))
    client.get("/healthz")
    st.wait_reload()
    ready = client.get("/readyz")
    st.wait_reload()
    assert ready.status_code == 503 and ready.get_json()["reload"] == "failed"
    assert client.get("/healthz").get_json()["dataset"]["version"] == old


def test_a_large_publish_is_built_by_a_separate_process_then_read_from_its_file(tmp_path, monkeypatch):
    app = make_app(tmp_path, RELOAD_IN_BACKGROUND=True, RELOAD_CHECK_SECONDS=0, BUILD_APART_MIN_SITES=0)
    st = app.extensions["spro"]
    client = app.test_client()
    client.get("/healthz")
    new_version = _publish_smaller(st)

    def not_here(*args, **kwargs):
        raise AssertionError("built in the serving process")

    monkeypatch.setattr(catalog_cache, "fresh", not_here)
    client.get("/healthz")  # the due check starts the build
    st.wait_reload(120)
    assert st.reload_error is None
    health = client.get("/healthz").get_json()["dataset"]
    assert health["version"] == new_version and health["sites"] == 7
    assert len(list((tmp_path / "cache").glob("catalog-*.bin"))) == 2


def test_a_restart_reads_the_catalog_file_instead_of_building(tmp_path, monkeypatch):
    first = make_app(tmp_path).test_client().get("/api/v1/sites/nearest?commune=15014&limit=5").data
    (file,) = (tmp_path / "cache").glob("catalog-*.bin")

    def not_again(*args, **kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(catalog_cache, "fresh", not_again)
    again = make_app(tmp_path).test_client().get("/api/v1/sites/nearest?commune=15014&limit=5").data
    assert again == first
    file.write_bytes(file.read_bytes()[:1000])  # damaged: built again at the next start, not a crash
    monkeypatch.undo()
    assert make_app(tmp_path).test_client().get("/api/v1/sites/nearest?commune=15014&limit=5").data == first


def test_a_stored_version_is_prepared_before_its_publish(tmp_path, monkeypatch):
    app = make_app(tmp_path, RELOAD_IN_BACKGROUND=True, RELOAD_CHECK_SECONDS=0, BUILD_APART_MIN_SITES=0)
    st = app.extensions["spro"]
    client = app.test_client()
    d = st.engine.directory
    version = st.store.add_version(list(d.structures.values()), d.sites[:9], False, "test", "test")
    client.get("/healthz")  # the due check sees a stored version not published yet
    st.wait_reload()
    st._preparer.join(120)
    assert len(list((tmp_path / "cache").glob("catalog-*.bin"))) == 2

    def no_build(*args, **kwargs):
        raise AssertionError("built at the publish")

    monkeypatch.setattr(catalog_cache, "build_apart", no_build)
    monkeypatch.setattr(catalog_cache, "fresh", no_build)
    st.store.publish(version, "test")
    client.get("/healthz")
    st.wait_reload()
    assert st.reload_error is None
    assert client.get("/healthz").get_json()["dataset"] == {
        "version": version,
        "demo": False,
        "sites": 9,
        "structures": 566,
    }


def test_a_cache_folder_that_cannot_be_written_still_serves(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # CACHE_DIR names a file: no folder can be made there
    expected = make_app(tmp_path / "a", CACHE_DIR="off").test_client().get("/api/v1/sites/nearest?commune=15014").data
    app = make_app(tmp_path, CACHE_DIR=str(blocked))
    assert app.test_client().get("/api/v1/sites/nearest?commune=15014").data == expected
