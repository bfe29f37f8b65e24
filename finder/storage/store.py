"""The store: directory versions, the published pointer and the publish log.

Each import becomes a *version* (structures and sites as JSON rows). One row of
``published`` names the version served; publishing or rolling back rewrites that
single row inside a transaction, so a reader sees the old or the new version whole.

A ``Store`` is the handle every storage module takes: its ``db`` (``SQLiteDatabase``)
owns connections, transactions and the schema (``finder.storage.schema``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from finder.domain.model import DatasetInfo, Directory, Site, Structure
from finder.errors import NotFound, StoreError
from finder.storage.sqlite import SQLiteDatabase


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def dicts(cursor) -> list[dict]:
    """The rows of an executed DB-API cursor as dicts keyed by column name."""
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


class Store:
    def __init__(self, path: Path | str):
        self.db = SQLiteDatabase(path)

    @property
    def path(self) -> Path:
        return self.db.path

    def migrate(self) -> None:
        """Create every missing table (the one schema); safe to call from several processes."""
        self.db.migrate()

    def exists(self) -> bool:
        return self.db.exists() and self.published_version() is not None

    def initialise(self, demo_file: Path) -> bool:
        """Apply the schema and, on an empty store, load and publish the demo directory.

        Returns True when the demo was loaded. Safe to call from several processes.
        """
        self.migrate()
        with self.db.transaction() as con:
            if con.execute("SELECT 1 FROM published").fetchone():
                return False
            data = json.loads(Path(demo_file).read_text(encoding="utf-8"))
            structures = [Structure.from_dict(s) for s in data["structures"]]
            sites = [Site.from_dict(s) for s in data["sites"]]
            version = self._insert_version(
                con, structures, sites, bool(data.get("demo")), data.get("source", str(demo_file)), "init"
            )
            self._publish(con, version, "init", "Chargement initial de l'annuaire de démonstration")
            return True

    def _insert_version(self, con, structures, sites, demo: bool, source: str, author: str) -> int:
        cur = con.execute(
            "INSERT INTO versions (created_at, author, source, demo, structures, sites) VALUES (?,?,?,?,?,?)",
            (now_iso(), author, source, int(demo), len(structures), len(sites)),
        )
        version = cur.lastrowid
        con.executemany(
            "INSERT INTO structures (version, id, data) VALUES (?,?,?)",
            ((version, s.id, json.dumps(s.to_dict(), ensure_ascii=False)) for s in structures),
        )
        con.executemany(
            "INSERT INTO sites (version, id, structure_id, data) VALUES (?,?,?,?)",
            ((version, s.id, s.structure_id, json.dumps(s.to_dict(), ensure_ascii=False)) for s in sites),
        )
        return version

    def _publish(self, con, version: int, author: str, summary: str, action: str = "publish") -> None:
        row = con.execute("SELECT version FROM published").fetchone()
        con.execute(
            "INSERT INTO published (singleton, version, published_at, published_by) VALUES (1,?,?,?) "
            "ON CONFLICT(singleton) DO UPDATE SET version=excluded.version, "
            "published_at=excluded.published_at, published_by=excluded.published_by",
            (version, now_iso(), author),
        )
        con.execute(
            "INSERT INTO publish_log (version, previous, action, at, by, summary) VALUES (?,?,?,?,?,?)",
            (version, row[0] if row else None, action, now_iso(), author, summary),
        )

    def add_version(self, structures: list[Structure], sites: list[Site], demo: bool, source: str, author: str) -> int:
        """Store a new (unpublished) version in one transaction; returns its number."""
        with self.db.transaction() as con:
            return self._insert_version(con, structures, sites, demo, source, author)

    def publish(
        self, version: int, author: str, summary: str = "", action: str = "publish", expected: int | None = None
    ) -> None:
        """Serve ``version`` from now on (one atomic switch).

        ``expected``: the version the caller started from; if another was published meanwhile,
        nothing changes and StoreError (code "conflict") is raised.
        """
        with self.db.transaction() as con:
            if not con.execute("SELECT 1 FROM versions WHERE id=?", (version,)).fetchone():
                raise StoreError(f"La version {version} n'existe pas.", field="version")
            current = con.execute("SELECT version FROM published").fetchone()
            if expected is not None and (current is None or current[0] != expected):
                raise StoreError(
                    "Une autre version a été publiée entre-temps : rechargez la page et recommencez.",
                    field="version",
                    code="conflict",
                )
            self._publish(con, version, author, summary, action)

    def published_version(self) -> int | None:
        """The version served, or None (no file, no schema yet, nothing published); creates nothing."""
        if not self.db.exists():
            return None
        try:
            with self.db.connection() as con:
                row = con.execute("SELECT version FROM published").fetchone()
        except self.db.OperationalError:  # a file the schema was never applied to
            return None
        return row[0] if row else None

    def versions(self) -> list[dict]:
        with self.db.snapshot() as con:
            current = con.execute("SELECT version FROM published").fetchone()
            rows = dicts(con.execute("SELECT * FROM versions ORDER BY id"))
        cur = current[0] if current else None
        return [dict(r, demo=bool(r["demo"]), published=r["id"] == cur) for r in rows]

    def publish_log(self, limit: int = 100) -> list[dict]:
        """The last publications and rollbacks, newest first."""
        with self.db.connection() as con:
            return dicts(con.execute("SELECT * FROM publish_log ORDER BY id DESC LIMIT ?", (limit,)))

    def load(self, version: int | None = None) -> Directory:
        """Read a whole version (the published one by default) in one read transaction."""
        with self.db.snapshot() as con:
            if version is None:
                row = con.execute("SELECT version, published_at FROM published").fetchone()
                if not row:
                    raise StoreError("Aucun annuaire n'est publié.")
                version = row[0]
            meta = con.execute("SELECT created_at, demo, source FROM versions WHERE id=?", (version,)).fetchone()
            if not meta:
                raise NotFound(f"La version {version} n'existe pas.", field="version")
            structures = {
                sid: Structure.from_dict(json.loads(data))
                for sid, data in con.execute("SELECT id, data FROM structures WHERE version=? ORDER BY id", (version,))
            }
            sites = [
                Site.from_dict(json.loads(data))
                for (data,) in con.execute("SELECT data FROM sites WHERE version=? ORDER BY id", (version,))
            ]
        info = DatasetInfo(version=version, demo=bool(meta[1]), loaded_at=now_iso(), source=meta[2])
        return Directory(info=info, structures=structures, sites=sites)
