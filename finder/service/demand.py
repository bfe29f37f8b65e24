"""Unmet demand: citizen searches counted anonymously, shown with small counts suppressed.

A search is counted once, as (day, commune of origin, profile class, outcome): the commune's
INSEE code (never the address typed, the position or the client address), a coarse profile
class (age band × level of service), and the distance to the nearest site matching the
profile — within 10, 20 or 30 km, beyond, or none at all. Searches without results to show
(a choice of communes, nothing found, bad input) and origins outside the region's communes
are not counted.

Each worker adds up its counts in memory (``Counter``) and writes them in one upsert at most
every DEMAND_FLUSH_SECONDS (and when it exits): the search page pays a dict increment.
Every view and export goes through ``suppress``: a count below ``MIN_COUNT`` is never shown,
and when a row would hide a single cell, the next smallest is hidden too (so a total cannot
give it back).
"""

from __future__ import annotations

import atexit
import datetime as dt
import threading
import time
from collections import Counter as Tally
from dataclasses import dataclass

import numpy as np

from finder.storage import demand as rows
from finder.storage.store import Store

MIN_COUNT = 5
OUTCOMES = (
    ("10km", "Lieu adapté à moins de 10 km"),
    ("20km", "Entre 10 et 20 km"),
    ("30km", "Entre 20 et 30 km"),
    ("au-dela", "Au-delà de 30 km"),
    ("aucun", "Aucun lieu adapté"),
)
UNMET = ("au-dela", "aucun")
AGE_BANDS = (("moins-26", "Moins de 26 ans"), ("26-plus", "26 ans et plus"), ("age-inconnu", "Âge non précisé"))
LEVEL_CLASSES = (
    ("niveau-1", "Information"),
    ("niveau-2", "Conseil et accompagnement"),
    ("niveau-tous", "Tous niveaux"),
)
PROFILES = tuple((f"{a}/{lv}", f"{al} · {ll}") for a, al in AGE_BANDS for lv, ll in LEVEL_CLASSES)  # 9 classes


def profile_class(criteria) -> str:
    age = criteria.age
    band = "age-inconnu" if age is None else ("moins-26" if age < 26 else "26-plus")
    level = f"niveau-{criteria.level}" if criteria.level in (1, 2) else "niveau-tous"
    return f"{band}/{level}"


def outcome_class(nearest_km: float | None) -> str:
    if nearest_km is None:
        return "aucun"
    for code, limit in (("10km", 10), ("20km", 20), ("30km", 30)):
        if nearest_km <= limit:
            return code
    return "au-dela"


def observe(outcome, day: dt.date) -> tuple[str, str, str, str] | None:
    """The key a search outcome (``finder.service.search.Outcome``) counts under, or None (not counted)."""
    if outcome.kind != "results" or outcome.origin is None or outcome.origin.commune is None:
        return None
    return (
        day.isoformat(),
        outcome.origin.commune.insee,
        profile_class(outcome.criteria),
        outcome_class(outcome.nearest_km),
    )


class Counter:
    """Counts of one worker, written at most every ``flush_seconds`` (0: at every search)."""

    def __init__(self, store: Store, flush_seconds: float = 30.0, clock=time.monotonic, today=dt.date.today):
        self.store = store
        self.flush_seconds = flush_seconds
        self.clock = clock
        self.today = today
        self._counts: Tally = Tally()
        self._lock = threading.Lock()
        self._last = clock()
        atexit.register(self.flush)

    def record(self, outcome) -> tuple | None:
        key = observe(outcome, self.today())
        if key is None:
            return None
        with self._lock:
            self._counts[key] += 1
        if self.clock() - self._last >= self.flush_seconds:
            self.flush()
        return key

    def flush(self) -> bool:
        """Write the counts held so far (kept for the next flush if the database failed)."""
        with self._lock:
            counts, self._counts = self._counts, Tally()
            self._last = self.clock()
        if not counts:
            return True
        if rows.add(self.store, dict(counts)):
            return True
        with self._lock:
            self._counts.update(counts)
        return False

    def pending(self) -> dict:
        with self._lock:
            return dict(self._counts)


def suppress(cells: list[int]) -> list[int | None]:
    """Cells as they may be shown: None below MIN_COUNT; a lone hidden cell hides the next smallest too."""
    shown: list[int | None] = [c if c >= MIN_COUNT else None for c in cells]
    hidden = [i for i, c in enumerate(shown) if c is None]
    if len(hidden) == 1 and len(cells) > 1:
        others = [i for i in range(len(cells)) if shown[i] is not None]
        if others:
            shown[min(others, key=lambda i: (cells[i], i))] = None
    return shown


@dataclass(frozen=True)
class Row:
    insee: str
    name: str
    department: str
    total: int  # at least MIN_COUNT (rows below are not shown at all)
    cells: tuple[int | None, ...]  # per OUTCOMES, suppressed
    unmet: int | None  # beyond 30 km or none (None: suppressed)


def table(
    store: Store, geo, since: dt.date, until: dt.date, profile: str | None = None, department: str | None = None
) -> list[Row]:
    """Per commune (searches from it, at least MIN_COUNT), outcomes suppressed; most unmet first."""
    per: dict[str, Tally] = {}
    for commune, prof, outcome, count in rows.totals(store, since.isoformat(), until.isoformat()):
        if profile and prof != profile:
            continue
        per.setdefault(commune, Tally())[outcome] += count
    out = []
    for insee, counts in per.items():
        c = geo.communes.get(insee)
        if c is None or (department and c.department != department):
            continue
        total = sum(counts.values())
        if total < MIN_COUNT:
            continue
        raw = [counts.get(code, 0) for code, _ in OUTCOMES]
        unmet_raw = sum(counts.get(code, 0) for code in UNMET)
        met = total - unmet_raw
        unmet = unmet_raw if unmet_raw >= MIN_COUNT and (met == 0 or met >= MIN_COUNT) else None
        out.append(Row(insee, c.name, c.department, total, tuple(suppress(raw)), unmet))
    return sorted(out, key=lambda r: (-(r.unmet or 0), -r.total, r.insee))


def weights(store: Store, communes, since: dt.date, until: dt.date) -> np.ndarray:
    """Observed searches per commune of ``communes`` (a coverage's ``Communes``), 0 below MIN_COUNT."""
    per: Tally = Tally()
    for commune, _prof, _outcome, count in rows.totals(store, since.isoformat(), until.isoformat()):
        per[commune] += count
    values = [per.get(c.insee, 0) for c in communes.items]
    return np.array([v if v >= MIN_COUNT else 0 for v in values], dtype=np.int64)


def window(days: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    until = today or dt.date.today()
    return until - dt.timedelta(days=days - 1), until
