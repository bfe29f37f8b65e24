"""The SQLite database behind a store: connections, transactions and applying the schema.

The one class that knows the backend. Every storage module goes through a ``Store``, whose
``db`` is one of these; a second backend (PostgreSQL) would be another class with the same
methods (``connection``, ``transaction``, ``snapshot``, ``migrate``, ``exists``, ``Error``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from finder.storage import schema


class SQLiteDatabase:
    """One SQLite file in WAL mode (readers never wait for the writer)."""

    # DB-API exception classes, so that callers need not know the backend.
    Error = sqlite3.Error  # anything the database raises
    OperationalError = sqlite3.OperationalError  # cannot open, locked, no such table

    def __init__(self, path: Path | str, timeout: float = 30.0):
        self.path = Path(path)
        self.timeout = timeout

    def exists(self) -> bool:
        """Whether the database file is there (nothing is created by asking)."""
        return self.path.exists()

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode (each statement its own transaction), closed on exit.

        ``timeout``: seconds to wait for a lock held by another process.
        """
        con = sqlite3.connect(self.path, timeout=self.timeout if timeout is None else timeout, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
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

    def migrate(self) -> None:
        """Create the file (and its folder) and every table missing from it. Safe from several processes."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connection() as con:
            for statement in schema.statements():
                con.execute(statement)
