"""The log of imports: every attempt's report, kept in the store (compressed), the last ones only.

Lets staff download the report of an import after the page that showed it is gone.
"""

from __future__ import annotations

import zlib
from contextlib import closing

from finder.directory.report import Report
from finder.storage.store import Store, now_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS import_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    filename TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    version INTEGER,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    report BLOB NOT NULL
);
"""
KEEP = 200


def record(store: Store, report: Report, author: str, filename: str, dry_run: bool, version: int | None) -> int:
    blob = zlib.compress(report.to_json().encode("utf-8"), 6)
    with closing(store.connect()) as con:
        con.executescript(SCHEMA)
        con.execute("BEGIN IMMEDIATE")
        cur = con.execute(
            "INSERT INTO import_reports (at, author, filename, dry_run, version, errors, warnings, report) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (now_iso(), author, filename, int(dry_run), version, *report.count(), blob),
        )
        con.execute("DELETE FROM import_reports WHERE id <= ?", (cur.lastrowid - KEEP,))
        con.execute("COMMIT")
        return cur.lastrowid


def get(store: Store, report_id: int) -> tuple[dict, Report] | None:
    with closing(store.connect()) as con:
        con.executescript(SCHEMA)
        con.row_factory = lambda cur, row: dict(zip([c[0] for c in cur.description], row))
        row = con.execute("SELECT * FROM import_reports WHERE id=?", (report_id,)).fetchone()
    if row is None:
        return None
    report = Report.from_json(zlib.decompress(row.pop("report")).decode("utf-8"))
    return row, report


def recent(store: Store, limit: int = 20) -> list[dict]:
    with closing(store.connect()) as con:
        con.executescript(SCHEMA)
        con.row_factory = lambda cur, row: dict(zip([c[0] for c in cur.description], row))
        sql = "SELECT id, at, author, filename, dry_run, version, errors, warnings FROM import_reports"
        return con.execute(sql + " ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
