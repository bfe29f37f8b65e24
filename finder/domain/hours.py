"""Opening hours: OpenStreetMap ``opening_hours`` evaluated in Europe/Paris time, said in French.

Parsing and evaluation by opening-hours-py (``country="FR"``: it knows the French public
holidays for ``PH``). Temporary closures recorded on a site override the expression. On a public
holiday (``finder.domain.holidays``) an expression that does not state ``PH`` says nothing
reliable: the status is « jour férié : appelez avant », never open.

Citizens never see the code: ``describe`` renders any valid expression as French lines per day,
``week_days`` the next seven days, ``format_date`` and ``format_when`` dates in words. For the
import: ``overrides`` (a later rule replacing an earlier one's hours on some days),
``misplaced_exceptions`` (holidays or closures cancelled by a later rule), ``added_up`` and
``as_written`` (the expression rewritten without overlapping rules).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, ParserError, State

from finder.domain import holidays
from finder.domain.model import Closure
from finder.text import N_, join

PARIS = ZoneInfo("Europe/Paris")
DAYS = [N_("lundi"), N_("mardi"), N_("mercredi"), N_("jeudi"), N_("vendredi"), N_("samedi"), N_("dimanche")]
MONTHS = [
    N_("janvier"),
    N_("février"),
    N_("mars"),
    N_("avril"),
    N_("mai"),
    N_("juin"),
    N_("juillet"),
    N_("août"),
    N_("septembre"),
    N_("octobre"),
    N_("novembre"),
    N_("décembre"),
]
NBSP = "\u00a0"  # inside « 8 h 30 », so a time never breaks across lines
CALL_FIRST = "jour férié : appelez avant"
# Selectors that make a rule an exception: months, dates, years, weeks, holidays.
NARROW = re.compile(r"(?<![A-Za-z])(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|PH|SH|easter|week)(?![a-z])|\d{4}")
CLOSING = re.compile(r"(?<![A-Za-z])(off|closed)(?![a-z])")
HOLIDAY_SELECTOR = re.compile(r"(?<![A-Za-z])PH(?![a-z])")
COMMENT = re.compile(r'"[^"]*"')
REFERENCE_WEEKS = (dt.date(2026, 3, 2), 35)  # five weeks from a Monday, no public holiday
REFERENCE_YEAR = (dt.date(2026, 1, 1), 365)
MAX_EXCEPTIONS = 4


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


# -- French wording ------------------------------------------------------------------------


def clock(hm: str) -> str:
    """'08:30' -> '8 h 30', '12:00' -> '12 h' (no-break spaces)."""
    h, m = hm.split(":")
    if m == "00":
        return N_("%(h)s\u00a0h", h=int(h))
    return N_("%(h)s\u00a0h\u00a0%(m)s", h=int(h), m=m)


def span_text(start: str, end: str) -> str:
    """'8 h 30 – 12 h 30'; a whole day is 'toute la journée'."""
    if (start, end) == ("00:00", "24:00"):
        return N_("toute la journée")
    return join(" – ", [clock(start), clock(end)])


def format_date(day: dt.date, *, weekday: bool = False, year: bool = True) -> str:
    """'22 mars 2026', '1er mai 2026'; with weekday and without year: 'lundi 22 mars'."""
    number = N_("1er") if day.day == 1 else day.day
    month = MONTHS[day.month - 1]
    if year:
        text = N_("%(day)s %(month)s %(year)s", day=number, month=month, year=day.year)
    else:
        text = N_("%(day)s %(month)s", day=number, month=month)
    return N_("%(weekday)s %(date)s", weekday=DAYS[day.weekday()], date=text) if weekday else text


def format_when(t: dt.datetime, now: dt.datetime) -> str:
    """'aujourd'hui à 13 h 30', 'demain à 8 h 30', 'lundi 30 novembre à 8 h 30'."""
    hm = clock(t.strftime("%H:%M"))
    if t.date() == now.date():
        return N_("aujourd'hui à %(time)s", time=hm)
    if t.date() == now.date() + dt.timedelta(days=1):
        return N_("demain à %(time)s", time=hm)
    return N_("%(date)s à %(time)s", date=format_date(t.date(), weekday=True, year=t.year != now.year), time=hm)


def weekdays_text(weekdays, article: bool = False) -> str:
    """[0, 1, 2] -> 'du lundi au mercredi'; [0, 3] -> 'lundi et jeudi' ('le lundi et le jeudi' with
    ``article``); [5] -> 'samedi'."""
    days = sorted(set(weekdays))
    groups: list[list[int]] = []
    for d in days:
        if groups and d == groups[-1][-1] + 1:
            groups[-1].append(d)
        else:
            groups.append([d])
    parts = []
    for g in groups:
        if len(g) >= 3:
            parts.append(N_("du %(first)s au %(last)s", first=DAYS[g[0]], last=DAYS[g[-1]]))
        else:
            parts += [N_("le %(day)s", day=DAYS[d]) if article else DAYS[d] for d in g]
    if len(parts) == 1:
        return parts[0]
    return N_("%(first)s et %(last)s", first=join(", ", parts[:-1]), last=parts[-1])


@dataclass(frozen=True)
class Span:
    """A stretch of one day with the place open (or maybe open: ``unknown``)."""

    start: str  # "08:30"
    end: str  # "12:30"; "24:00" when it runs to midnight
    unknown: bool = False
    comment: str = ""

    @property
    def text(self) -> str:
        hours = span_text(self.start, self.end)
        if self.comment:
            return N_("%(hours)s (%(note)s)", hours=hours, note=self.comment)
        if self.unknown:
            return N_("%(hours)s (%(note)s)", hours=hours, note=N_("à confirmer"))
        return hours


def spans_text(spans) -> str:
    return join(", ", [s.text for s in spans]) if spans else CLOSED


CLOSED = N_("fermé")


# -- status now ------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def states_holidays(expression: str | None) -> bool:
    """True when the expression says something about public holidays (a ``PH`` selector)."""
    return bool(expression) and bool(HOLIDAY_SELECTOR.search(COMMENT.sub("", expression)))


@dataclass(frozen=True)
class Status:
    known: bool
    open_now: bool
    today: list[tuple[str, str]]  # [("08:30", "12:30"), ...]
    next_opening: dt.datetime | None
    closure: Closure | None
    holiday: str | None = None  # today's public holiday, if any ("Noël")
    holiday_stated: bool = False  # whether the expression states PH

    @property
    def call_first(self) -> bool:
        """A public holiday the hours say nothing about: the citizen should call before going."""
        return self.known and self.holiday is not None and not self.holiday_stated and self.closure is None

    @property
    def today_text(self) -> str:
        if self.closure:
            return N_("fermé temporairement")
        if not self.known:
            return N_("horaires non renseignés")
        if self.call_first:
            return N_("jour férié : appelez avant")
        if not self.today:
            return N_("jour férié : fermé") if self.holiday else N_("fermé aujourd'hui")
        return join(", ", [span_text(a, b) for a, b in self.today])

    @property
    def headline(self) -> str:
        """What to say first: 'Ouvert maintenant', 'Fermé maintenant', 'Jour férié : appelez avant'…"""
        if self.closure:
            return N_("Fermé temporairement")
        if not self.known:
            return N_("Horaires non renseignés")
        if self.call_first:
            return N_("Jour férié : appelez avant")
        return N_("Ouvert maintenant") if self.open_now else N_("Fermé maintenant")


def day_intervals(oh: OpeningHours, day: dt.date) -> list[tuple[str, str]]:
    start = dt.datetime.combine(day, dt.time())
    out = []
    for a, b, state, _ in oh.intervals(start, start + dt.timedelta(days=1)):
        if state == State.OPEN:
            end = "24:00" if b.date() > day else b.strftime("%H:%M")
            out.append((a.strftime("%H:%M"), end))
    return out


def _blocked(closures, holidays_stated: bool):
    """Days the expression cannot be trusted on: temporary closures, holidays it does not state."""

    def blocked(day: dt.date) -> bool:
        unstated_holiday = not holidays_stated and holidays.name(day) is not None
        return unstated_holiday or active_closure(closures, day) is not None

    return blocked


def status(expression: str | None, closures=(), now: dt.datetime | None = None) -> Status:
    """Today's hours, open now and next opening, at ``now`` (naive Paris time)."""
    now = now or now_paris()
    closure = active_closure(closures, now.date())
    holiday = holidays.name(now.date())
    oh = parse(expression) if expression else None
    if oh is None:
        return Status(False, False, [], None, closure, holiday)
    stated = states_holidays(expression)
    open_now = oh.is_open(now) and not _blocked(closures, stated)(now.date())
    nxt = next_opening(oh, closures, now, stated)
    return Status(True, open_now, day_intervals(oh, now.date()), nxt, closure, holiday, stated)


def next_opening(oh: OpeningHours, closures, now: dt.datetime, holidays_stated: bool = True) -> dt.datetime | None:
    """The next time the place opens after ``now`` (within 60 days), skipping temporary closures and,
    when the expression does not state them, public holidays. None when open now."""
    blocked = _blocked(closures, holidays_stated)
    if oh.is_open(now) and not blocked(now.date()):
        return None
    t = now
    horizon = now + dt.timedelta(days=60)
    while t < horizon:
        # Step to the next change of state, or to midnight: a day may be blocked while the next is not.
        midnight = dt.datetime.combine(t.date() + dt.timedelta(days=1), dt.time())
        change = oh.next_change(t)
        t = midnight if change is None or change <= t else min(change, midnight)
        if t > horizon:
            return None
        if oh.is_open(t) and not blocked(t.date()):
            return t
    return None


def week(expression: str | None, start: dt.date) -> list[tuple[str, dt.date, list[tuple[str, str]]]]:
    """Seven days from ``start``: (French day name, date, opening intervals)."""
    oh = parse(expression) if expression else None
    out = []
    for i in range(7):
        day = start + dt.timedelta(days=i)
        out.append((DAYS[day.weekday()], day, day_intervals(oh, day) if oh else []))
    return out


@dataclass(frozen=True)
class WeekDay:
    date: dt.date
    label: str  # "lundi 22 mars"
    text: str  # "8 h 30 – 12 h 30", "fermé", "jour férié (Noël) : appelez avant"…
    holiday: str | None
    closure: Closure | None


def week_days(expression: str | None, start: dt.date, closures=()) -> list[WeekDay]:
    """The seven days from ``start`` in French, holidays and temporary closures said as such.
    Empty when the hours are unknown."""
    oh = parse(expression) if expression else None
    if oh is None:
        return []
    spans = _day_spans(oh, start, 7)
    stated = states_holidays(expression)
    out = []
    for day, day_spans in spans.items():
        holiday = holidays.name(day)
        closure = active_closure(closures, day)
        text = spans_text(day_spans)
        if closure:
            text = (
                N_("fermé temporairement (%(reason)s)", reason=closure.reason)
                if closure.reason
                else N_("fermé temporairement")
            )
        elif holiday:
            text = N_("jour férié (%(name)s) : %(hours)s", name=holiday, hours=text if stated else N_("appelez avant"))
        out.append(WeekDay(day, format_date(day, weekday=True, year=False), text, holiday, closure))
    return out


# -- the whole expression in French --------------------------------------------------------


@dataclass(frozen=True)
class DayHours:
    weekday: int  # 0 = Monday
    spans: tuple[Span, ...]

    @property
    def name(self) -> str:
        return DAYS[self.weekday]

    @property
    def text(self) -> str:
        return spans_text(self.spans)

    @property
    def line(self) -> str:
        return N_("%(days)s : %(hours)s", days=self.name, hours=self.text)


@dataclass(frozen=True)
class Description:
    """An expression said in French: the usual week, dated exceptions, public holidays."""

    days: tuple[DayHours, ...]  # Monday to Sunday
    exceptions: tuple[str, ...]  # "du 15 juillet au 20 août : fermé"
    holidays: str  # "jours fériés : fermé"

    def lines(self) -> list[str]:
        return [d.line for d in self.days] + list(self.exceptions) + [self.holidays]


@lru_cache(maxsize=2048)
def describe(expression: str | None, start: dt.date) -> Description | None:
    """Any valid expression in French over the year from ``start``; None when absent or invalid.

    The usual week is each weekday's most frequent hours (public holidays left aside); days that
    differ are grouped into dated exceptions."""
    oh = parse(expression) if expression else None
    if oh is None:
        return None
    by_day = _day_spans(oh, start, 365)
    off = set(holidays.between(start, start + dt.timedelta(days=364)))
    usual = {}
    for wd in range(7):
        patterns = Counter(s for d, s in by_day.items() if d.weekday() == wd and d not in off)
        usual[wd] = patterns.most_common(1)[0][0]
    days = tuple(DayHours(wd, usual[wd]) for wd in range(7))
    return Description(days, _exceptions(by_day, usual, off, start), _holidays_text(expression, by_day, off))


def _day_spans(oh: OpeningHours, start: dt.date, days: int) -> dict[dt.date, tuple[Span, ...]]:
    """Open (or unknown) spans of each day from ``start``, cut at midnight."""
    t0 = dt.datetime.combine(start, dt.time())
    out: dict[dt.date, list[Span]] = {start + dt.timedelta(days=i): [] for i in range(days)}
    for a, b, state, comment in oh.intervals(t0, t0 + dt.timedelta(days=days)):
        if state == State.CLOSED:
            continue
        while a < b and a.date() in out:
            midnight = dt.datetime.combine(a.date() + dt.timedelta(days=1), dt.time())
            cut = min(b, midnight)
            end = "24:00" if cut == midnight else cut.strftime("%H:%M")
            out[a.date()].append(Span(a.strftime("%H:%M"), end, state == State.UNKNOWN, comment))
            a = cut
    return {d: tuple(s) for d, s in out.items()}


def _exceptions(by_day, usual, off, start: dt.date) -> tuple[str, ...]:
    """Dated exceptions to the usual week. Days that differ the same way are grouped across quiet
    days (closed anyway, or holidays); runs that are not closures merge across less than a week, so
    seasonal hours read as one period."""

    def quiet(day: dt.date) -> bool:
        return day in off or (not by_day[day] and not usual[day.weekday()])

    def quiet_between(a: dt.date, b: dt.date) -> bool:
        return all(quiet(a + dt.timedelta(days=i)) for i in range(1, (b - a).days))

    differ = [d for d in sorted(by_day) if d not in off and by_day[d] != usual[d.weekday()]]
    runs: list[list[dt.date]] = []
    for d in differ:
        if runs and by_day[d] == by_day[runs[-1][-1]] and quiet_between(runs[-1][-1], d):
            runs[-1].append(d)
        else:
            runs.append([d])
    merged: list[list[dt.date]] = []
    for r in runs:
        closure = all(not by_day[d] for d in r)
        previous = merged[-1] if merged else None
        if previous and not closure and any(by_day[d] for d in previous) and (r[0] - previous[-1]).days < 7:
            previous += r
        else:
            merged.append(r)
    end = max(by_day)
    out = []
    for r in merged[:MAX_EXCEPTIONS]:
        from_start = quiet_between(start - dt.timedelta(days=1), r[0])
        to_end = quiet_between(r[-1], end + dt.timedelta(days=1))
        out.append(_run_text(_period(r[0], r[-1], start.year, from_start, to_end), r, by_day))
    if len(merged) > MAX_EXCEPTIONS:
        out.append(N_("à d'autres dates : horaires différents, appelez avant"))
    return tuple(out)


def _period(first: dt.date, last: dt.date, year: int, from_start: bool, to_end: bool) -> str:
    """'du 15 juillet au 20 août', 'du 21 au 24 décembre', 'le lundi 23 mars', 'jusqu'au 20 août'…
    (``from_start``/``to_end``: nothing else happens between the period and the window's ends)."""

    def say(d: dt.date) -> str:
        return format_date(d, year=d.year != year)

    if first == last:
        return N_("le %(date)s", date=format_date(first, weekday=True, year=first.year != year))
    if from_start:
        return N_("jusqu'au %(date)s", date=say(last))
    if to_end:
        return N_("à partir du %(date)s", date=say(first))
    if (first.year, first.month) == (last.year, last.month):
        return N_("du %(first)s au %(last)s", first=N_("1er") if first.day == 1 else first.day, last=say(last))
    return N_("du %(first)s au %(last)s", first=say(first), last=say(last))


def _run_text(period: str, run: list[dt.date], by_day) -> str:
    """The period and its hours: '… : fermé', '…, du lundi au vendredi : 9 h – 12 h'…"""
    if all(not by_day[d] for d in run):
        return N_("%(period)s : fermé", period=period)
    per_weekday: dict[int, set] = {}
    for d in run:
        per_weekday.setdefault(d.weekday(), set()).add(by_day[d])
    if any(len(p) > 1 for p in per_weekday.values()):
        return N_("%(period)s : horaires variables, appelez avant", period=period)
    by_text: dict[str, list[int]] = {}
    for wd in sorted(per_weekday):
        by_text.setdefault(spans_text(next(iter(per_weekday[wd]))), []).append(wd)
    days = [N_("%(days)s : %(hours)s", days=weekdays_text(wds), hours=text) for text, wds in by_text.items()]
    return N_("%(period)s, %(hours)s", period=period, hours=join(" ; ", days))


def _holidays_text(expression: str, by_day, off) -> str:
    if not states_holidays(expression):
        return N_("jours fériés : non précisé, appelez avant")
    patterns = {by_day[d] for d in off}
    if len(patterns) != 1:
        return N_("jours fériés : selon le jour, appelez avant")
    return N_("jours fériés : %(hours)s", hours=spans_text(patterns.pop()))


# -- checks for the import -----------------------------------------------------------------


def rules(expression: str) -> list[str]:
    """The normal rules of an expression (split at ';' outside comments), before any '||' fallback."""
    out, buf, quoted, i = [], [], False, 0
    while i < len(expression):
        ch = expression[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == ";":
            out.append("".join(buf))
            buf = []
            i += 1
            continue
        elif not quoted and expression.startswith("||", i):
            break
        buf.append(ch)
        i += 1
    out.append("".join(buf))
    return [r.strip() for r in out if r.strip()]


def is_exception(rule: str) -> bool:
    """A rule meant to make an exception: it closes, or selects months, dates, weeks or holidays."""
    bare = COMMENT.sub("", rule)
    return bool(NARROW.search(bare) or CLOSING.search(bare))


@dataclass(frozen=True)
class Override:
    """``later`` replaces ``earlier`` on ``weekdays``: the ``lost`` hours of ``earlier`` vanish."""

    earlier: str
    later: str
    weekdays: tuple[int, ...]
    lost: tuple[tuple[str, str], ...]  # (("08:30", "12:30"),)


@lru_cache(maxsize=4096)
def overrides(expression: str) -> tuple[Override, ...]:
    """Weekday rules whose hours a later weekday rule replaces (OSM: a later rule wins on its days).

    Compares each rule's hours with those of the whole expression over five reference weeks;
    exception rules (closures, months, dates, holidays) are left to ``misplaced_exceptions``."""
    regular = [r for r in rules(expression) if not is_exception(r)]
    if len(regular) < 2 or any(parse(r) is None for r in regular) or parse("; ".join(regular)) is None:
        return ()
    start, days = REFERENCE_WEEKS
    alone = [_minutes(parse(r), start, days) for r in regular]
    whole = _minutes(parse("; ".join(regular)), start, days)
    found: dict[tuple[int, int], tuple[set, dict]] = {}
    for day, spans in whole.items():
        for i, mine in enumerate(alone):
            lost = _minus(mine[day], spans)
            winner = max((k for k in range(i + 1, len(alone)) if alone[k][day]), default=None)
            if lost and winner is not None:
                weekdays, pieces = found.setdefault((i, winner), (set(), {}))
                weekdays.add(day.weekday())
                pieces.update(dict.fromkeys(lost))
    return tuple(
        Override(regular[i], regular[j], tuple(sorted(wds)), tuple((_hm(a), _hm(b)) for a, b in pieces))
        for (i, j), (wds, pieces) in sorted(found.items())
    )


@lru_cache(maxsize=4096)
def misplaced_exceptions(expression: str) -> tuple[tuple[str, str], ...]:
    """Exception rules (holidays, closures, periods) that a later weekday rule cancels on some days
    of a reference year: ((exception, later weekday rule), ...).

    An exception is misplaced when moving it just after the last weekday rule that follows it
    changes the hours."""
    if parse(expression) is None or "||" in COMMENT.sub("", expression):
        return ()
    parts = rules(expression)
    out = []
    for i, rule in enumerate(parts):
        later = [k for k in range(i + 1, len(parts)) if not is_exception(parts[k])]
        if not is_exception(rule) or not later:
            continue
        moved = parts[:i] + parts[i + 1 : later[-1] + 1] + [rule] + parts[later[-1] + 1 :]
        candidate = "; ".join(moved)
        if parse(candidate) is not None and _year(candidate) != _year(expression):
            out.append((rule, parts[later[0]]))
    return tuple(out)


def added_up(expression: str) -> str | None:
    """The expression as probably meant when a later weekday rule replaces an earlier one: the weekday
    rules added together (``,``) without overlap, then the exceptions in their order. None when it
    cannot be built or would not differ."""
    return _rebuilt(expression, ", ")


def as_written(expression: str) -> str | None:
    """What the expression means as written, its weekday rules without overlap (normalised), then the
    exceptions in their order. None when it cannot be built or would not differ."""
    return _rebuilt(expression, "; ")


def exceptions_last(expression: str) -> str | None:
    """The expression with its weekday rules first, then the exceptions in their order (how OSM
    expects them); None when it would not differ or cannot be built."""
    if "||" in COMMENT.sub("", expression):
        return None
    parts = rules(expression)
    candidate = "; ".join([r for r in parts if not is_exception(r)] + [r for r in parts if is_exception(r)])
    return candidate if candidate != "; ".join(parts) and parse(candidate) is not None else None


def _rebuilt(expression: str, joiner: str) -> str | None:
    if "||" in COMMENT.sub("", expression) or misplaced_exceptions(expression):
        return None
    parts = rules(expression)
    regular = [r for r in parts if not is_exception(r)]
    merged = parse(joiner.join(regular)) if regular else None
    head = [str(merged.normalize())] if merged is not None else []
    candidate = "; ".join(head + [r for r in parts if is_exception(r)])
    if candidate == expression or parse(candidate) is None or overrides(candidate):
        return None
    return candidate


def _minutes(oh: OpeningHours, start: dt.date, days: int) -> dict[dt.date, list[tuple[int, int]]]:
    """Open (or unknown) minutes of each day, as [(from, to), ...] since midnight."""
    return {d: [(_min(s.start), _min(s.end)) for s in spans] for d, spans in _day_spans(oh, start, days).items()}


@lru_cache(maxsize=4096)
def _year(expression: str) -> tuple:
    start, days = REFERENCE_YEAR
    return tuple(_day_spans(parse(expression), start, days).items())


def _minus(spans, cover) -> list[tuple[int, int]]:
    """Parts of ``spans`` that ``cover`` does not cover."""
    out = []
    for s, e in spans:
        pieces = [(s, e)]
        for cs, ce in cover:
            pieces = [p for a, b in pieces for p in ((a, min(b, cs)), (max(a, ce), b)) if p[0] < p[1]]
        out += pieces
    return out


def _min(hm: str) -> int:
    h, m = hm.split(":")
    return int(h) * 60 + int(m)


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
