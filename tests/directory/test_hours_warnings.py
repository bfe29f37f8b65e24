"""Import warnings on valid opening hours: overridden rules, cancelled exceptions, holidays unstated."""

from __future__ import annotations

import pytest

from finder.directory import checks, importer
from finder.domain import hours
from finder.storage.store import Store
from tests.import_helpers import demo_rows, geo, settings, to_csv

OVERRIDE = "opening_hours_override"
CANCELLED = "opening_hours_exception_cancelled"
UNSTATED = "opening_hours_holidays_unstated"


@pytest.mark.parametrize(
    "expr, codes",
    [
        ("Mo-Fr 08:30-12:30; Mo-We 13:30-16:30", [OVERRIDE, UNSTATED]),
        ("Mo-Fr 08:30-12:30; Mo-We 13:30-16:30; PH off", [OVERRIDE]),
        ("Tu-Fr 13:30-18:00; We 10:00-12:00; Sa 10:00-12:00; PH off", [OVERRIDE]),
        ("Mo-Fr 09:00-12:00; We 14:00-17:00; PH off", [OVERRIDE]),
        ("Mo-Fr 09:00-18:00; We 09:00-12:00; PH off", [OVERRIDE]),
        ("PH off; Mo-Fr 09:00-12:00", [CANCELLED]),
        ("Jul-Aug off; Mo-Fr 09:00-12:00; PH off", [CANCELLED]),
        ("Mo-Fr 09:00-12:00", [UNSTATED]),
        ("24/7", [UNSTATED]),
        ('Mo-Fr 09:00-12:00 "PH : appelez"', [UNSTATED]),  # a comment states nothing
        ("Mo-Fr 09:00-12:00; PH off", []),
        ("Mo-We 08:30-12:30,13:30-16:30; Th,Fr 08:30-12:30; PH off", []),
        ("Mo-Fr 08:30-12:30, Mo-We 13:30-16:30; PH off", []),  # ',' adds hours: meant and said
        ("Mo-Fr 09:00-17:00; Jul 15-Aug 20 off; PH off", []),
        ("Mo-Fr 09:00-18:00; We off; PH 10:00-12:00", []),
        ("Mo-Sa 09:00-18:00; Jul-Aug Mo-Fr 09:00-12:00; PH off", []),
    ],
)
def test_warning_codes(expr, codes):
    assert [code for code, _ in checks.hours_warnings(expr)] == codes


def test_override_message_names_rules_days_lost_hours_and_both_fixes():
    (code, message), _ = checks.hours_warnings("Mo-Fr 08:30-12:30; Mo-We 13:30-16:30")
    text = message.replace(hours.NBSP, " ")
    assert "la règle « Mo-We 13:30-16:30 » remplace « Mo-Fr 08:30-12:30 » du lundi au mercredi" in text
    assert "8 h 30 – 12 h 30 ne compte plus ces jours-là" in text
    assert "Si les horaires s'ajoutent, écrivez « Mo-We 08:30-12:30,13:30-16:30; Th-Fr 08:30-12:30 »" in text
    assert "si c'est voulu, écrivez sans chevauchement « Mo-We 13:30-16:30; Th-Fr 08:30-12:30 »" in text


def test_cancelled_exception_message_gives_the_order_to_write():
    [(code, message)] = checks.hours_warnings("PH off; Mo-Fr 09:00-12:00")
    assert "« PH off » est annulée par la règle « Mo-Fr 09:00-12:00 »" in message
    assert "en dernier : « Mo-Fr 09:00-12:00; PH off »" in message


def test_unstated_holidays_message_says_what_citizens_will_see():
    [(code, message)] = checks.hours_warnings("Mo-Fr 09:00-12:00")
    assert "jour férié : appelez avant" in message and "PH off" in message


def check(rows):
    return importer.check(to_csv(rows), Store(":memory:"), geo(), settings())


def test_import_reports_hours_warnings_by_line_and_still_accepts_the_file():
    rows = demo_rows(4)
    rows[1]["horaires_accueil"] = "Mo-Fr 08:30-12:30; Mo-We 13:30-16:30; PH off"
    rows[3]["horaires_accueil"] = "Mo-Fr 09:00-12:00"
    result = check(rows)
    assert result.report.ok, result.report.to_text()
    found = [(i.line, i.field, i.code) for i in result.report.warnings]
    assert found == [(3, "horaires_accueil", OVERRIDE), (5, "horaires_accueil", UNSTATED)]
    assert result.report.warnings[0].value == rows[1]["horaires_accueil"]
    assert "ligne 3 [horaires_accueil] : Horaires : la règle « Mo-We 13:30-16:30 »" in result.report.to_text()
    assert result.directory is not None and len(result.directory.sites) == 4


def test_invalid_hours_get_an_error_and_no_advice():
    rows = demo_rows(1)
    rows[0]["horaires_accueil"] = "lundi 9h-12h"
    report = check(rows).report
    assert [i.code for i in report.errors] == ["invalid_opening_hours"] and not report.warnings
