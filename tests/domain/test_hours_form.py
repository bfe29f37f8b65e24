"""The opening-hours form writes valid OSM opening_hours and says them in French words."""

from __future__ import annotations

import pytest

from finder.domain import hours, hours_form
from finder.domain.hours_form import field


def grid(**days) -> dict:
    out = {}
    for code, slots in days.items():
        for n, (a, b) in enumerate(slots, 1):
            out[field(code, n, "start")], out[field(code, n, "end")] = a, b
    return out


WEEKDAYS = {c: [("08:30", "12:30"), ("13:30", "17:30")] for c in ("Mo", "Tu", "We", "Th", "Fr")}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (grid(**WEEKDAYS), "Mo-Fr 08:30-12:30,13:30-17:30"),
        (
            {**grid(**WEEKDAYS, Sa=[("09:00", "12:00")]), "ph_off": "1"},
            "Mo-Fr 08:30-12:30,13:30-17:30; Sa 09:00-12:00; PH off",
        ),
        (grid(Mo=[("09:00", "12:00")], We=[("09:00", "12:00")]), "Mo,We 09:00-12:00"),
        (grid(**{d: [("09:00", "12:00")] for d in ("Mo", "Tu", "We", "Fr")}), "Mo-We,Fr 09:00-12:00"),
        (grid(Mo=[("09:00", "12:00")], Tu=[("09:00", "12:00")]), "Mo,Tu 09:00-12:00"),
        ({}, ""),
    ],
)
def test_the_grid_writes_valid_opening_hours(values, expected):
    text, errors = hours_form.from_form(values)
    assert errors == {} and text == expected
    assert text == "" or hours.is_valid(text)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (grid(Mo=[("9h", "12:00")]), "HH:MM"),
        (grid(Mo=[("12:00", "09:00")]), "fin doit suivre"),
        (grid(Mo=[("09:00", "12:00"), ("11:00", "14:00")]), "seconde plage"),
        ({field("Tu", 1, "start"): "09:00"}, "HH:MM"),
    ],
)
def test_bad_times_get_a_french_message_on_their_field(values, message):
    text, errors = hours_form.from_form(values)
    assert text is None and len(errors) == 1 and message in next(iter(errors.values()))


@pytest.mark.parametrize(
    "expression",
    ["Mo-Fr 08:30-12:30,13:30-17:30", "Mo-Fr 08:30-12:30,13:30-17:30; Sa 09:00-12:00; PH off", "Tu,Th 14:00-17:00"],
)
def test_a_plain_week_goes_back_into_the_grid(expression):
    form = hours_form.to_form(expression)
    assert form["simple"]
    rebuilt = hours_form.from_form(form)[0]
    for monday in (hours_form.REFERENCE_MONDAY, *hours_form.SAMPLE_MONDAYS):
        assert hours.week(rebuilt, monday) == hours.week(expression, monday)
    assert hours_form.from_form(hours_form.to_form(rebuilt))[0] == rebuilt


@pytest.mark.parametrize(
    "expression", ["Mo-Fr 08:00-09:00,10:00-11:00,12:00-13:00", "Jan-Jun Mo 09:00-12:00", "week 1-26 Tu 10:00-12:00"]
)
def test_a_richer_expression_is_kept_as_typed(expression):
    assert not hours_form.to_form(expression)["simple"]


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        (
            "Mo-Fr 08:30-12:30,13:30-17:30",
            "Du lundi au vendredi : 8 h 30 – 12 h 30 et 13 h 30 – 17 h 30 ; fermé le samedi et le dimanche.",
        ),
        (
            "Mo-Fr 09:00-17:00; Sa 09:00-12:00; PH off",
            "Du lundi au vendredi : 9 h – 17 h ; samedi : 9 h – 12 h ; fermé le dimanche ; fermé les jours fériés.",
        ),
        (
            "Tu,Th 14:00-17:00",
            "Mardi : 14 h – 17 h ; jeudi : 14 h – 17 h ; fermé le lundi, mercredi, vendredi, samedi et le dimanche.",
        ),
        (None, "Horaires non renseignés."),
        ("n'importe quoi", "Horaires illisibles : la syntaxe OpenStreetMap n'est pas respectée."),
    ],
)
def test_described_in_french(expression, text):
    assert hours_form.describe(expression) == text
