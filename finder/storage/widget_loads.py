"""Anonymous counts of widget loads per partner origin and day: ``widget_loads(origin, day, count)``.

Only the host page's origin and the day are kept. Which loads count, and whose origin it
is, is decided by ``finder.service.usage``.
"""

from __future__ import annotations

import datetime as dt
import logging

from finder.storage.store import Store

log = logging.getLogger(__name__)
COUNT_TIMEOUT = 2.0  # seconds a page waits for the database before giving up counting


def record(store: Store, origin: str, day: dt.date | None = None) -> bool:
    """Count one load; False (logged) when the database is unavailable: never breaks a page."""
    day = (day or dt.date.today()).isoformat()
    try:
        with store.db.connection(timeout=COUNT_TIMEOUT) as con:
            con.execute(
                "INSERT INTO widget_loads (origin, day, count) VALUES (?, ?, 1) "
                "ON CONFLICT (origin, day) DO UPDATE SET count = widget_loads.count + 1",
                (origin, day),
            )
        return True
    except store.db.Error as err:
        log.warning("widget load not counted (%s): %s", origin, err)
        return False


def counts(store: Store) -> list[dict]:
    """Every (origin, day, count), latest day first, then by origin."""
    with store.db.connection() as con:
        rows = con.execute("SELECT origin, day, count FROM widget_loads ORDER BY day DESC, origin").fetchall()
    return [{"origin": o, "day": d, "count": c} for o, d, c in rows]


def totals(store: Store) -> list[dict]:
    """Per origin: total loads, first and last day; most loads first."""
    with store.db.connection() as con:
        rows = con.execute(
            "SELECT origin, SUM(count), MIN(day), MAX(day) FROM widget_loads GROUP BY origin "
            "ORDER BY SUM(count) DESC, origin"
        ).fetchall()
    return [{"origin": o, "count": c, "first_day": f, "last_day": la} for o, c, f, la in rows]


def summary(store: Store, today: dt.date | None = None, days: int = 30) -> list[dict]:
    """Per origin, for the staff dashboard: loads over the last ``days`` days, in all, and the last day seen."""
    since = ((today or dt.date.today()) - dt.timedelta(days=days - 1)).isoformat()
    with store.db.connection() as con:
        rows = con.execute(
            "SELECT origin, SUM(CASE WHEN day >= ? THEN count ELSE 0 END), SUM(count), MAX(day) "
            "FROM widget_loads GROUP BY origin ORDER BY 2 DESC, 3 DESC, origin",
            (since,),
        ).fetchall()
    return [{"origin": o, "recent": r or 0, "total": t or 0, "last_day": last} for o, r, t, last in rows]
