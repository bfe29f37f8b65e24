"""Publishing reuses the diff an import computed, only while the version it was computed against is served."""

from __future__ import annotations

import dataclasses

import pytest

from finder.directory import export, importer, versions
from finder.storage.store import Store
from tests.conftest import DEMO
from tests.import_helpers import demo_directory, geo, settings


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "spro.sqlite3")
    s.initialise(DEMO)
    return s


def stored_copy(store) -> int:
    d = store.load()
    return store.add_version(list(d.structures.values()), d.sites[:-1], False, "test", "test")


def test_a_known_diff_against_the_served_version_is_the_one_logged(store):
    version = stored_copy(store)
    told = versions.Diff(added=["x"], sites=4242)
    change = versions.publish(store, version, "test", known=(store.published_version(), told))
    assert change is told
    assert "4242 lieu(x) en tout" in store.publish_log(1)[0]["summary"]


def test_a_known_diff_against_another_version_is_computed_again(store):
    first = store.published_version()
    other = stored_copy(store)
    versions.publish(store, other, "test")
    version = stored_copy(store)
    change = versions.publish(store, version, "test", known=(first, versions.Diff(sites=4242)))
    assert change.sites == len(demo_directory().sites) - 2 and len(change.removed) == 1 and not change.added
    assert "4242" not in store.publish_log(1)[0]["summary"]


def test_an_import_logs_the_diff_of_its_report(store):
    served = store.load()
    gone = served.sites[0]
    data = export.to_bytes(dataclasses.replace(served, sites=served.sites[1:]), geo())
    result = importer.run(data, store, geo(), settings(), "test", "moins-un.csv", publish=True)
    assert result.published and result.diff.removed == [gone.id] and not result.diff.changed
    assert result.diff.summary() in store.publish_log(1)[0]["summary"]
