"""French public holidays (jours fériés), computed: the fixed dates and those that follow Easter.

Metropolitan France (Code du travail, art. L3133-1), from 1982 on (8 May restored in 1981):
1 January, Easter Monday, 1 May, 8 May, Ascension (Easter + 39 days), Whit Monday (Easter + 50
days), 14 July, 15 August, 1 November, 11 November, 25 December. Alsace-Moselle (départements
57, 67, 68) adds Good Friday and 26 December: ask with ``department``. Overseas days (abolition
of slavery…) are out of scope. Easter by the Gregorian computus (anonymous algorithm, Meeus).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from finder.text import N_

ALSACE_MOSELLE = frozenset({"57", "67", "68"})
FIXED = {
    (1, 1): N_("jour de l'An"),
    (5, 1): N_("fête du Travail"),
    (5, 8): N_("Victoire 1945"),
    (7, 14): N_("Fête nationale"),
    (8, 15): N_("Assomption"),
    (11, 1): N_("Toussaint"),
    (11, 11): N_("Armistice 1918"),
    (12, 25): N_("Noël"),
}
AFTER_EASTER = {1: N_("lundi de Pâques"), 39: N_("Ascension"), 50: N_("lundi de Pentecôte")}
ALSACE_MOSELLE_EXTRA = {"fixed": {(12, 26): N_("Saint-Étienne")}, "easter": {-2: N_("Vendredi saint")}}


def easter(year: int) -> dt.date:
    """Easter Sunday of a Gregorian year (anonymous computus, as given by Meeus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    lunar = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lunar) // 451
    month, day = divmod(h + lunar - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=64)
def of_year(year: int, department: str | None = None) -> dict[dt.date, str]:
    """Every public holiday of ``year``: date -> French name, in date order."""
    fixed = dict(FIXED)
    after = dict(AFTER_EASTER)
    if department in ALSACE_MOSELLE:
        fixed.update(ALSACE_MOSELLE_EXTRA["fixed"])
        after.update(ALSACE_MOSELLE_EXTRA["easter"])
    days = {dt.date(year, m, d): name for (m, d), name in fixed.items()}
    sunday = easter(year)
    days.update({sunday + dt.timedelta(days=n): name for n, name in after.items()})
    return dict(sorted(days.items()))


def name(day: dt.date, department: str | None = None) -> str | None:
    """The holiday's French name when ``day`` is a public holiday, else None."""
    return of_year(day.year, department).get(day)


def between(start: dt.date, end: dt.date, department: str | None = None) -> list[dt.date]:
    """Public holidays from ``start`` to ``end`` included, in order."""
    out = []
    for year in range(start.year, end.year + 1):
        out += [d for d in of_year(year, department) if start <= d <= end]
    return out
