"""Anonymous counting of widget loads per partner site (host origin) and day.

Only the host page's origin (``https://www.example.fr``) and the day are kept: no
address, no path, no cookie, no identifier. The table lives in the store's SQLite
database: ``widget_loads(origin, day, count)``.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

UNKNOWN = "inconnu"
MAX_ORIGIN = 200
SCHEMA = """
CREATE TABLE IF NOT EXISTS widget_loads (
    origin TEXT NOT NULL,
    day TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (origin, day)
)
"""


def origin_of(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, lower-cased; None when it is not one."""
    if not url or len(url) > 2000:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")
    return origin if len(origin) <= MAX_ORIGIN else None


def partner_origin(referrer: str | None, declared: str | None, own_host: str) -> str | None:
    """Who embeds the widget, or None when the load comes from our own pages (not counted).

    The Referer's origin first (the browser's word); else the origin that embed.js
    declared; else "inconnu".
    """
    ref = origin_of(referrer)
    if ref is not None:
        return None if urlsplit(ref).netloc == own_host.lower() else ref
    declared_origin = origin_of(declared)
    if declared_origin is not None and urlsplit(declared_origin).netloc != own_host.lower():
        return declared_origin
    return UNKNOWN


def _connect(db_path) -> sqlite3.Connection:
    con = sqlite3.connect(Path(db_path), timeout=2, isolation_level=None)
    con.execute(SCHEMA)
    return con


def record(db_path, origin: str, day: dt.date | None = None) -> bool:
    """Count one load; False (logged) when the database is unavailable: never breaks a page."""
    day = (day or dt.date.today()).isoformat()
    try:
        with closing(_connect(db_path)) as con:
            con.execute(
                "INSERT INTO widget_loads (origin, day, count) VALUES (?, ?, 1) "
                "ON CONFLICT (origin, day) DO UPDATE SET count = count + 1",
                (origin, day),
            )
        return True
    except sqlite3.Error as err:
        log.warning("widget load not counted (%s): %s", origin, err)
        return False


def counts(db_path) -> list[dict]:
    """Every (origin, day, count), latest day first, then by origin."""
    with closing(_connect(db_path)) as con:
        rows = con.execute("SELECT origin, day, count FROM widget_loads ORDER BY day DESC, origin").fetchall()
    return [{"origin": o, "day": d, "count": c} for o, d, c in rows]


def totals(db_path) -> list[dict]:
    """Per origin: total loads, first and last day; most loads first."""
    with closing(_connect(db_path)) as con:
        rows = con.execute(
            "SELECT origin, SUM(count), MIN(day), MAX(day) FROM widget_loads GROUP BY origin "
            "ORDER BY SUM(count) DESC, origin"
        ).fetchall()
    return [{"origin": o, "count": c, "first_day": f, "last_day": la} for o, c, f, la in rows]


def summary(db_path, today: dt.date | None = None, days: int = 30) -> list[dict]:
    """Per origin, for the staff dashboard: loads over the last ``days`` days, in all, and the last day seen."""
    since = ((today or dt.date.today()) - dt.timedelta(days=days - 1)).isoformat()
    with closing(_connect(db_path)) as con:
        rows = con.execute(
            "SELECT origin, SUM(CASE WHEN day >= ? THEN count ELSE 0 END), SUM(count), MAX(day) "
            "FROM widget_loads GROUP BY origin ORDER BY 2 DESC, 3 DESC, origin",
            (since,),
        ).fetchall()
    return [{"origin": o, "recent": r or 0, "total": t or 0, "last_day": last} for o, r, t, last in rows]
