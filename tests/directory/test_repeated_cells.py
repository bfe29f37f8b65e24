"""A cell is checked once per file (``finder.directory.rowparse``): its warnings and error are still
reported on every line holding it, with that line's number, in the order a row is read."""

from __future__ import annotations

from finder.directory import validate
from finder.directory.tablefile import Table, read_table
from tests.import_helpers import TODAY, demo_rows, geo, to_csv

CROSS_LINE = {"duplicate_id", "structure_mismatch"}  # checks across lines, not of one row


def check(rows: list[dict]):
    table = read_table(to_csv(rows))
    return table, validate.validate_table(table, geo(), validate.Options(TODAY))


def issues(report, code: str) -> list[tuple[int, str | None]]:
    return [(i.line, i.field) for i in report.issues if i.code == code]


def unpadded(rows: list[dict], indexes) -> str:
    """A postcode starting with 0 written without it (a spreadsheet's lost leading zero) on those rows."""
    for i in indexes:
        assert rows[i]["code_postal"].startswith("0")
        rows[i]["code_postal"] = rows[i]["code_postal"][1:]
    return rows[indexes[0]]["code_postal"]


def test_warnings_and_errors_of_a_repeated_cell_are_reported_on_each_of_its_lines():
    rows = demo_rows(8)
    for i in (0, 2, 4):
        rows[i]["date_maj"] = "2020-01-01"  # stale: a warning
    for i in (1, 3):
        rows[i].update(code_insee="99999", structure_departement="99")  # errors
    for i in (5, 7):
        rows[i]["date_maj"] = ""  # required
    short = unpadded(rows, [6])
    _, (drafts, report) = check(rows)
    assert issues(report, "stale") == [(2, "date_maj"), (4, "date_maj"), (6, "date_maj")]
    assert issues(report, "unknown_commune") == [(3, "code_insee"), (5, "code_insee")]
    assert issues(report, "unknown_department") == [(3, "structure_departement"), (5, "structure_departement")]
    assert [i for i in issues(report, "required") if i[1] == "date_maj"] == [(7, "date_maj"), (9, "date_maj")]
    assert issues(report, "leading_zero") == [(8, "code_postal")]
    assert all("99999" in i.message and i.value == "99999" for i in report.issues if i.code == "unknown_commune")
    assert [d.site["date_maj"] for d in drafts[:3]] == ["2020-01-01", rows[1]["date_maj"], "2020-01-01"]
    assert drafts[6].site["postcode"] == "0" + short
    assert [d.ok for d in drafts] == [True, False, True, False, True, False, True, False]


def test_a_cell_that_warns_then_fails_reports_both_in_that_order_on_every_line():
    rows = demo_rows(6)
    for i in (0, 3):
        rows[i]["code_insee"] = "1999"  # completed to 01999 (a warning), unknown (an error)
    _, (_, report) = check(rows)
    for line in (2, 5):
        mine = [(i.code, i.field) for i in report.issues if i.line == line]
        assert mine.index(("leading_zero", "code_insee")) + 1 == mine.index(("unknown_commune", "code_insee"))
    assert [i.line for i in report.issues if i.code in ("leading_zero", "unknown_commune")] == [2, 2, 5, 5]


def test_each_line_gets_the_report_it_would_get_alone():
    """The same report, line by line, whether the repeated cells were checked on an earlier line or not."""
    rows = demo_rows(10)
    changes = {
        "publics": "eleves,martiens",
        "horaires_accueil": "Mo-Fr 09:00-12:00; Mo 10:00-11:00",
        "structure_cercle": "7",
        "structure_reseau": "",
        "date_maj": "2099-01-01",
        "code_postal": "abc",
        "modes_accueil": "a-distance,martien",
        "fermetures": "2026-02-01/2026-01-01",
        "structure_zone_eligibilite": "01,zz9",
        "source_coordonnees": "commune",
    }
    for n, (column, value) in enumerate(changes.items()):
        for i in (n % 10, (n + 3) % 10, (n + 7) % 10):
            rows[i][column] = value
    table, (drafts, report) = check(rows)
    alone = []
    for line, cells in table.rows:
        one = Table(header=table.header, rows=[(line, cells)], kind=table.kind)
        one_drafts, one_report = validate.validate_table(one, geo(), validate.Options(TODAY))
        alone += one_report.issues
        draft = next(d for d in drafts if d.line == line)
        assert (draft.site, draft.raw_structure) == (one_drafts[0].site, one_drafts[0].raw_structure)
    whole = [i for i in report.issues if i.code not in CROSS_LINE]
    assert whole == alone
    assert len({i.code for i in whole}) >= 10
