"""Embedded SQLite store of directory versions.

Each import becomes a *version* (structures and sites as JSON rows). One row of
``published`` names the version served; publishing or rolling back rewrites that
single row inside a transaction, so a reader sees the old or the new version whole.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from finder.domain.model import DatasetInfo, Directory, Site, Structure
from finder.errors import StoreError

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    author TEXT NOT NULL,
    source TEXT NOT NULL,
    demo INTEGER NOT NULL,
    structures INTEGER NOT NULL,
    sites INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS structures (
    version INTEGER NOT NULL REFERENCES versions(id),
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (version, id)
);
CREATE TABLE IF NOT EXISTS sites (
    version INTEGER NOT NULL REFERENCES versions(id),
    id TEXT NOT NULL,
    structure_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (version, id)
);
CREATE TABLE IF NOT EXISTS published (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    version INTEGER NOT NULL REFERENCES versions(id),
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS publish_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version INTEGER NOT NULL,
    previous INTEGER,
    action TEXT NOT NULL,
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    summary TEXT NOT NULL
);
"""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class Store:
    def __init__(self, path: Path | str):
        self.path = Path(path)

    def connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA foreign_keys=ON")
        return con

    def exists(self) -> bool:
        return self.path.exists() and self.published_version() is not None

    def initialise(self, demo_file: Path) -> bool:
        """Create the schema and, on an empty store, load and publish the demo directory.

        Returns True when the demo was loaded. Safe to call from several processes.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self.connect()) as con:
            con.executescript(SCHEMA)
            con.execute("BEGIN IMMEDIATE")
            try:
                if con.execute("SELECT 1 FROM published").fetchone():
                    con.execute("ROLLBACK")
                    return False
                data = json.loads(Path(demo_file).read_text(encoding="utf-8"))
                structures = [Structure.from_dict(s) for s in data["structures"]]
                sites = [Site.from_dict(s) for s in data["sites"]]
                version = self._insert_version(
                    con, structures, sites, bool(data.get("demo")), data.get("source", str(demo_file)), "init"
                )
                self._publish(con, version, "init", "Chargement initial de l'annuaire de démonstration")
                con.execute("COMMIT")
                return True
            except BaseException:
                con.execute("ROLLBACK")
                raise

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
        with closing(self.connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                version = self._insert_version(con, structures, sites, demo, source, author)
                con.execute("COMMIT")
                return version
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def publish(
        self, version: int, author: str, summary: str = "", action: str = "publish", expected: int | None = None
    ) -> None:
        """Serve ``version`` from now on (one atomic switch).

        ``expected``: the version the caller started from; if another was published meanwhile,
        nothing changes and StoreError (code "conflict") is raised.
        """
        with closing(self.connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
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
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def published_version(self) -> int | None:
        if not self.path.exists():
            return None
        with closing(self.connect()) as con:
            try:
                row = con.execute("SELECT version FROM published").fetchone()
            except sqlite3.OperationalError:
                return None
        return row[0] if row else None

    def versions(self) -> list[dict]:
        with closing(self.connect()) as con:
            con.row_factory = sqlite3.Row
            current = con.execute("SELECT version FROM published").fetchone()
            rows = con.execute("SELECT * FROM versions ORDER BY id").fetchall()
        cur = current[0] if current else None
        return [dict(r, demo=bool(r["demo"]), published=r["id"] == cur) for r in rows]

    def load(self, version: int | None = None) -> Directory:
        """Read a whole version (the published one by default) in one read transaction."""
        with closing(self.connect()) as con:
            con.execute("BEGIN")
            try:
                if version is None:
                    row = con.execute("SELECT version, published_at FROM published").fetchone()
                    if not row:
                        raise StoreError("Aucun annuaire n'est publié.")
                    version = row[0]
                meta = con.execute("SELECT created_at, demo, source FROM versions WHERE id=?", (version,)).fetchone()
                if not meta:
                    raise StoreError(f"La version {version} n'existe pas.", field="version")
                structures = {
                    sid: Structure.from_dict(json.loads(data))
                    for sid, data in con.execute(
                        "SELECT id, data FROM structures WHERE version=? ORDER BY id", (version,)
                    )
                }
                sites = [
                    Site.from_dict(json.loads(data))
                    for (data,) in con.execute("SELECT data FROM sites WHERE version=? ORDER BY id", (version,))
                ]
            finally:
                con.execute("COMMIT")
        info = DatasetInfo(version=version, demo=bool(meta[1]), loaded_at=now_iso(), source=meta[2])
        return Directory(info=info, structures=structures, sites=sites)
