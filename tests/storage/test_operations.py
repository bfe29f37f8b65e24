"""Operations on the database, on both backends: backup and restore, prune, migrate, from the command line."""

from __future__ import annotations

import pytest

from finder.cli import main as cli
from finder.directory import importer, versions
from finder.directory.export import to_bytes
from finder.storage import import_log, schema
from finder.storage.store import Store
from tests.import_helpers import fingerprint, geo, settings


def spro(url: str, *args: str) -> int:
    return cli.main(["--database", url, *args])


def add_versions(store: Store, count: int) -> list[int]:
    d = store.load(1)
    return [
        store.add_version(list(d.structures.values()), d.sites[: 10 + i], False, f"v{i}", "test") for i in range(count)
    ]


def test_backup_then_restore_gives_back_the_same_database(demo_url, tmp_path, capsys):
    store = Store(demo_url)
    (v2,) = add_versions(store, 1)
    versions.publish(store, v2, "alice")
    before = fingerprint(store)
    backup = tmp_path / "sauvegarde.bin"
    assert spro(demo_url, "backup", str(backup)) == 0
    assert backup.stat().st_size > 0
    assert spro(demo_url, "info") == 0
    info = capsys.readouterr().out.splitlines()[-1]

    (v3,) = add_versions(store, 1)
    versions.publish(store, v3, "bob")
    assert fingerprint(store) != before
    assert spro(demo_url, "restore", str(backup)) == 0
    assert fingerprint(store) == before
    assert spro(demo_url, "info") == 0
    assert capsys.readouterr().out.splitlines()[-1] == info == f"Version {v2} — 566 structures, 10 lieux"
    assert store.db.schema_version() == schema.LATEST
    assert spro(demo_url, "backup", str(backup)) == 2, "an existing file is not overwritten without --force"
    assert spro(demo_url, "backup", "--force", str(backup)) == 0
    store.db.close()


def test_restoring_a_file_that_is_no_backup_changes_nothing(demo_url, tmp_path, capsys):
    store = Store(demo_url)
    before = fingerprint(store)
    junk = tmp_path / "pas-une-sauvegarde.bin"
    junk.write_bytes(b"bonjour\n" * 100)
    assert spro(demo_url, "restore", str(junk)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Erreur (file) :") and len(err.splitlines()) == 1 and "Traceback" not in err
    assert fingerprint(store) == before
    store.db.close()


def test_prune_keeps_the_published_version_and_the_one_before(demo_url, capsys):
    store = Store(demo_url)
    v2, v3, v4, v5, v6 = add_versions(store, 5)
    versions.publish(store, v3, "alice")
    versions.publish(store, v2, "alice", action="rollback")  # published v2, previous v3
    report = import_log.record(store, "{}", 0, 0, "alice", "v4.csv", False, v4)
    kept_report = import_log.record(store, "{}", 0, 0, "alice", "v2.csv", False, v2)
    assert spro(demo_url, "prune", "--keep", "1") == 0
    out = capsys.readouterr().out
    assert "Versions supprimées : 1, 4, 5" in out and "Versions gardées : 2, 3, 6" in out
    assert [v["id"] for v in store.versions()] == [v2, v3, v6]
    assert import_log.get(store, report) is None and import_log.get(store, kept_report) is not None
    assert store.published_version() == v2 and len(store.load().sites) == 10
    versions.rollback(store, v3, "alice")  # the kept previous version still loads
    assert spro(demo_url, "prune", "--keep", "0") == 0
    assert [v["id"] for v in store.versions()] == [v2, v3]
    capsys.readouterr()
    assert spro(demo_url, "prune", "--keep", "0") == 0
    assert "Rien à supprimer" in capsys.readouterr().out
    assert spro(demo_url, "prune", "--keep", "-1") == 2
    store.db.close()


def test_the_published_version_is_never_deleted(demo_store):
    with pytest.raises(Exception, match="publiée"):
        demo_store.delete_versions([1])
    assert demo_store.published_version() == 1 and len(demo_store.load().sites) == 1073


def test_migrate_command(database_url, capsys):
    assert spro(database_url, "migrate") == 0
    assert f"schéma passé de la version 0 à la version {schema.LATEST}" in capsys.readouterr().out
    assert spro(database_url, "migrate") == 0
    assert f"schéma à jour (version {schema.LATEST})" in capsys.readouterr().out


def test_an_import_cut_off_from_its_database_leaves_the_published_version(demo_url, tmp_path, monkeypatch, capsys):
    """The connection is lost while the new version's sites are written: nothing of it remains.

    On PostgreSQL the server really ends the session (pg_terminate_backend); SQLite has no
    server to lose, so the same statement fails with the error a vanished disk gives.
    """
    store = Store(demo_url)
    before = fingerprint(store)
    data = to_bytes(store.load(), geo()).replace(b"Aurillac", b"Aurillac (15)")
    original = Store._insert_version

    def cut_off(self, con, *args):
        return original(self, Cut(self, con), *args)

    monkeypatch.setattr(Store, "_insert_version", cut_off)
    with pytest.raises(store.db.Error):
        importer.run(data, store, geo(), settings(), "alice", "annuaire.csv", publish=True)
    assert fingerprint(store) == before

    csv = tmp_path / "annuaire.csv"
    csv.write_bytes(data)
    assert spro(demo_url, "import", str(csv), "--author", "alice") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Erreur (base de données) :") and "Traceback" not in "\n".join(err)
    assert fingerprint(store) == before
    monkeypatch.undo()
    assert importer.run(data, store, geo(), settings(), "alice", "annuaire.csv", publish=True).published
    store.db.close()


class Cut:
    """A connection that is cut off just before the sites of a new version are written."""

    def __init__(self, store: Store, con):
        self.store, self.con = store, con

    def execute(self, *args):
        return self.con.execute(*args)

    def executemany(self, sql, rows):
        if "INTO sites" in sql:
            if self.store.db.dialect == "postgresql":
                pid = self.con.raw.info.backend_pid
                with Store(self.store.url).db.connection() as other:
                    other.execute("SELECT pg_terminate_backend(?)", (pid,))
            else:
                import sqlite3

                raise sqlite3.OperationalError("disk I/O error")
        return self.con.executemany(sql, rows)
