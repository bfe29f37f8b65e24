"""Which database a store speaks to, and what both backends share: migrations, errors, the URL.

``open_database(url)``: a ``postgresql://`` URL gives a ``postgres.PostgresDatabase``, anything
else is the path of a SQLite file (``sqlite.SQLiteDatabase``). Both classes have the same
interface, the one every storage module uses:

- ``connection(timeout=None)``: a connection in autocommit mode, as a context manager;
- ``transaction(timeout=None)``: a write transaction, committed on exit, rolled back on error.
  One writer at a time on both backends (SQLite ``BEGIN IMMEDIATE``; on PostgreSQL a
  transaction-scoped advisory lock), so read-then-write sequences need no other locking;
- ``snapshot()``: a read transaction where every statement sees the same state;
- ``migrate()``, ``schema_version()``, ``ping()``, ``backup(file)``, ``restore(file)``, ``close()``;
- ``Error``: the tuple of exceptions meaning "the database failed" (driver errors and
  ``Unavailable``), so callers need not know the backend.

Connections speak one SQL text for both backends: ``?`` placeholders, SQLite's DDL (the
PostgreSQL class translates both in one place), ``INSERT … RETURNING id`` for new keys,
``ON CONFLICT … DO UPDATE`` for upserts, integers 0/1 for booleans, ISO 8601 text for dates.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from urllib.parse import urlsplit

from finder.errors import StoreError
from finder.storage import schema

log = logging.getLogger(__name__)
POSTGRES_SCHEMES = ("postgresql", "postgres")
SETTING = "DATABASE_URL"


class Unavailable(StoreError):
    """The database cannot be reached or opened (wrong DATABASE_URL, server down, unreadable file)."""

    code = "database_unavailable"

    def __init__(self, message: str):
        super().__init__(message, field=SETTING)


def is_postgres(url: str) -> bool:
    return urlsplit(str(url)).scheme.lower() in POSTGRES_SCHEMES


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(str(url))
    if not parts.password:
        return str(url)
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def first_line(err: BaseException) -> str:
    """A driver's message on one line (libpq's are often several)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


def driver_errors() -> tuple:
    """Every exception class meaning "the database failed", for adapters that do not hold a store."""
    import sqlite3
    import sys

    found = [sqlite3.Error, Unavailable]
    if "psycopg" in sys.modules:  # not imported: no PostgreSQL error can have happened
        found.append(sys.modules["psycopg"].Error)
    return tuple(found)


def open_database(url: str, timeout: float = 30.0):
    """The database behind ``url``: PostgreSQL for a ``postgresql://`` URL, else a SQLite file path."""
    if is_postgres(url):
        from finder.storage.postgres import PostgresDatabase  # psycopg is imported only when used

        return PostgresDatabase(str(url), timeout)
    if "://" in str(url):
        raise Unavailable(
            f"DATABASE_URL : « {redacted(url)} » n'est ni un chemin de fichier SQLite ni une URL postgresql://."
        )
    from finder.storage.sqlite import SQLiteDatabase

    return SQLiteDatabase(url, timeout)


class Database(ABC):
    """What both backends share: applying the numbered migrations of ``schema`` under the writer lock."""

    dialect = ""  # "sqlite" or "postgresql"
    Error: tuple = (Unavailable,)

    @abstractmethod
    def transaction(self, timeout: float | None = None) -> AbstractContextManager: ...

    @abstractmethod
    def _read_version(self, con) -> int: ...

    @abstractmethod
    def _write_version(self, con, number: int) -> None: ...

    def ddl(self, statement: str) -> str:
        """A statement of ``schema`` (SQLite's dialect) as this backend reads it."""
        return statement

    def close(self) -> None:  # noqa: B027 (an optional hook: nothing to do by default)
        """Close the connections kept for reuse, if the backend keeps any."""

    def _prepare(self) -> None:  # noqa: B027 (an optional hook)
        """Whatever must exist before the first transaction (the SQLite file's folder)."""

    def schema_version(self) -> int:
        """The number of the last migration applied (0: an empty database)."""
        with self.transaction() as con:
            return self._read_version(con)

    def migrate(self) -> tuple[int, int]:
        """Apply the migrations not yet applied, each recorded; returns (version before, version after).

        Runs inside one write transaction, so that processes starting together (several
        workers, several hosts) apply each migration once: the others wait, then find nothing
        to do. A database newer than this program is left alone (logged): its extra columns
        and tables do not hinder this version.
        """
        self._prepare()
        with self.transaction() as con:
            before = current = self._read_version(con)
            if current > schema.LATEST:
                log.warning("database schema %s is newer than this program's (%s)", current, schema.LATEST)
                return before, current
            for migration in schema.MIGRATIONS[current:]:
                for statement in migration.statements:
                    con.execute(self.ddl(statement))
                if migration.fill:
                    migration.fill(con)
                current = migration.number
                self._write_version(con, current)
        if current != before:
            log.info("database schema migrated from %s to %s", before, current)
        return before, current

    def ping(self, timeout: float = 2.0) -> bool:
        """Whether the database answers a trivial query within about ``timeout`` seconds."""
        try:
            with self.connection(timeout=timeout) as con:
                con.execute("SELECT 1").fetchone()
            return True
        except self.Error:
            return False

    @abstractmethod
    def connection(self, timeout: float | None = None) -> AbstractContextManager: ...
