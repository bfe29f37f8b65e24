import datetime as dt

import pytest

from finder.domain import hours
from finder.domain.model import Closure

SAT = dt.datetime(2026, 11, 28, 10, 0)  # a Saturday
MON = dt.datetime(2026, 11, 30, 9, 0)


@pytest.mark.parametrize(
    "expr, now, open_now, today",
    [
        ("Mo-Fr 08:30-12:30,13:30-17:30", MON, True, "08:30–12:30, 13:30–17:30"),
        ("Mo-Fr 08:30-12:30,13:30-17:30", SAT, False, "fermé aujourd'hui"),
        ("Sa 09:00-12:00", SAT, True, "09:00–12:00"),
        ("24/7", SAT, True, "00:00–24:00"),
        ("n'importe quoi", SAT, False, "horaires non renseignés"),
        (None, SAT, False, "horaires non renseignés"),
    ],
)
def test_status(expr, now, open_now, today):
    st = hours.status(expr, (), now)
    assert st.open_now is open_now
    assert st.today_text == today


def test_public_holiday_off_uses_french_calendar():
    christmas = dt.datetime(2026, 12, 25, 10, 0)  # a Friday
    assert not hours.status("Mo-Fr 08:30-12:30; PH off", (), christmas).open_now
    assert hours.status("Mo-Fr 08:30-12:30; PH off", (), christmas - dt.timedelta(days=1)).open_now


def test_next_opening_and_wording():
    st = hours.status("Mo-Fr 08:30-12:30", (), SAT)
    assert st.next_opening == dt.datetime(2026, 11, 30, 8, 30)
    assert hours.format_when(st.next_opening, SAT) == "lundi 30/11 à 08:30"
    assert hours.format_when(dt.datetime(2026, 11, 28, 14, 0), SAT) == "aujourd'hui à 14:00"
    assert hours.format_when(dt.datetime(2026, 11, 29, 9, 0), SAT) == "demain à 09:00"


def test_closure_overrides_open_now_and_next_opening():
    closure = Closure("2026-11-27", "2026-12-01", "travaux")
    st = hours.status("Mo-Fr 08:30-12:30", (closure,), MON)
    assert not st.open_now and st.closure == closure
    assert st.today_text == "fermé temporairement"
    assert st.next_opening == dt.datetime(2026, 12, 2, 8, 30)


def test_week_starts_today_with_french_names():
    week = hours.week("Mo-Fr 08:30-12:30", SAT.date())
    assert [w[0] for w in week] == ["samedi", "dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi"]
    assert week[0][2] == [] and week[2][2] == [("08:30", "12:30")]


def test_every_demo_expression_is_valid(engine):
    assert all(hours.is_valid(s.opening_hours) for s in engine.sites)
