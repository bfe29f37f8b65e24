"""Site filters of a search profile: what each one means, one site at a time and vectorised.

A filter keeps or drops a site from facts about the site alone (its publics, levels, modes,
network, département…). Each filter states its semantics twice, in the same place: ``matches``
(the reference, one site) and ``build`` (numpy columns for the index, tested against
``matches``). Filters are registered in ``FILTERS`` in declaration order; ``Criteria`` holds
the values asked for, the index builds a filter's columns the first time it is used.

Territorial competence is not a filter of this kind: it depends on the origin, not only on
the site (see ``finder.domain.criteria``).
"""

from __future__ import annotations

import bisect
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from finder.domain.model import Site, Structure


@dataclass(frozen=True)
class Facts:
    """What a filter may look at: the site, its structure and the site's département."""

    site: Site
    structure: Structure
    department: str | None


class Column(ABC):
    """Precomputed columns of one filter over the indexed sites."""

    @abstractmethod
    def mask(self, value) -> np.ndarray:
        """The sites this value keeps."""

    def key(self, value):
        """Values selecting the same sites may share a key (the index caches views per key)."""
        return value


class SiteFilter(ABC):
    """Base of the filters. ``name``: the Criteria attribute; ``echo``: its key in answers.

    ``restricts(facts)``: whether the site limits its public on this filter (an age range, a list
    of situations); a person who said nothing about it may not belong to that public.
    """

    name: str
    echo: str
    default = None
    describes_public = False  # True when ``restricts`` may hold (age, situation, qualification)

    def restricts(self, facts: Facts) -> bool:
        return False

    def normalise(self, value):
        """The value to keep, or None when it does not restrict anything."""
        return value if value not in (None, "", (), frozenset()) else None

    @abstractmethod
    def matches(self, facts: Facts, value) -> bool:
        """Whether one site passes (the reference the columns are checked against)."""

    @abstractmethod
    def build(self, facts: list[Facts]) -> Column:
        """This filter's columns over the indexed sites."""

    def to_json(self, value):
        return value


# -- the kinds of filters -------------------------------------------------------------------
class _Bool(Column):
    def __init__(self, column: np.ndarray):
        self.column = column

    def mask(self, value) -> np.ndarray:
        return self.column


class _Codes(Column):
    """One boolean column per code; ``unrestricted`` sites match any code."""

    def __init__(self, n: int, codes: Iterable[Iterable], unrestricted: np.ndarray | None = None):
        self.n = n
        self.unrestricted = unrestricted
        self.columns: dict = {}
        for i, values in enumerate(codes):
            for code in values:
                col = self.columns.get(code)
                if col is None:
                    col = self.columns[code] = np.zeros(n, dtype=bool)
                col[i] = True

    def mask(self, value) -> np.ndarray:
        codes = value if isinstance(value, frozenset) else (value,)
        out = np.zeros(self.n, dtype=bool) if self.unrestricted is None else self.unrestricted.copy()
        for code in codes:
            col = self.columns.get(code)
            if col is not None:
                out |= col
        return out


class Interval(SiteFilter):
    """An integer the site accepts between two optional bounds (``age``: age_min ≤ age ≤ age_max)."""

    def __init__(self, name: str, low: Callable[[Site], int | None], high: Callable[[Site], int | None]):
        self.name = self.echo = name
        self.low, self.high = low, high

    describes_public = True

    def matches(self, facts: Facts, value) -> bool:
        lo, hi = self.low(facts.site), self.high(facts.site)
        return (lo is None or lo <= value) and (hi is None or value <= hi)

    def restricts(self, facts: Facts) -> bool:
        return self.low(facts.site) is not None or self.high(facts.site) is not None

    def build(self, facts: list[Facts]) -> Column:
        lows = np.array([-1 if (x := self.low(f.site)) is None else x for f in facts], dtype=np.int64)
        highs = np.array([10**6 if (x := self.high(f.site)) is None else x for f in facts], dtype=np.int64)
        return _IntervalColumn(lows, highs)


class _IntervalColumn(Column):
    def __init__(self, lows: np.ndarray, highs: np.ndarray):
        self.lows, self.highs = lows, highs
        self.bounds = sorted({int(a) for a in lows} | {int(a) + 1 for a in highs})

    def mask(self, value) -> np.ndarray:
        return (self.lows <= value) & (value <= self.highs)

    def key(self, value):
        # Values between two consecutive bounds select the same sites: key on the interval.
        return bisect.bisect_right(self.bounds, value)


class Span(SiteFilter):
    """A range of integers the site must accept whole (``age_range`` (16, 25): age_min ≤ 16 and
    25 ≤ age_max, a missing bound being open). What field staff plan for: « les 16–25 ans »."""

    def __init__(self, name: str, low: Callable[[Site], int | None], high: Callable[[Site], int | None]):
        self.name = self.echo = name
        self.low, self.high = low, high

    def normalise(self, value):
        return tuple(value) if value else None

    def matches(self, facts: Facts, value) -> bool:
        lo, hi = self.low(facts.site), self.high(facts.site)
        return (lo is None or lo <= value[0]) and (hi is None or value[1] <= hi)

    def build(self, facts: list[Facts]) -> Column:
        lows = np.array([-1 if (x := self.low(f.site)) is None else x for f in facts], dtype=np.int64)
        highs = np.array([10**6 if (x := self.high(f.site)) is None else x for f in facts], dtype=np.int64)
        return _SpanColumn(lows, highs)

    def to_json(self, value):
        return f"{value[0]}-{value[1]}"


class _SpanColumn(Column):
    def __init__(self, lows: np.ndarray, highs: np.ndarray):
        self.lows, self.highs = lows, highs

    def mask(self, value) -> np.ndarray:
        return (self.lows <= value[0]) & (value[1] <= self.highs)


class Restricted(SiteFilter):
    """A code the site lists, an empty list meaning "everyone" (statuses, qualifications)."""

    def __init__(self, name: str, values: Callable[[Site], tuple]):
        self.name = self.echo = name
        self.values = values

    describes_public = True

    def matches(self, facts: Facts, value) -> bool:
        listed = self.values(facts.site)
        return not listed or value in listed

    def restricts(self, facts: Facts) -> bool:
        return bool(self.values(facts.site))

    def build(self, facts: list[Facts]) -> Column:
        listed = [self.values(f.site) for f in facts]
        return _Codes(len(facts), listed, np.array([not x for x in listed], dtype=bool))


class Offered(SiteFilter):
    """A code the site must offer (levels, modes)."""

    def __init__(self, name: str, values: Callable[[Site], tuple]):
        self.name = self.echo = name
        self.values = values

    def matches(self, facts: Facts, value) -> bool:
        return value in self.values(facts.site)

    def build(self, facts: list[Facts]) -> Column:
        return _Codes(len(facts), [self.values(f.site) for f in facts])


class OneOf(SiteFilter):
    """A set of codes, one of which must be the site's (networks, départements)."""

    def __init__(self, name: str, echo: str, value_of: Callable[[Facts], str | None]):
        self.name, self.echo = name, echo
        self.value_of = value_of

    def normalise(self, value):
        return frozenset(value) or None if value else None

    def matches(self, facts: Facts, value) -> bool:
        return self.value_of(facts) in value

    def build(self, facts: list[Facts]) -> Column:
        return _Codes(len(facts), [(self.value_of(f),) for f in facts])

    def to_json(self, value):
        return sorted(value)


class Flag(SiteFilter):
    """Asked or not: when asked, only sites for which ``test`` holds (accessible)."""

    default = False

    def __init__(self, name: str, test: Callable[[Facts], bool]):
        self.name = self.echo = name
        self.test = test

    def normalise(self, value):
        return True if value else None

    def matches(self, facts: Facts, value) -> bool:
        return bool(self.test(facts))

    def build(self, facts: list[Facts]) -> Column:
        return _Bool(np.array([bool(self.test(f)) for f in facts], dtype=bool))


# -- the registry ---------------------------------------------------------------------------
FILTERS: dict[str, SiteFilter] = {}


def register(f: SiteFilter) -> SiteFilter:
    if f.name in FILTERS or f.name in ("territory_only",):
        raise ValueError(f"filter {f.name!r} is already declared")
    FILTERS[f.name] = f
    return f


@contextmanager
def registered(f: SiteFilter):
    """Register a filter for the duration of a block (tests and experiments)."""
    register(f)
    try:
        yield f
    finally:
        FILTERS.pop(f.name, None)


register(Interval("age", lambda s: s.age_min, lambda s: s.age_max))
register(Span("age_range", lambda s: s.age_min, lambda s: s.age_max))
register(Restricted("status", lambda s: s.statuses))
register(Restricted("qualification", lambda s: s.qualifications))
register(Offered("level", lambda s: s.levels))
register(Offered("mode", lambda s: s.modes))
register(OneOf("networks", "network", lambda f: f.structure.network))
register(OneOf("departments", "department", lambda f: f.department))
register(Flag("accessible", lambda f: f.site.accessible is True))
# French is spoken at every desk: a site without ``langues`` still receives in French.
_language = Offered("language", lambda s: ("fr", *s.languages))
_language.echo = "langue"  # echoed under its parameter's name, like network and department
register(_language)
