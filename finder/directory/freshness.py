"""Freshness of the directory: when a site was last checked, and its temporary closures.

Pure helpers on model objects; dates are ``datetime.date`` or ISO strings (AAAA-MM-JJ).
"""

from __future__ import annotations

import datetime as dt

from finder.domain import hours
from finder.domain.model import Closure, Directory, Site

STALE_AFTER_DAYS = 365


def as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def active_closure(site: Site, day: dt.date | str) -> Closure | None:
    """The closure covering ``day`` (start and end inclusive), the first one listed if several."""
    return hours.active_closure(site.closures, as_date(day))


def current_or_upcoming(site: Site, day: dt.date | str) -> list[Closure]:
    """Closures not yet over on ``day``, by start date: what citizens should be told about."""
    day = as_date(day)
    return sorted((c for c in site.closures if as_date(c.end) >= day), key=lambda c: c.start)


def is_stale(site: Site, today: dt.date | str) -> bool:
    """True when the site was never checked or not checked for more than a year."""
    if not site.date_maj:
        return True
    return (as_date(today) - as_date(site.date_maj)).days > STALE_AFTER_DAYS


def unconfirmed(date_maj: str | None, today: dt.date | str, days: int) -> bool:
    """Not confirmed for more than ``days`` days (never confirmed counts as unconfirmed)."""
    return not date_maj or (as_date(today) - as_date(date_maj)).days > days


def visible(directory: Directory, today: dt.date | str, hide_after_days: int) -> Directory:
    """The directory without the sites not confirmed for more than ``hide_after_days`` days (0: all kept)."""
    if not hide_after_days:
        return directory
    kept = [s for s in directory.sites if not unconfirmed(s.date_maj, today, hide_after_days)]
    return Directory(info=directory.info, structures=directory.structures, sites=kept)


def stale_sites(directory: Directory, today: dt.date | str) -> list[Site]:
    """Sites to check again, the oldest first (never-checked ones first of all)."""
    stale = [s for s in directory.sites if is_stale(s, today)]
    return sorted(stale, key=lambda s: (s.date_maj or "", s.id))
