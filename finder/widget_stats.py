"""Widget loads per partner origin, as the staff dashboard shows them.

The partner-widget feature records loads in the table ``widget_loads(origin, day, count)``
of the store's SQLite file; this module only reads it (creating it empty when absent, with
the same columns, so that both sides agree whichever runs first).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

SCHEMA = "CREATE TABLE IF NOT EXISTS widget_loads (origin TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL)"


def counts(db_path, today: dt.date | None = None, days: int = 30) -> list[dict]:
    """Per origin: loads over the last ``days`` days, in all, and the last day seen; busiest first."""
    since = ((today or dt.date.today()) - dt.timedelta(days=days - 1)).isoformat()
    with closing(sqlite3.connect(db_path, timeout=30)) as con:
        con.execute(SCHEMA)
        rows = con.execute(
            "SELECT origin, SUM(CASE WHEN day >= ? THEN count ELSE 0 END), SUM(count), MAX(day) "
            "FROM widget_loads GROUP BY origin ORDER BY 2 DESC, 3 DESC, origin",
            (since,),
        ).fetchall()
    return [
        {"origin": o, "recent": recent or 0, "total": total or 0, "last_day": last} for o, recent, total, last in rows
    ]
