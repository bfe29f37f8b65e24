"""Opening hours: OpenStreetMap ``opening_hours`` evaluated in Europe/Paris time.

Parsing and evaluation by opening-hours-py (French public holidays with ``PH``).
Temporary closures recorded on a site override the expression.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, ParserError, State

from finder.domain.model import Closure

PARIS = ZoneInfo("Europe/Paris")
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def now_paris() -> dt.datetime:
    """Current local time in Paris, naive (what opening_hours expressions mean)."""
    return dt.datetime.now(PARIS).replace(tzinfo=None, microsecond=0)


@lru_cache(maxsize=512)
def parse(expression: str) -> OpeningHours | None:
    """The parsed expression, None when it is not valid OSM syntax."""
    try:
        return OpeningHours(expression, country="FR")
    except (ParserError, SyntaxError, ValueError):
        return None


def is_valid(expression: str) -> bool:
    return parse(expression) is not None


def active_closure(closures, day: dt.date) -> Closure | None:
    """The temporary closure covering ``day``, if any."""
    iso = day.isoformat()
    for c in closures or ():
        if c.start <= iso <= c.end:
            return c
    return None


@dataclass(frozen=True)
class Status:
    known: bool
    open_now: bool
    today: list[tuple[str, str]]  # [("08:30", "12:30"), ...]
    next_opening: dt.datetime | None
    closure: Closure | None

    @property
    def today_text(self) -> str:
        if self.closure:
            return "fermé temporairement"
        if not self.known:
            return "horaires non renseignés"
        if not self.today:
            return "fermé aujourd'hui"
        return ", ".join(f"{a}–{b}" for a, b in self.today)


def day_intervals(oh: OpeningHours, day: dt.date) -> list[tuple[str, str]]:
    start = dt.datetime.combine(day, dt.time())
    out = []
    for a, b, state, _ in oh.intervals(start, start + dt.timedelta(days=1)):
        if state == State.OPEN:
            end = "24:00" if b.date() > day else b.strftime("%H:%M")
            out.append((a.strftime("%H:%M"), end))
    return out


def status(expression: str | None, closures=(), now: dt.datetime | None = None) -> Status:
    """Today's hours, open now and next opening, at ``now`` (naive Paris time)."""
    now = now or now_paris()
    closure = active_closure(closures, now.date())
    oh = parse(expression) if expression else None
    if oh is None:
        return Status(False, False, [], None, closure)
    today = day_intervals(oh, now.date())
    open_now = closure is None and oh.is_open(now)
    return Status(True, open_now, today, next_opening(oh, closures, now), closure)


def next_opening(oh: OpeningHours, closures, now: dt.datetime) -> dt.datetime | None:
    """The next time the place opens after ``now``, skipping temporary closures (within 60 days)."""
    t = now
    horizon = now + dt.timedelta(days=60)
    while t < horizon:
        if oh.is_open(t) and active_closure(closures, t.date()) is None:
            return t if t > now else None
        change = oh.next_change(t)
        if change is None or change > horizon:
            return None
        if oh.is_open(change) and active_closure(closures, change.date()) is None:
            return change
        t = change if change > t else t + dt.timedelta(minutes=1)
    return None


def week(expression: str | None, start: dt.date) -> list[tuple[str, dt.date, list[tuple[str, str]]]]:
    """Seven days from ``start``: (French day name, date, opening intervals)."""
    oh = parse(expression) if expression else None
    out = []
    for i in range(7):
        day = start + dt.timedelta(days=i)
        out.append((DAYS[day.weekday()], day, day_intervals(oh, day) if oh else []))
    return out


def format_when(t: dt.datetime, now: dt.datetime) -> str:
    """'aujourd'hui à 13:30', 'demain à 08:30', 'lundi 30/11 à 08:30'."""
    hm = t.strftime("%H:%M")
    if t.date() == now.date():
        return f"aujourd'hui à {hm}"
    if t.date() == now.date() + dt.timedelta(days=1):
        return f"demain à {hm}"
    return f"{DAYS[t.weekday()]} {t:%d/%m} à {hm}"
