"""Who embeds the widget: the partner origin of a load, counted anonymously per origin and day.

Only the host page's origin (``https://www.example.fr``) and the day are kept: no address,
no path, no cookie, no identifier. Loads from our own pages are not counted. The counts
live in ``finder.storage.widget_loads``.

The counts are indicative: the origin is what the browser's Referer or the host page
declares, and anybody can forge either. So a client's loads are counted only within a
budget (the web layer keeps it, per client, like the rate limit), a day admits at most
``max_new_origins`` origins never seen before (the loads of further new ones are counted
under ``OVERFLOW``), and the dashboard lists the first origins and sums up the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlsplit

from finder.storage import widget_loads
from finder.storage.store import Store

UNKNOWN = "inconnu"
OVERFLOW = "autres (nouvelles origines au-delà du plafond du jour)"
MAX_ORIGIN = 200


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


def count_load(
    store: Store,
    referrer: str | None,
    declared: str | None,
    own_host: str,
    day: dt.date | None = None,
    max_new_origins: int | None = None,
    allowed: Callable[[], bool] | None = None,
) -> str | None:
    """Count one widget load under its partner origin; the origin counted, None when not counted.

    ``allowed()``, asked only for a partner's load: whether this client's loads may still be
    counted (its budget). Never raises for a database problem (the load is then only logged).
    """
    origin = partner_origin(referrer, declared, own_host)
    if origin is None or (allowed is not None and not allowed()):
        return None
    return widget_loads.record(store, origin, day, max_new_origins, OVERFLOW) or origin


def dashboard(store: Store, today: dt.date | None = None, top: int = 20) -> tuple[list[dict], dict | None]:
    """The ``top`` origins of the last 30 days, and the rest summed up (None when nothing is left)."""
    rows = widget_loads.summary(store, today, top=top)
    every = widget_loads.overall(store, today)
    rest = {
        "origins": every["origins"] - len(rows),
        "recent": every["recent"] - sum(r["recent"] for r in rows),
        "total": every["total"] - sum(r["total"] for r in rows),
    }
    return rows, (rest if rest["origins"] > 0 else None)
