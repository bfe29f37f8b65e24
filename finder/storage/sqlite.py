"""The SQLite backend: one file in WAL mode (readers never wait for the writer).

Same interface as ``postgres.PostgresDatabase`` (see ``finder.storage.database``). The schema
version is ``PRAGMA user_version``; a backup is taken with SQLite's online backup API.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from finder.errors import StoreError
from finder.storage.database import Database, Unavailable, first_line


class SQLiteDatabase(Database):
    dialect = "sqlite"
    Error = (sqlite3.Error, Unavailable)  # anything meaning "the database failed"

    def __init__(self, path: Path | str, timeout: float = 30.0):
        self.path = Path(path)
        self.url = str(self.path)
        self.timeout = timeout

    def exists(self) -> bool:
        """Whether the database file is there (nothing is created by asking)."""
        return self.path.exists()

    def _connect(self, timeout: float) -> sqlite3.Connection:
        try:
            return sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.OperationalError as err:
            message = f"DATABASE_URL : impossible d'ouvrir la base SQLite {self.path} ({first_line(err)})."
            raise Unavailable(message) from None

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode (each statement its own transaction), closed on exit.

        ``timeout``: seconds to wait for a lock held by another process.
        """
        con = self._connect(self.timeout if timeout is None else timeout)
        try:
            _wal(con)
            con.execute("PRAGMA foreign_keys=ON")
            yield con
        finally:
            con.close()

    @contextmanager
    def transaction(self, timeout: float | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction taken at once (BEGIN IMMEDIATE): committed on exit, rolled back on any error."""
        with self.connection(timeout) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every statement inside sees the same state of the database."""
        with self.connection() as con:
            con.execute("BEGIN")
            try:
                yield con
            finally:
                con.execute("COMMIT")

    def is_missing_table(self, err: BaseException) -> bool:
        return isinstance(err, sqlite3.OperationalError) and str(err).startswith("no such table")

    def _prepare(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            message = f"DATABASE_URL : impossible d'ouvrir la base SQLite {self.path} ({err.strerror})."
            raise Unavailable(message) from None

    def _read_version(self, con) -> int:
        return con.execute("PRAGMA user_version").fetchone()[0]

    def _write_version(self, con, number: int) -> None:
        con.execute(f"PRAGMA user_version = {int(number)}")

    def backup(self, target: Path) -> None:
        """A consistent copy of the live database into ``target`` (SQLite's online backup API)."""
        with self.connection() as con, closing(sqlite3.connect(target)) as out:
            con.backup(out)

    def restore(self, source: Path) -> None:
        """Replace the whole content by a backup file's, in place (readers see the old or the new state)."""
        try:
            with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
                names = {n for (n,) in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if "versions" not in names:
                    message = f"{source} n'est pas une sauvegarde de l'annuaire (pas de table versions)."
                    raise StoreError(message, "file")
                self._prepare()
                with closing(sqlite3.connect(self.path, timeout=self.timeout)) as dst:
                    src.backup(dst)
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{source} n'est pas une sauvegarde SQLite lisible ({first_line(err)}).", "file") from None


def _wal(con: sqlite3.Connection, attempts: int = 100) -> None:
    """Switch to WAL. The switch of a new file can answer "locked" at once, without waiting for the
    busy timeout, while another process makes the same switch: try again, a bounded number of times."""
    for attempt in range(attempts):
        try:
            con.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or attempt == attempts - 1:
                raise
            time.sleep(0.02)
