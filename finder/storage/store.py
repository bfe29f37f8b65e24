"""The store: directory versions, the published pointer and the publish log.

Each import becomes a *version* (structures and sites as JSON rows). One row of
``published`` names the version served; publishing or rolling back rewrites that
single row inside a transaction, so a reader sees the old or the new version whole.

A ``Store`` is the handle every storage module takes: its ``db`` (``SQLiteDatabase`` or
``PostgresDatabase``, chosen by ``finder.storage.database.open_database`` from DATABASE_URL)
owns connections, transactions, migrations (``finder.storage.schema``), backup and restore.
Each version records the hash of its content (``finder.storage.content``) when stored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from finder.domain.model import DatasetInfo, Directory, Site, Structure
from finder.errors import NotFound, StoreError
from finder.storage import audit
from finder.storage.content import content_hash
from finder.storage.database import open_database


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def dicts(cursor) -> list[dict]:
    """The rows of an executed DB-API cursor as dicts keyed by column name."""
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@dataclass(frozen=True)
class Encoded:
    """A version's rows as stored: (id, JSON text) per structure, (id, structure id, JSON text) per site."""

    structures: list[tuple[str, str]]
    sites: list[tuple[str, str, str]]


def encode(structures: Iterable[Structure], sites: Iterable[Site]) -> Encoded:
    """The JSON text each structure and site is stored as (one encoder for all: no per-row set-up)."""
    text = json.JSONEncoder(ensure_ascii=False).encode
    return Encoded(
        [(s.id, text(s.to_dict())) for s in structures],
        [(s.id, s.structure_id, text(s.to_dict())) for s in sites],
    )


class Store:
    def __init__(self, url: Path | str):
        """``url``: a SQLite file path or a ``postgresql://`` URL (the DATABASE_URL setting)."""
        self.db = open_database(str(url))

    @property
    def path(self) -> Path | None:
        """The SQLite file (None on PostgreSQL)."""
        return self.db.path

    @property
    def url(self) -> str:
        return self.db.url

    def migrate(self) -> tuple[int, int]:
        """Apply the migrations not applied yet; (schema version before, after). Safe from several processes."""
        return self.db.migrate()

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
        audit.event("publish", version=version, previous=None, by="init")
        return True

    def _insert_version(self, con, structures, sites, demo: bool, source: str, author: str, encoded=None) -> int:
        rows = encoded or encode(structures, sites)
        structure_rows, site_rows = rows.structures, rows.sites
        digest = content_hash(demo, structure_rows, [(sid, data) for sid, _, data in site_rows])
        (version,) = con.execute(
            "INSERT INTO versions (created_at, author, source, demo, structures, sites, content_hash) "
            "VALUES (?,?,?,?,?,?,?) RETURNING id",
            (now_iso(), author, source, int(demo), len(structures), len(sites), digest),
        ).fetchone()
        con.executemany(
            "INSERT INTO structures (version, id, data) VALUES (?,?,?)", [(version, *r) for r in structure_rows]
        )
        con.executemany(
            "INSERT INTO sites (version, id, structure_id, data) VALUES (?,?,?,?)", [(version, *r) for r in site_rows]
        )
        return version

    def _publish(self, con, version: int, author: str, summary: str, action: str = "publish") -> int | None:
        """Switch the published row and log it; the version published before (None: the first)."""
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
        return row[0] if row else None

    def add_version(
        self,
        structures: list[Structure],
        sites: list[Site],
        demo: bool,
        source: str,
        author: str,
        encoded: Encoded | None = None,
    ) -> int:
        """Store a new (unpublished) version in one transaction; returns its number.

        ``encoded``: ``encode(structures, sites)`` when the caller has it already (an import diffs it).
        """
        with self.db.transaction() as con:
            return self._insert_version(con, structures, sites, demo, source, author, encoded)

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
            previous = self._publish(con, version, author, summary, action)
        audit.event(action, version=version, previous=previous, by=author)

    def published_version(self) -> int | None:
        """The version served, or None (no file, no schema yet, nothing published); creates nothing.

        Raises the backend's error when the database cannot be reached.
        """
        if not self.db.exists():
            return None
        try:
            with self.db.connection() as con:
                row = con.execute("SELECT version FROM published").fetchone()
        except self.db.Error as err:
            if self.db.is_missing_table(err):  # a database the schema was never applied to
                return None
            raise
        return row[0] if row else None

    def published(self) -> tuple[int, str] | None:
        """The version served and its content hash (a restored backup may reuse a number), or None."""
        if not self.db.exists():
            return None
        try:
            with self.db.connection() as con:
                return con.execute(
                    "SELECT p.version, v.content_hash FROM published p JOIN versions v ON v.id = p.version"
                ).fetchone()
        except self.db.Error as err:
            if self.db.is_missing_table(err):
                return None
            raise

    def previous_version(self) -> int | None:
        """The version served before the published one (what a rollback would go back to), if any."""
        with self.db.snapshot() as con:
            current = con.execute("SELECT version FROM published").fetchone()
            if not current:
                return None
            row = con.execute(
                "SELECT previous FROM publish_log WHERE version=? ORDER BY id DESC LIMIT 1", (current[0],)
            ).fetchone()
        return row[0] if row else None

    def content_hash(self, version: int) -> str:
        """The stored hash of a version's content (see finder.storage.content)."""
        with self.db.connection() as con:
            row = con.execute("SELECT content_hash FROM versions WHERE id=?", (version,)).fetchone()
        if not row:
            raise StoreError(f"La version {version} n'existe pas.", field="version")
        return row[0]

    def delete_versions(self, ids: list[int]) -> dict:
        """Delete these versions with their structures, sites and import reports, in one transaction.

        Never the published version (StoreError). Returns the counts of rows deleted per table.
        """
        counts = {"versions": 0, "structures": 0, "sites": 0, "import_reports": 0}
        with self.db.transaction() as con:
            published = con.execute("SELECT version FROM published").fetchone()
            if published and published[0] in ids:
                raise StoreError(f"La version {published[0]} est publiée : elle ne peut pas être supprimée.")
            for version in ids:
                for table in ("sites", "structures", "import_reports"):
                    counts[table] += con.execute(f"DELETE FROM {table} WHERE version=?", (version,)).rowcount
                counts["versions"] += con.execute("DELETE FROM versions WHERE id=?", (version,)).rowcount
        if ids:
            audit.event("prune", versions=sorted(ids), **{k: v for k, v in counts.items() if k != "versions"})
        return counts

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

    def published_rows(self) -> tuple[int, dict[str, str], dict[str, str]] | None:
        """The published version's number and its stored JSON text by id (structures, sites), or None.

        What ``finder.directory.versions.diff_stored`` compares a new version with, without decoding.
        """
        with self.db.snapshot() as con:
            row = con.execute("SELECT version FROM published").fetchone()
            if not row:
                return None
            structures = con.execute("SELECT id, data FROM structures WHERE version=?", (row[0],)).fetchall()
            sites = con.execute("SELECT id, data FROM sites WHERE version=?", (row[0],)).fetchall()
        return row[0], dict(structures), dict(sites)

    def load(self, version: int | None = None) -> Directory:
        """Read a whole version (the published one by default) in one read transaction."""
        info, structure_rows, site_rows = self.load_rows(version)
        ids = (sid for sid, _ in structure_rows)
        structures = dict(zip(ids, map(Structure.from_dict, decode_rows(structure_rows))))
        sites = list(map(Site.from_dict, decode_rows(site_rows)))
        return Directory(info=info, structures=structures, sites=sites)

    def load_rows(self, version: int | None = None) -> tuple[DatasetInfo, list[tuple], list[tuple]]:
        """A whole version as stored: its info, (id, JSON text) of its structures and of its sites, by id."""
        with self.db.snapshot() as con:
            if version is None:
                row = con.execute("SELECT version, published_at FROM published").fetchone()
                if not row:
                    raise StoreError("Aucun annuaire n'est publié.")
                version = row[0]
            meta = con.execute("SELECT created_at, demo, source FROM versions WHERE id=?", (version,)).fetchone()
            if not meta:
                raise NotFound(f"La version {version} n'existe pas.", field="version")
            structure_rows = con.execute("SELECT id, data FROM structures WHERE version=?", (version,)).fetchall()
            site_rows = con.execute("SELECT id, data FROM sites WHERE version=?", (version,)).fetchall()
        # sorted by id here, in code-point order: a database collation may differ between backends
        info = DatasetInfo(version=version, demo=bool(meta[1]), loaded_at=now_iso(), source=meta[2])
        return info, sorted(structure_rows), sorted(site_rows)


def decode_rows(rows: list[tuple]) -> list[dict]:
    """The JSON texts of (id, text) rows, decoded in one call (much faster than one call per row)."""
    if not rows:
        return []
    return json.loads("[" + ",".join(text for _, text in rows) + "]")
