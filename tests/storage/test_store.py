"""The store on both backends: initialisation, versions, atomic publish, reload by a worker."""

import pytest

from finder.errors import StoreError
from finder.storage.store import Store
from tests.conftest import DEMO


def test_initialise_is_idempotent(database_url):
    store = Store(database_url)
    assert store.initialise(DEMO) is True
    assert store.initialise(DEMO) is False
    assert [v["id"] for v in store.versions()] == [1]
    d = store.load()
    assert d.info.demo is True and d.info.version == 1
    assert len(d.structures) == 566


def test_new_version_is_served_only_once_published(demo_store):
    store = demo_store
    d = store.load()
    v2 = store.add_version(list(d.structures.values()), d.sites[:10], demo=False, source="t", author="me")
    assert store.published_version() == 1
    store.publish(v2, "me", "test")
    assert store.published_version() == v2
    assert len(store.load().sites) == 10
    store.publish(1, "me", "rollback", action="rollback")
    assert len(store.load().sites) == len(d.sites)


def test_publishing_an_unknown_version_changes_nothing(demo_store):
    store = demo_store
    with pytest.raises(StoreError):
        store.publish(42, "me")
    assert store.published_version() == 1


def test_worker_picks_up_a_published_version(tmp_path, demo_url):
    from tests.conftest import make_app

    app = make_app(tmp_path, DATABASE_URL=demo_url, RELOAD_CHECK_SECONDS=0, SECRET_KEY="k" * 32)
    client = app.test_client()
    assert client.get("/healthz").get_json()["dataset"]["version"] == 1
    store = Store(app.config["DATABASE_URL"])
    d = store.load()
    v2 = store.add_version(list(d.structures.values()), d.sites[:5], demo=False, source="t", author="me")
    store.publish(v2, "me")
    body = client.get("/healthz").get_json()["dataset"]
    assert body == {"version": v2, "demo": False, "sites": 5, "structures": 566}
