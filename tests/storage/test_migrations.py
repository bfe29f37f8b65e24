"""Numbered migrations on both backends: recorded, applied once even by processes starting together,
all-or-nothing, and a file of the release before them adopted without losing a row."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading

import pytest

from finder.domain.model import Site, Structure
from finder.errors import StoreError
from finder.storage import content, schema
from finder.storage.store import Store
from tests.conftest import DEMO

# The DDL of the release before numbered migrations (finder/storage/schema.py at 78c07de), as its
# Store.migrate ran it: a file it made has user_version 0 and these tables.
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
    author TEXT NOT NULL, source TEXT NOT NULL, demo INTEGER NOT NULL, structures INTEGER NOT NULL,
    sites INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS structures (version INTEGER NOT NULL REFERENCES versions(id), id TEXT NOT NULL,
    data TEXT NOT NULL, PRIMARY KEY (version, id));
CREATE TABLE IF NOT EXISTS sites (version INTEGER NOT NULL REFERENCES versions(id), id TEXT NOT NULL,
    structure_id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (version, id));
CREATE TABLE IF NOT EXISTS published (singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    version INTEGER NOT NULL REFERENCES versions(id), published_at TEXT NOT NULL, published_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS publish_log (id INTEGER PRIMARY KEY AUTOINCREMENT, version INTEGER NOT NULL,
    previous INTEGER, action TEXT NOT NULL, at TEXT NOT NULL, by TEXT NOT NULL, summary TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL, last_login TEXT);
CREATE TABLE IF NOT EXISTS login_throttle (key TEXT PRIMARY KEY, failures INTEGER NOT NULL,
    locked_until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS import_reports (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
    author TEXT NOT NULL, filename TEXT NOT NULL, dry_run INTEGER NOT NULL, version INTEGER,
    errors INTEGER NOT NULL, warnings INTEGER NOT NULL, report BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS widget_loads (origin TEXT NOT NULL, day TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (origin, day));
CREATE TABLE IF NOT EXISTS geocode_cache (query TEXT PRIMARY KEY, found INTEGER NOT NULL,
    lat REAL, lon REAL, score REAL, kind TEXT, citycode TEXT, at TEXT NOT NULL);
"""


def as_stored(cls, row: dict) -> str:
    """A row's JSON text as the previous release's Store wrote it."""
    return json.dumps(cls.from_dict(row).to_dict(), ensure_ascii=False)


def old_release_file(path) -> None:
    """A SQLite file as the previous release left it: the demo published, a second version, staff rows."""
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    with sqlite3.connect(path) as con:
        con.executescript(OLD_SCHEMA)
        for version, sites in ((1, data["sites"]), (2, data["sites"][:5])):
            con.execute(
                "INSERT INTO versions VALUES (?, '2026-01-01T00:00:00+00:00', 'init', 'demo', 1, ?, ?)",
                (version, len(data["structures"]), len(sites)),
            )
            con.executemany(
                "INSERT INTO structures VALUES (?,?,?)",
                [(version, s["id"], as_stored(Structure, s)) for s in data["structures"]],
            )
            con.executemany(
                "INSERT INTO sites VALUES (?,?,?,?)",
                [(version, s["id"], s["structure_id"], as_stored(Site, s)) for s in sites],
            )
        con.execute("INSERT INTO published VALUES (1, 2, '2026-01-02T00:00:00+00:00', 'alice')")
        con.execute("INSERT INTO publish_log VALUES (1, 2, 1, 'publish', '2026-01-02T00:00:00+00:00', 'alice', 'x')")
        con.execute("INSERT INTO users VALUES ('alice', '$argon2id$x', '2026-01-01', NULL)")
        con.execute("INSERT INTO widget_loads VALUES ('https://a.fr', '2026-01-02', 7)")
    con.close()


def test_a_file_of_the_previous_release_is_adopted_without_losing_a_row(tmp_path):
    path = tmp_path / "old.sqlite3"
    old_release_file(path)
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 0
    store = Store(path)
    assert store.migrate() == (0, schema.LATEST)
    assert store.db.schema_version() == schema.LATEST
    assert store.published_version() == 2 and len(store.load().sites) == 5
    assert len(store.load(1).sites) == 1073
    assert [(v["id"], v["author"]) for v in store.versions()] == [(1, "init"), (2, "init")]
    with store.db.connection() as con:
        assert con.execute("SELECT username FROM users").fetchall() == [("alice",)]
        assert con.execute("SELECT count FROM widget_loads").fetchall() == [(7,)]
    # the hash filled by migration 2 is the one a version stored now gets for the same content
    d = store.load(1)
    fresh = store.add_version(list(d.structures.values()), d.sites, True, "again", "me")
    assert store.content_hash(1) == store.content_hash(fresh)
    assert store.content_hash(2) != store.content_hash(1)
    assert store.migrate() == (schema.LATEST, schema.LATEST)


def test_migrations_are_recorded_and_applied_once(database_url):
    store = Store(database_url)
    assert store.db.schema_version() == 0
    assert store.migrate() == (0, schema.LATEST)
    assert store.db.schema_version() == schema.LATEST
    assert store.migrate() == (schema.LATEST, schema.LATEST)
    if store.db.dialect == "sqlite":
        with store.db.connection() as con:
            assert con.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    else:
        with store.db.connection() as con:
            assert con.execute("SELECT version FROM schema_version").fetchall() == [(schema.LATEST,)]


def test_processes_starting_together_apply_each_migration_once(database_url):
    """Eight stores (as many workers or hosts) migrate the same empty database at once."""
    stores = [Store(database_url) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    outcomes: list = []

    def start(store: Store) -> None:
        barrier.wait(timeout=30)
        try:
            outcomes.append(store.initialise(DEMO))
        except Exception as err:  # reported below
            outcomes.append(err)

    threads = [threading.Thread(target=start, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(map(repr, outcomes)) == sorted(["True"] + ["False"] * 7)
    assert stores[0].db.schema_version() == schema.LATEST
    assert [v["id"] for v in stores[0].versions()] == [1]
    for s in stores:
        s.db.close()


def test_a_failing_migration_changes_nothing(database_url, monkeypatch):
    store = Store(database_url)
    store.initialise(DEMO)
    broken = schema.Migration(
        schema.LATEST + 1, "broken", ("CREATE TABLE half_done (x INTEGER)", "ALTER TABLE no_such_table ADD y TEXT")
    )
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    monkeypatch.setattr(schema, "LATEST", broken.number)
    with pytest.raises(store.db.Error):
        store.migrate()
    monkeypatch.undo()
    assert store.db.schema_version() == schema.LATEST
    with pytest.raises(store.db.Error), store.db.connection() as con:
        con.execute("SELECT * FROM half_done")
    assert store.published_version() == 1


def test_a_database_newer_than_the_program_is_left_alone(database_url, monkeypatch):
    store = Store(database_url)
    store.initialise(DEMO)
    latest = schema.LATEST
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    monkeypatch.setattr(schema, "LATEST", 1)
    assert store.migrate() == (latest, latest)  # an older program on a migrated database: no error, nothing undone
    assert store.load().info.version == 1


def test_postgresql_reads_the_schema_in_its_own_types(pg_server):
    store = Store(pg_server.create_database())
    store.initialise(DEMO)
    sql = (
        "SELECT column_name, data_type, collation_name, is_identity FROM information_schema.columns WHERE table_name=?"
    )
    with store.db.connection() as con:
        versions = {r[0]: r[1:] for r in con.execute(sql, ("versions",))}
        reports = {r[0]: r[1:] for r in con.execute(sql, ("import_reports",))}
        cache = {r[0]: r[1:] for r in con.execute(sql, ("geocode_cache",))}
    assert versions["id"] == ("integer", None, "YES")
    assert versions["source"] == ("text", "C", "NO")
    assert reports["report"][0] == "bytea"
    assert cache["lat"][0] == "double precision"
    store.db.close()


def test_content_hash_ignores_row_order_but_not_content():
    rows = [("b", '{"x": 1}'), ("a", '{"x": 2}')]
    assert content.content_hash(True, rows, []) == content.content_hash(True, rows[::-1], [])
    assert content.content_hash(True, rows, []) != content.content_hash(False, rows, [])
    assert content.content_hash(True, rows, []) != content.content_hash(True, [], rows)
    assert content.content_hash(True, rows, []) != content.content_hash(True, rows[:1], [])


def test_two_versions_with_one_site_changed_have_different_hashes(demo_store):
    d = demo_store.load()
    changed = [dataclasses.replace(d.sites[0], name=d.sites[0].name + " (annexe)"), *d.sites[1:]]
    v2 = demo_store.add_version(list(d.structures.values()), changed, True, "t", "me")
    v3 = demo_store.add_version(list(d.structures.values()), list(reversed(d.sites)), True, "t", "me")
    assert demo_store.content_hash(v2) != demo_store.content_hash(1)
    assert demo_store.content_hash(v3) == demo_store.content_hash(1)


def test_an_unreadable_store_error_names_the_setting(tmp_path):
    with pytest.raises(StoreError, match="DATABASE_URL"):
        Store(tmp_path / "no" / "such" / "folder" / "x.sqlite3").published_version() or Store(
            tmp_path / "no" / "x.sqlite3"
        ).db.schema_version()


def test_migration_6_moves_the_files_of_existing_jobs_out_of_their_rows(database_url, monkeypatch):
    from finder.storage import jobs

    store = Store(database_url)
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:5])
    monkeypatch.setattr(schema, "LATEST", 5)
    assert store.migrate() == (0, 5)
    with store.db.connection() as con:
        for state, data, result in (("queued", b"upload", None), ("done", None, b"the file")):
            con.execute(
                "INSERT INTO jobs (kind, params, input, result, result_name, result_type, state, created_by, "
                "created_at) VALUES ('export', '{}', ?, ?, 'a.csv', 'text/csv', ?, 'alice', '2026-01-01')",
                (data, result, state),
            )
    monkeypatch.undo()
    assert store.migrate() == (5, schema.LATEST)
    assert jobs.input_of(store, 1) == b"upload" and jobs.result(store, 2) == (b"the file", "a.csv", "text/csv")
    with store.db.connection() as con:
        assert con.execute("SELECT COUNT(*) FROM jobs WHERE input IS NOT NULL OR result IS NOT NULL").fetchone() == (0,)
    store.db.close()
