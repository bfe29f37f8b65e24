"""The log of imports: every attempt's report, kept in the store (compressed), the last ones only.

Lets staff download the report of an import after the page that showed it is gone. The
report is stored as the JSON text the caller gives (``finder.directory.report``'s format)
and handed back as such.
"""

from __future__ import annotations

import zlib

from finder.storage import audit
from finder.storage.store import Store, dicts, now_iso

KEEP = 200


def record(
    store: Store,
    report_json: str,
    errors: int,
    warnings: int,
    author: str,
    filename: str,
    dry_run: bool,
    version: int | None,
) -> int:
    """Keep one report (dropping those older than the last ``KEEP``); returns its id."""
    blob = zlib.compress(report_json.encode("utf-8"), 6)
    with store.db.transaction() as con:
        (report_id,) = con.execute(
            "INSERT INTO import_reports (at, author, filename, dry_run, version, errors, warnings, report) "
            "VALUES (?,?,?,?,?,?,?,?) RETURNING id",
            (now_iso(), author, filename, int(dry_run), version, errors, warnings, blob),
        ).fetchone()
        con.execute("DELETE FROM import_reports WHERE id <= ?", (report_id - KEEP,))
    audit.event(
        "import", report=report_id, file=filename, by=author, dry_run=dry_run, version=version, errors=errors,
        warnings=warnings,
    )  # fmt: skip
    return report_id


def get(store: Store, report_id: int) -> tuple[dict, str] | None:
    """The report's facts (id, at, author, filename, dry_run, version, errors, warnings) and its JSON text."""
    with store.db.connection() as con:
        rows = dicts(con.execute("SELECT * FROM import_reports WHERE id=?", (report_id,)))
    if not rows:
        return None
    row = rows[0]
    return row, zlib.decompress(bytes(row.pop("report"))).decode("utf-8")


def recent(store: Store, limit: int = 20) -> list[dict]:
    """The last reports' facts, newest first."""
    with store.db.connection() as con:
        sql = "SELECT id, at, author, filename, dry_run, version, errors, warnings FROM import_reports"
        return dicts(con.execute(sql + " ORDER BY id DESC LIMIT ?", (limit,)))
