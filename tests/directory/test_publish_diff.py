"""Publishing reuses the diff an import computed, only while the version it was computed against is served."""

from __future__ import annotations

import dataclasses
import json

import pytest

from finder.directory import export, importer, versions
from finder.storage.store import Store, encode
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


def edited(directory):
    """Every kind of change: a site edited, one moved to another structure, one removed, one added, a
    structure edited (its sites change with it)."""
    sites = list(directory.sites)
    structures = dict(directory.structures)
    first, second, third = sites[0], sites[1], sites[2]
    other = next(k for k in structures if k not in (first.structure_id, second.structure_id))
    sites[0] = dataclasses.replace(first, name=first.name + " (modifié)")
    sites[1] = dataclasses.replace(second, structure_id=other)
    del sites[2]
    sites.append(dataclasses.replace(third, id="lieu-nouveau"))
    edited_structure = sites[10].structure_id
    structures[edited_structure] = dataclasses.replace(structures[edited_structure], website="https://x.example/")
    return dataclasses.replace(directory, sites=sites, structures=structures)


def stored_text(directory, rewrite=None):
    """The rows as ``Store.published_rows`` gives them: as this program stores them, or rewritten."""
    encoded = encode(directory.structures.values(), directory.sites)
    again = (lambda t: json.dumps(rewrite(json.loads(t)))) if rewrite else (lambda t: t)
    return {k: again(t) for k, t in encoded.structures}, {k: again(t) for k, _, t in encoded.sites}


def reordered_without_defaults(d: dict) -> dict:
    """The same values written otherwise: keys in reverse order, ASCII escapes, None fields left out."""
    return {k: v for k, v in reversed(d.items()) if v is not None}


@pytest.mark.parametrize("rewrite", [None, reordered_without_defaults])
def test_the_diff_on_stored_text_is_the_diff_on_objects(rewrite):
    old = demo_directory()
    new = edited(old)
    expected = versions.diff(old, new)
    got = versions.diff_stored(stored_text(old, rewrite), new, encode(new.structures.values(), new.sites))
    assert got == expected
    assert expected.added == ["lieu-nouveau"] and len(expected.removed) == 1 and expected.structures_changed == 1
    assert len(expected.changed) > 2  # the two edited sites and those of the edited structure
    nothing = versions.diff_stored(stored_text(old, rewrite), old, encode(old.structures.values(), old.sites))
    assert nothing.empty and nothing == versions.diff(old, old)


def test_against_nothing_published_every_site_is_added():
    new = demo_directory()
    got = versions.diff_stored(None, new, encode(new.structures.values(), new.sites))
    assert got == versions.diff(None, new) and len(got.added) == len(new.sites)
