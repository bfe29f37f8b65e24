"""Who embeds the widget: the partner origin of a load, counted anonymously per origin and day.

Only the host page's origin (``https://www.example.fr``) and the day are kept: no address,
no path, no cookie, no identifier. Loads from our own pages are not counted. The counts
live in ``finder.storage.widget_loads``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from finder.storage import widget_loads
from finder.storage.store import Store

UNKNOWN = "inconnu"
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
    store: Store, referrer: str | None, declared: str | None, own_host: str, day: dt.date | None = None
) -> str | None:
    """Count one widget load under its partner origin; the origin counted, None for our own pages.

    Never raises for a database problem (the load is then only logged as not counted).
    """
    origin = partner_origin(referrer, declared, own_host)
    if origin is not None:
        widget_loads.record(store, origin, day)
    return origin
