"""What the citizen cards say: hours in French lines, status headlines."""

import datetime as dt

import pytest

from finder.domain import hours
from finder.present import cards

MONDAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    "expression, lines",
    [
        (
            "Mo-Fr 08:30-12:30,13:30-17:30; PH off",
            [
                "Du lundi au vendredi : 8 h 30 – 12 h 30, 13 h 30 – 17 h 30",
                "Samedi et dimanche : fermé",
                "Jours fériés : fermé",
            ],
        ),
        (
            "Mo-We 08:30-12:30,13:30-16:30; Th,Fr 08:30-12:30; PH off",
            [
                "Du lundi au mercredi : 8 h 30 – 12 h 30, 13 h 30 – 16 h 30",
                "Jeudi et vendredi : 8 h 30 – 12 h 30",
                "Samedi et dimanche : fermé",
                "Jours fériés : fermé",
            ],
        ),
        (
            "Tu,Th 14:00-17:00",
            ["Mardi et jeudi : 14 h – 17 h", "Lundi, mercredi et du vendredi au dimanche : fermé",
             "Jours fériés : non précisé, appelez avant"],
        ),
        (None, []),
        ("pas des horaires", []),
    ],
)  # fmt: skip
def test_usual_hours_group_days_closed_last(expression, lines):
    got = [line.replace("\u00a0", " ") for line in cards.usual_hours(expression, MONDAY)]
    assert got == lines


@pytest.mark.parametrize(
    "expression, closures, now, state, headline",
    [
        ("Mo-Fr 09:00-12:00", (), dt.datetime(2026, 3, 2, 10), "open", "Ouvert maintenant"),
        ("Mo-Fr 09:00-12:00", (), dt.datetime(2026, 3, 2, 14), "closed", "Fermé maintenant"),
        ("Mo-Fr 09:00-12:00", (), dt.datetime(2026, 12, 25, 10), "call", "Jour férié : appelez avant"),
        ("Mo-Fr 09:00-12:00; PH off", (), dt.datetime(2026, 12, 25, 10), "closed", "Fermé maintenant"),
        (None, (), dt.datetime(2026, 3, 2, 10), "unknown", "Horaires non renseignés"),
    ],
)
def test_state_class_follows_the_headline(expression, closures, now, state, headline):
    st = hours.status(expression, closures, now)
    assert (cards.state_class(st), st.headline) == (state, headline)


def test_dates_in_words():
    assert cards.iso_in_words("2026-03-22") == "22 mars 2026"
    assert cards.iso_in_words("2026-05-01") == "1er mai 2026"
    assert cards.iso_in_words(None) == ""
