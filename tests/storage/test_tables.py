"""The small tables behind a Store: import reports, the geocoding cache, the publish log."""

from __future__ import annotations

import json

import pytest

from finder.storage import geocode_cache, import_log


@pytest.fixture()
def store(demo_store):
    return demo_store


def test_an_import_report_comes_back_as_its_json_text(store):
    text = json.dumps({"issues": [{"line": 2, "message": "Valeur « x » inconnue"}]}, ensure_ascii=False)
    rid = import_log.record(store, text, 1, 0, "alice", "annuaire.csv", dry_run=True, version=None)
    meta, back = import_log.get(store, rid)
    assert back == text
    assert meta == {
        "id": rid,
        "at": meta["at"],
        "author": "alice",
        "filename": "annuaire.csv",
        "dry_run": 1,
        "version": None,
        "errors": 1,
        "warnings": 0,
    }
    assert import_log.get(store, rid + 1) is None


def test_only_the_last_reports_are_kept(store, monkeypatch):
    monkeypatch.setattr(import_log, "KEEP", 3)
    ids = [import_log.record(store, "{}", 0, i, "a", f"f{i}.csv", False, None) for i in range(5)]
    assert [r["id"] for r in import_log.recent(store)] == ids[:1:-1]
    assert import_log.get(store, ids[1]) is None and import_log.get(store, ids[2]) is not None
    assert [r["filename"] for r in import_log.recent(store, limit=2)] == ["f4.csv", "f3.csv"]


def test_geocode_answers_and_misses_are_remembered_and_replaced(store):
    assert geocode_cache.get_many(store, ["a", "b"]) == {}
    geocode_cache.put_many(store, {"a": (45.0, 4.8, 0.9, "housenumber", "69123"), "b": None})
    assert geocode_cache.get_many(store, ["a", "b", "c"]) == {"a": (45.0, 4.8, 0.9, "housenumber", "69123"), "b": None}
    geocode_cache.put_many(store, {"b": (46.0, 5.0, 0.7, "street", "01053")})
    assert geocode_cache.get_many(store, ["b"]) == {"b": (46.0, 5.0, 0.7, "street", "01053")}


def test_many_keys_are_asked_in_chunks(store):
    answers = {f"k{i}": (45.0, 4.0 + i / 1e4, 1.0, "street", "69123") for i in range(1200)}
    geocode_cache.put_many(store, answers)
    assert geocode_cache.get_many(store, list(answers)) == answers


def test_the_publish_log_is_newest_first(store):
    d = store.load()
    v2 = store.add_version(list(d.structures.values()), d.sites[:3], demo=False, source="t", author="me")
    store.publish(v2, "me", "deux")
    store.publish(1, "you", "retour", action="rollback")
    log = store.publish_log()
    assert [(e["version"], e["previous"], e["action"], e["by"]) for e in log] == [
        (1, v2, "rollback", "you"),
        (v2, 1, "publish", "me"),
        (1, None, "publish", "init"),
    ]
    assert len(store.publish_log(limit=1)) == 1


def test_a_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.db.transaction() as con:
        con.execute("DELETE FROM published")
        raise RuntimeError("boom")
    assert store.published_version() == 1
