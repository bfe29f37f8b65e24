"""French public holidays: the computus, the calendar, and agreement with opening-hours-py's ``PH``."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from opening_hours import OpeningHours, State

from finder.domain import holidays

D = dt.date


@pytest.mark.parametrize(
    "year, sunday",
    [
        (1818, D(1818, 3, 22)),  # earliest possible
        (1943, D(1943, 4, 25)),  # latest possible
        (2000, D(2000, 4, 23)),
        (2019, D(2019, 4, 21)),
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2038, D(2038, 4, 25)),
        (2285, D(2285, 3, 22)),
    ],
)
def test_easter_known_dates(year, sunday):
    assert holidays.easter(year) == sunday


@given(st.integers(min_value=1583, max_value=4099))
def test_easter_is_a_sunday_between_22_march_and_25_april(year):
    day = holidays.easter(year)
    assert day.weekday() == 6 and D(year, 3, 22) <= day <= D(year, 4, 25)


def test_2026_calendar():
    assert holidays.of_year(2026) == {
        D(2026, 1, 1): "jour de l'An",
        D(2026, 4, 6): "lundi de Pâques",
        D(2026, 5, 1): "fête du Travail",
        D(2026, 5, 8): "Victoire 1945",
        D(2026, 5, 14): "Ascension",
        D(2026, 5, 25): "lundi de Pentecôte",
        D(2026, 7, 14): "Fête nationale",
        D(2026, 8, 15): "Assomption",
        D(2026, 11, 1): "Toussaint",
        D(2026, 11, 11): "Armistice 1918",
        D(2026, 12, 25): "Noël",
    }


@pytest.mark.parametrize(
    "day, name",
    [
        (D(2026, 12, 25), "Noël"),  # a Friday
        (D(2026, 4, 6), "lundi de Pâques"),
        (D(2026, 5, 14), "Ascension"),
        (D(2026, 5, 25), "lundi de Pentecôte"),
        (D(2026, 7, 14), "Fête nationale"),
        (D(2027, 3, 29), "lundi de Pâques"),
        (D(2027, 5, 6), "Ascension"),
        (D(2026, 4, 5), None),  # Easter Sunday itself is no extra day off
        (D(2026, 4, 3), None),  # Good Friday: Alsace-Moselle only
        (D(2026, 12, 26), None),
        (D(2026, 12, 24), None),
    ],
)
def test_name(day, name):
    assert holidays.name(day) == name


def test_alsace_moselle_adds_good_friday_and_26_december():
    extra = set(holidays.of_year(2026, "67")) - set(holidays.of_year(2026))
    assert extra == {D(2026, 4, 3), D(2026, 12, 26)}
    assert holidays.name(D(2026, 4, 3), "57") == "Vendredi saint"
    assert holidays.of_year(2026, "69") == holidays.of_year(2026)


def test_between_spans_years_in_order():
    assert holidays.between(D(2026, 12, 20), D(2027, 1, 10)) == [D(2026, 12, 25), D(2027, 1, 1)]
    assert holidays.between(D(2026, 3, 2), D(2026, 4, 5)) == []


@pytest.mark.parametrize("year", range(2000, 2077))
def test_same_days_as_opening_hours_ph_for_france(year):
    """opening-hours-py knows France's PH for 2000-2076 only (outside, PH never matches): there, the two agree."""
    oh = OpeningHours("PH 10:00-11:00", country="FR")
    start = dt.datetime(year, 1, 1)
    theirs = {a.date() for a, _, state, _ in oh.intervals(start, dt.datetime(year + 1, 1, 1)) if state == State.OPEN}
    assert theirs == set(holidays.of_year(year))
