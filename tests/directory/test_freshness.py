"""Freshness helpers: temporary closures and sites not checked for over a year."""

from __future__ import annotations

import dataclasses
import datetime as dt

from finder.directory import freshness
from finder.domain import hours
from finder.domain.model import Closure
from tests.import_helpers import demo_directory

DAY = dt.date(2026, 11, 28)


def site_with(*closures, date_maj="2026-01-01"):
    return dataclasses.replace(demo_directory().sites[0], closures=closures, date_maj=date_maj)


def test_active_closure_includes_both_ends():
    c = Closure("2026-11-28", "2026-12-02", "Travaux")
    site = site_with(c)
    assert freshness.active_closure(site, DAY) == c
    assert freshness.active_closure(site, "2026-12-02") == c
    assert freshness.active_closure(site, "2026-12-03") is None
    assert freshness.active_closure(site, "2026-11-27") is None


def test_closed_site_is_not_open_now():
    site = site_with(Closure("2026-11-01", "2026-12-31", "Déménagement"))
    monday_10am = dt.datetime(2026, 11, 30, 10, 0)
    status = hours.status(site.opening_hours, site.closures, monday_10am)
    assert status.closure.reason == "Déménagement" and not status.open_now
    assert hours.status(site.opening_hours, (), monday_10am).open_now


def test_current_or_upcoming_closures_sorted():
    past = Closure("2026-01-01", "2026-01-02", "")
    later = Closure("2027-03-01", "2027-03-02", "")
    now = Closure("2026-11-20", "2026-11-30", "")
    assert freshness.current_or_upcoming(site_with(later, past, now), DAY) == [now, later]


def test_stale_sites_oldest_first_never_checked_first():
    d = dataclasses.replace(demo_directory())
    d.sites = [
        dataclasses.replace(d.sites[0], id="a", date_maj="2025-11-27"),  # 366 days
        dataclasses.replace(d.sites[1], id="b", date_maj="2025-11-28"),  # 365 days: still fresh
        dataclasses.replace(d.sites[2], id="c", date_maj=None),
        dataclasses.replace(d.sites[3], id="d", date_maj="2024-05-01"),
    ]
    assert [s.id for s in freshness.stale_sites(d, DAY)] == ["c", "d", "a"]
