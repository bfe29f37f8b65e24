import datetime as dt
import json
import re

import pytest

from finder.domain import hours
from finder.domain.model import Closure
from tests.conftest import DEMO

SAT = dt.datetime(2026, 11, 28, 10, 0)  # a Saturday
MON = dt.datetime(2026, 11, 30, 9, 0)
WEEKDAYS = "Mo-Fr 08:30-12:30"


def plain(text: str) -> str:
    """Texts use no-break spaces inside times (« 8 h 30 »); compare them as plain spaces."""
    return text.replace(hours.NBSP, " ")


@pytest.mark.parametrize(
    "expr, now, open_now, today",
    [
        ("Mo-Fr 08:30-12:30,13:30-17:30", MON, True, "8 h 30 – 12 h 30, 13 h 30 – 17 h 30"),
        ("Mo-Fr 08:30-12:30,13:30-17:30", SAT, False, "fermé aujourd'hui"),
        ("Sa 09:00-12:00", SAT, True, "9 h – 12 h"),
        ("24/7", SAT, True, "toute la journée"),
        ("n'importe quoi", SAT, False, "horaires non renseignés"),
        (None, SAT, False, "horaires non renseignés"),
    ],
)
def test_status(expr, now, open_now, today):
    st = hours.status(expr, (), now)
    assert st.open_now is open_now
    assert plain(st.today_text) == today


def test_times_do_not_break_across_lines():
    assert hours.clock("08:30") == "8\u00a0h\u00a030" and hours.clock("12:00") == "12\u00a0h"


def test_public_holiday_off_uses_french_calendar():
    christmas = dt.datetime(2026, 12, 25, 10, 0)  # a Friday
    assert not hours.status("Mo-Fr 08:30-12:30; PH off", (), christmas).open_now
    assert hours.status("Mo-Fr 08:30-12:30; PH off", (), christmas - dt.timedelta(days=1)).open_now


# -- public holidays: « jour férié : appelez avant » unless the hours state PH -----------------
HOLIDAYS_2026 = [
    dt.datetime(2026, 12, 25, 10, 0),  # Noël, a Friday
    dt.datetime(2026, 4, 6, 10, 0),  # lundi de Pâques
    dt.datetime(2026, 5, 14, 10, 0),  # Ascension
    dt.datetime(2026, 5, 25, 10, 0),  # lundi de Pentecôte
    dt.datetime(2026, 7, 14, 10, 0),  # Fête nationale, a Tuesday
]


@pytest.mark.parametrize("now", HOLIDAYS_2026, ids=lambda t: t.date().isoformat())
def test_holiday_not_stated_says_call_first_never_open(now):
    st = hours.status(WEEKDAYS, (), now)
    assert st.holiday and st.call_first
    assert not st.open_now
    assert st.today_text == "jour férié : appelez avant"
    assert st.headline == "Jour férié : appelez avant"
    ordinary = hours.status(WEEKDAYS, (), now - dt.timedelta(days=7))
    assert ordinary.open_now and ordinary.headline == "Ouvert maintenant" and not ordinary.call_first


@pytest.mark.parametrize("now", HOLIDAYS_2026, ids=lambda t: t.date().isoformat())
def test_holiday_stated_follows_the_expression(now):
    closed = hours.status(WEEKDAYS + "; PH off", (), now)
    assert not closed.open_now and not closed.call_first
    assert closed.today_text == "jour férié : fermé" and closed.headline == "Fermé maintenant"
    morning = hours.status(WEEKDAYS + "; PH 09:00-11:00", (), now)
    assert morning.open_now and plain(morning.today_text) == "9 h – 11 h"


def test_closure_wins_over_holiday_wording():
    closure = Closure("2026-12-20", "2026-12-31", "travaux")
    st = hours.status(WEEKDAYS, (closure,), HOLIDAYS_2026[0])
    assert st.headline == "Fermé temporairement" and not st.call_first


def test_next_opening_skips_holidays_the_hours_do_not_state():
    thursday = dt.datetime(2026, 12, 24, 13, 0)  # Christmas is the next day, a Friday
    monday = dt.datetime(2026, 12, 28, 8, 30)
    assert hours.status(WEEKDAYS, (), thursday).next_opening == monday
    assert hours.status(WEEKDAYS + "; PH off", (), thursday).next_opening == monday
    assert hours.status(WEEKDAYS + "; PH 10:00-11:00", (), thursday).next_opening == dt.datetime(2026, 12, 25, 10)
    # On the holiday itself, the unstated hours give no opening that day.
    assert hours.status(WEEKDAYS, (), dt.datetime(2026, 12, 25, 7, 0)).next_opening == monday


def test_next_opening_and_wording():
    st = hours.status("Mo-Fr 08:30-12:30", (), SAT)
    assert st.next_opening == dt.datetime(2026, 11, 30, 8, 30)
    assert plain(hours.format_when(st.next_opening, SAT)) == "lundi 30 novembre à 8 h 30"
    assert plain(hours.format_when(dt.datetime(2026, 11, 28, 14, 0), SAT)) == "aujourd'hui à 14 h"
    assert plain(hours.format_when(dt.datetime(2026, 11, 29, 9, 0), SAT)) == "demain à 9 h"
    assert plain(hours.format_when(dt.datetime(2027, 1, 4, 9, 15), SAT)) == "lundi 4 janvier 2027 à 9 h 15"


def test_closure_overrides_open_now_and_next_opening():
    closure = Closure("2026-11-27", "2026-12-01", "travaux")
    st = hours.status("Mo-Fr 08:30-12:30", (closure,), MON)
    assert not st.open_now and st.closure == closure
    assert st.today_text == "fermé temporairement"
    assert st.next_opening == dt.datetime(2026, 12, 2, 8, 30)


def test_next_opening_after_a_closure_of_a_place_always_open():
    closure = Closure("2026-11-27", "2026-12-01", "travaux")
    assert hours.status("24/7", (closure,), MON).next_opening == dt.datetime(2026, 12, 2, 0, 0)
    assert hours.status("24/7", (), MON).next_opening is None  # open now


def test_no_next_opening_within_sixty_days():
    assert hours.status("Mar 10 09:00-12:00", (), MON).next_opening is None  # 100 days ahead
    january = dt.datetime(2027, 1, 20, 9, 0)
    assert hours.status("Mar 10 09:00-12:00", (), january).next_opening == dt.datetime(2027, 3, 10, 9, 0)


def test_week_starts_today_with_french_names():
    week = hours.week("Mo-Fr 08:30-12:30", SAT.date())
    assert [w[0] for w in week] == ["samedi", "dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi"]
    assert week[0][2] == [] and week[2][2] == [("08:30", "12:30")]


def test_week_days_say_holidays_and_closures():
    closure = Closure("2026-12-22", "2026-12-22", "inventaire")
    days = hours.week_days("Mo-Fr 08:30-12:30,13:30-16:30", dt.date(2026, 12, 21), (closure,))
    assert [(d.label, plain(d.text)) for d in days] == [
        ("lundi 21 décembre", "8 h 30 – 12 h 30, 13 h 30 – 16 h 30"),
        ("mardi 22 décembre", "fermé temporairement (inventaire)"),
        ("mercredi 23 décembre", "8 h 30 – 12 h 30, 13 h 30 – 16 h 30"),
        ("jeudi 24 décembre", "8 h 30 – 12 h 30, 13 h 30 – 16 h 30"),
        ("vendredi 25 décembre", "jour férié (Noël) : appelez avant"),
        ("samedi 26 décembre", "fermé"),
        ("dimanche 27 décembre", "fermé"),
    ]
    stated = hours.week_days("Mo-Fr 08:30-12:30; PH off", dt.date(2026, 12, 21))
    assert stated[4].text == "jour férié (Noël) : fermé" and stated[4].holiday == "Noël"
    assert hours.week_days("n'importe quoi", dt.date(2026, 12, 21)) == []


# -- dates and hours in words --------------------------------------------------------------
@pytest.mark.parametrize(
    "day, kw, text",
    [
        (dt.date(2026, 3, 22), {}, "22 mars 2026"),
        (dt.date(2026, 3, 22), {"weekday": True, "year": False}, "dimanche 22 mars"),
        (dt.date(2026, 3, 23), {"weekday": True, "year": False}, "lundi 23 mars"),
        (dt.date(2026, 5, 1), {}, "1er mai 2026"),
        (dt.date(2026, 8, 15), {"weekday": True}, "samedi 15 août 2026"),
        (dt.date(2027, 2, 1), {"year": False}, "1er février"),
        (dt.date(2026, 12, 31), {}, "31 décembre 2026"),
    ],
)
def test_format_date(day, kw, text):
    assert hours.format_date(day, **kw) == text


@pytest.mark.parametrize(
    "weekdays, article, text",
    [
        ([0, 1, 2], False, "du lundi au mercredi"),
        ([2], True, "le mercredi"),
        ([0, 3], False, "lundi et jeudi"),
        ([0, 3], True, "le lundi et le jeudi"),
        ([0, 1, 3, 4, 5], False, "lundi, mardi et du jeudi au samedi"),
    ],
)
def test_weekdays_text(weekdays, article, text):
    assert hours.weekdays_text(weekdays, article) == text


START = dt.date(2026, 3, 22)


@pytest.mark.parametrize(
    "expr, lines",
    [
        (
            "Mo-We 08:30-12:30,13:30-16:30; Th,Fr 08:30-12:30; PH off",
            [
                "lundi : 8 h 30 – 12 h 30, 13 h 30 – 16 h 30",
                "mardi : 8 h 30 – 12 h 30, 13 h 30 – 16 h 30",
                "mercredi : 8 h 30 – 12 h 30, 13 h 30 – 16 h 30",
                "jeudi : 8 h 30 – 12 h 30",
                "vendredi : 8 h 30 – 12 h 30",
                "samedi : fermé",
                "dimanche : fermé",
                "jours fériés : fermé",
            ],
        ),
        (
            # OSM semantics: the second rule replaces the first from Monday to Wednesday.
            "Mo-Fr 08:30-12:30; Mo-We 13:30-16:30",
            [
                "lundi : 13 h 30 – 16 h 30",
                "mardi : 13 h 30 – 16 h 30",
                "mercredi : 13 h 30 – 16 h 30",
                "jeudi : 8 h 30 – 12 h 30",
                "vendredi : 8 h 30 – 12 h 30",
                "samedi : fermé",
                "dimanche : fermé",
                "jours fériés : non précisé, appelez avant",
            ],
        ),
        (
            "Mo-Fr 09:00-17:00; Jul 15-Aug 20 off; PH off",
            [f"{d} : 9 h – 17 h" for d in hours.DAYS[:5]]
            + ["samedi : fermé", "dimanche : fermé", "du 15 juillet au 20 août : fermé", "jours fériés : fermé"],
        ),
        (
            "Mo-Sa 09:00-18:00; Jul-Aug Mo-Fr 09:00-12:00; PH 10:00-12:00",
            [f"{d} : 9 h – 18 h" for d in hours.DAYS[:6]]
            + [
                "dimanche : fermé",
                "du 1er juillet au 31 août, du lundi au vendredi : 9 h – 12 h",
                "jours fériés : 10 h – 12 h",
            ],
        ),
        (
            'Tu 09:00-12:00 "sur rendez-vous"; Sa unknown; PH off',
            ["lundi : fermé", "mardi : 9 h – 12 h (sur rendez-vous)", "mercredi : fermé", "jeudi : fermé"]
            + ["vendredi : fermé", "samedi : toute la journée (à confirmer)", "dimanche : fermé"]
            + ["jours fériés : fermé"],
        ),
        (
            "Mo-Fr 09:00-12:00; Dec 21-Dec 24 off; PH off",
            [f"{d} : 9 h – 12 h" for d in hours.DAYS[:5]]
            + ["samedi : fermé", "dimanche : fermé", "du 21 au 24 décembre : fermé", "jours fériés : fermé"],
        ),
        (
            "Mo-Fr 09:00-12:00; 2026 Mar 23 off; PH off",
            [f"{d} : 9 h – 12 h" for d in hours.DAYS[:5]]
            + ["samedi : fermé", "dimanche : fermé", "le lundi 23 mars : fermé", "jours fériés : fermé"],
        ),
    ],
)
def test_describe(expr, lines):
    assert [plain(x) for x in hours.describe(expr, START).lines()] == lines


def test_describe_starting_inside_an_exception():
    text = hours.describe("Mo-Fr 09:00-17:00; Jul 15-Aug 20 off; PH off", dt.date(2026, 8, 1)).lines()
    assert text[7:9] == ["jusqu'au 20 août : fermé", "à partir du 15 juillet 2027 : fermé"]


@pytest.mark.parametrize(
    "expr, exceptions",
    [
        (
            "Mo-Fr 09:00-12:00; Jul-Aug Mo-Fr 09:00-11:00; Aug 10-21 off",
            [
                "du 1er juillet au 7 août, du lundi au vendredi : 9 h – 11 h",
                "du 10 au 21 août : fermé",
                "du 24 au 31 août, du lundi au vendredi : 9 h – 11 h",
            ],
        ),
        (
            "Mo-Sa 09:00-18:00; Jul-Aug Mo 09:00-11:00; Jul-Aug Tu-Fr 09:00-12:00",
            ["du 1er juillet au 31 août, lundi : 9 h – 11 h ; du mardi au vendredi : 9 h – 12 h"],
        ),
        (
            "Mo-Sa 09:00-12:00; Dec 21-24 off; Dec 28-31 off",  # Saturday 26 stays open: two periods
            ["du 21 au 24 décembre : fermé", "du 28 au 31 décembre : fermé"],
        ),
        ("Mo-Fr 09:00-17:00; Mar 24-Mar 25 off", ["du 24 au 25 mars : fermé"]),
        (
            "week 01-53/2 Mo 09:00-12:00",  # every other Monday; 6 April is Easter Monday
            [
                "du 30 mars au 13 avril : fermé",
                "le lundi 27 avril : fermé",
                "le lundi 11 mai : fermé",
                "le lundi 8 juin : fermé",
                "à d'autres dates : horaires différents, appelez avant",
            ],
        ),
    ],
)
def test_describe_dated_exceptions(expr, exceptions):
    description = hours.describe(expr, START)
    assert [plain(x) for x in description.exceptions] == exceptions


def test_describe_invalid_or_missing():
    assert hours.describe("lundi 9h-12h", START) is None and hours.describe(None, START) is None


OSM_CODE = re.compile(r"\d\d:\d\d|\b(Mo|Tu|We|Th|Fr|Sa|Su|PH|off|Jan|Jul|Aug)\b")


def test_no_demo_expression_is_shown_as_code():
    """Every demo expression reads as French: no OSM token or hh:mm left in the lines."""
    expressions = {s["opening_hours"] for s in json.loads(DEMO.read_text(encoding="utf-8"))["sites"]}
    for expr in sorted(expressions):
        lines = hours.describe(expr, START).lines()
        assert len(lines) >= 8 and not any(OSM_CODE.search(x) for x in lines), (expr, lines)


# -- rule analysis (for the import warnings) -----------------------------------------------
@pytest.mark.parametrize(
    "expr, rules",
    [
        ("Mo-Fr 09:00-12:00; PH off", ["Mo-Fr 09:00-12:00", "PH off"]),
        ('Mo-Fr 09:00-12:00 "a; b"; Sa 10:00-12:00', ['Mo-Fr 09:00-12:00 "a; b"', "Sa 10:00-12:00"]),
        ('Mo-Fr 09:00-12:00 || "sur rendez-vous"', ["Mo-Fr 09:00-12:00"]),
        ("Mo-Fr 08:30-12:30, Mo-We 13:30-16:30", ["Mo-Fr 08:30-12:30, Mo-We 13:30-16:30"]),
    ],
)
def test_rules(expr, rules):
    assert hours.rules(expr) == rules


@pytest.mark.parametrize(
    "expr, stated",
    [
        ("Mo-Fr 09:00-12:00; PH off", True),
        ("Mo-Fr 09:00-12:00; PH,Sa 10:00-12:00", True),
        ("Mo-Fr 09:00-12:00", False),
        ('Mo-Fr 09:00-12:00 "PH sur rendez-vous"', False),
        ("24/7", False),
        (None, False),
    ],
)
def test_states_holidays(expr, stated):
    assert hours.states_holidays(expr) is stated


OV = hours.Override


@pytest.mark.parametrize(
    "expr, found",
    [
        (
            "Mo-Fr 08:30-12:30; Mo-We 13:30-16:30",
            [OV("Mo-Fr 08:30-12:30", "Mo-We 13:30-16:30", (0, 1, 2), (("08:30", "12:30"),))],
        ),
        (
            "Tu-Fr 13:30-18:00; We 10:00-12:00; Sa 10:00-12:00; PH off",
            [OV("Tu-Fr 13:30-18:00", "We 10:00-12:00", (2,), (("13:30", "18:00"),))],
        ),
        (
            "Mo-Fr 09:00-18:00; We 09:00-12:00",  # deliberate or not, Wednesday afternoon goes
            [OV("Mo-Fr 09:00-18:00", "We 09:00-12:00", (2,), (("12:00", "18:00"),))],
        ),
        (
            "10:00-12:00; Mo 14:00-16:00",  # a rule without days covers every day
            [OV("10:00-12:00", "Mo 14:00-16:00", (0,), (("10:00", "12:00"),))],
        ),
        ("Mo-We 08:30-12:30,13:30-16:30; Th,Fr 08:30-12:30; PH off", []),
        ("Mo-Fr 08:30-12:30, Mo-We 13:30-16:30", []),  # ',' adds a rule
        ("Mo-Fr 09:00-12:00; We 09:00-12:00,14:00-17:00", []),  # restated and extended: nothing lost
        ("Mo-Fr 09:00-18:00; We off", []),  # a closing rule is an explicit exception
        ("Mo-Fr 09:00-17:00; Jul-Aug Mo-Fr 09:00-12:00", []),  # seasonal exception
        ("Mo-Fr 09:00-12:00; PH 10:00-11:00", []),
        ("Mo-Fr 09:00-12:00; Mo 10:00-11:00; Mo 09:00-12:00", []),  # Monday restated in full at the end
        ("24/7", []),
    ],
)
def test_overrides(expr, found):
    assert list(hours.overrides(expr)) == found


@pytest.mark.parametrize(
    "expr, found",
    [
        ("PH off; Mo-Fr 09:00-12:00", [("PH off", "Mo-Fr 09:00-12:00")]),
        ("Jul-Aug off; Mo-Fr 09:00-12:00; PH off", [("Jul-Aug off", "Mo-Fr 09:00-12:00")]),
        ("We off; Mo-Fr 09:00-18:00", [("We off", "Mo-Fr 09:00-18:00")]),
        ("Mo-Fr 09:00-12:00; PH off", []),
        ("Sa off; Mo-Fr 09:00-12:00", []),  # cancelled on no day: harmless
        ("Mo-Fr 09:00-17:00; Jul 15-Aug 20 off; PH off", []),
    ],
)
def test_misplaced_exceptions(expr, found):
    assert list(hours.misplaced_exceptions(expr)) == found


@pytest.mark.parametrize(
    "expr, added, written",
    [
        (
            "Mo-Fr 08:30-12:30; Mo-We 13:30-16:30; PH off",
            "Mo-We 08:30-12:30,13:30-16:30; Th-Fr 08:30-12:30; PH off",
            "Mo-We 13:30-16:30; Th-Fr 08:30-12:30; PH off",
        ),
        (
            "Mo-Fr 09:00-18:00; We 09:00-12:00",
            "Mo-Fr 09:00-18:00",
            "Mo-Tu,Th-Fr 09:00-18:00; We 09:00-12:00",
        ),
        ("Mo-Fr 09:00-12:00; PH off", None, None),
    ],
)
def test_rewritten_expressions_mean_what_they_say(expr, added, written):
    assert hours.added_up(expr) == added and hours.as_written(expr) == written
    if written:  # same hours as the original, without overlap
        assert hours.describe(written, START) == hours.describe(expr, START)
        assert not hours.overrides(written)


def test_exceptions_last():
    assert hours.exceptions_last("PH off; Mo-Fr 09:00-12:00") == "Mo-Fr 09:00-12:00; PH off"
    assert hours.exceptions_last("Mo-Fr 09:00-12:00; PH off") is None


def test_every_demo_expression_is_valid(engine):
    assert all(hours.is_valid(s.opening_hours) for s in engine.sites)
