"""What the citizen cards say: hours in French lines, status headlines."""

import datetime as dt
import json

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


def test_markers_are_named_after_their_place_and_distance():
    card = {"id": "x", "name": "Mission locale Aurillac", "rank": 2, "distance": "2,3 km", "lat": 1, "lon": 2,
            "network": "Mission locale", "address": "1 rue", "postcode": "15000", "commune": "Aurillac"}  # fmt: skip
    point = cards.map_points([card], lambda sid: f"/lieux/{sid}")[0]
    assert point["title"] == "2. Mission locale Aurillac — 2,3 km"
    from finder.present import maps

    rendered = maps.results_map(None, [point], "https://t.example/{z}/{x}/{y}.png", "t")
    assert json.dumps({"title": point["title"]}, ensure_ascii=False, separators=(",", ":"))[1:-1] in rendered.script
    assert "keyboard: false" in rendered.script and "'aria-hidden', 'true'" in rendered.script
    assert "L.control.scale" not in rendered.script  # metric-only scale added by static/js/maps.js
    assert rendered.js == ("vendor/leaflet/leaflet.js",) and rendered.css == ("vendor/leaflet/leaflet.css",)
