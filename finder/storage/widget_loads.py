"""Anonymous counts of widget loads per partner origin and day: ``widget_loads(origin, day, count)``.

Only the host page's origin and the day are kept. Which loads count, whose origin it is
and how many new origins a day may bring are decided by ``finder.service.usage``.
"""

from __future__ import annotations

import datetime as dt
import logging

from finder.storage.store import Store

log = logging.getLogger(__name__)
COUNT_TIMEOUT = 2.0  # seconds a page waits for the database before giving up counting


def record(
    store: Store,
    origin: str,
    day: dt.date | None = None,
    max_new_origins: int | None = None,
    overflow: str | None = None,
) -> str | None:
    """Count one load; the origin it was counted under, None (logged) when the database is unavailable.

    ``max_new_origins``: once that many origins were seen for the first time on ``day``, a
    load from yet another new origin is counted under ``overflow`` instead (checked and
    counted in one write transaction). Never breaks a page.
    """
    day_text = (day or dt.date.today()).isoformat()
    try:
        with store.db.transaction(timeout=COUNT_TIMEOUT) as con:
            if (
                max_new_origins is not None
                and origin != overflow
                and _new_today(con, origin, day_text, max_new_origins)
            ):
                origin = overflow
            con.execute(
                "INSERT INTO widget_loads (origin, day, count) VALUES (?, ?, 1) "
                "ON CONFLICT (origin, day) DO UPDATE SET count = widget_loads.count + 1",
                (origin, day_text),
            )
        return origin
    except store.db.Error as err:
        log.warning("widget load not counted (%s): %s", origin, err)
        return None


def _new_today(con, origin: str, day: str, cap: int) -> bool:
    """Whether ``origin`` was never seen and ``cap`` origins were already seen first on ``day``."""
    if con.execute("SELECT 1 FROM widget_loads WHERE origin=?", (origin,)).fetchone():
        return False
    (firsts,) = con.execute(
        "SELECT COUNT(*) FROM (SELECT origin FROM widget_loads GROUP BY origin HAVING MIN(day) = ?) AS firsts",
        (day,),
    ).fetchone()
    return firsts >= cap


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


def summary(store: Store, today: dt.date | None = None, days: int = 30, top: int | None = None) -> list[dict]:
    """Per origin, for the staff dashboard: loads over the last ``days`` days, in all, and the last day seen.

    Most recent loads first; the first ``top`` origins only when given.
    """
    since = _since(today, days)
    with store.db.connection() as con:
        rows = con.execute(
            "SELECT origin, SUM(CASE WHEN day >= ? THEN count ELSE 0 END), SUM(count), MAX(day) "
            "FROM widget_loads GROUP BY origin ORDER BY 2 DESC, 3 DESC, origin"
            + (" LIMIT ?" if top is not None else ""),
            (since,) if top is None else (since, top),
        ).fetchall()
    return [{"origin": o, "recent": r or 0, "total": t or 0, "last_day": last} for o, r, t, last in rows]


def overall(store: Store, today: dt.date | None = None, days: int = 30) -> dict:
    """Every origin together: how many, loads over the last ``days`` days and in all."""
    with store.db.connection() as con:
        origins, recent, total = con.execute(
            "SELECT COUNT(DISTINCT origin), SUM(CASE WHEN day >= ? THEN count ELSE 0 END), SUM(count) "
            "FROM widget_loads",
            (_since(today, days),),
        ).fetchone()
    return {"origins": origins, "recent": recent or 0, "total": total or 0}


def _since(today: dt.date | None, days: int) -> str:
    return ((today or dt.date.today()) - dt.timedelta(days=days - 1)).isoformat()
