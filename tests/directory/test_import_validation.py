"""The corpus of bad files: each gets its line-level French report; nothing is stored, the served version stays."""

from __future__ import annotations

import io
import random

import pytest

from finder.directory import importer
from finder.storage.store import Store
from tests.conftest import DEMO
from tests.import_helpers import demo_rows, fingerprint, geo, settings, to_csv


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store(tmp_path_factory.mktemp("validation") / "spro.sqlite3")
    s.initialise(DEMO)
    return s


def run(store, data: bytes, **kw):
    before = fingerprint(store)
    result = importer.run(data, store, geo(), settings(**kw), author="test", filename="t.csv", publish=True)
    assert fingerprint(store) == before, "a refused import must leave the store's published directory as it was"
    assert result.version is None and not result.published
    return result.report


def mutated(change, n: int = 6) -> bytes:
    rows = demo_rows(n)
    change(rows)
    return to_csv(rows)


def setter(index: int, **values):
    def change(rows):
        rows[index].update(values)

    return change


LYON = ("45.767", "4.8357")  # a point in Lyon, far from Bourg-en-Bresse (01053)

# (case, change of the 6 first demo rows, expected line, field, code, words of the message)
ROW_CASES = [
    ("missing required field", setter(1, nom=""), 3, "nom", "required", "obligatoire"),
    ("missing date_maj", setter(0, date_maj=""), 2, "date_maj", "required", "obligatoire"),
    ("unknown network", setter(5, structure_reseau="mision-locale"), 7, "structure_reseau", "unknown_code",
      "mission-locale"),
    ("unknown public", setter(2, publics="demandeur-emploi"), 4, "publics", "unknown_code", "demandeurs-emploi"),
    ("network by label", setter(5, structure_reseau="Mission Locale"), 7, "structure_reseau", "unknown_code",
      "« mission-locale »"),
    ("unknown mode", setter(0, modes_accueil="presentiel"), 2, "modes_accueil", "unknown_code", "en-presentiel"),
    ("unknown level", setter(0, niveaux_service="3"), 2, "niveaux_service", "unknown_code", "3"),
    ("latitude not a number", setter(1, latitude="46,2x"), 3, "latitude", "not_a_number", "n'est pas un nombre"),
    ("longitude not a number", setter(1, longitude="abc"), 3, "longitude", "not_a_number", "abc"),
    ("swapped coordinates", setter(0, latitude="5.266694", longitude="46.200003"), 2, "latitude",
      "swapped_coordinates", "inversées"),
    ("outside the region", setter(0, latitude="48.8534", longitude="2.3488"), 2, "latitude", "outside_region",
      "hors de la région"),
    ("outside the commune", setter(0, latitude=LYON[0], longitude=LYON[1]), 2, "latitude", "outside_commune", "Lyon"),
    ("only one coordinate", setter(0, longitude=""), 2, "longitude", "required", "vont ensemble"),
    ("postcode of another commune", setter(0, code_postal="69001"), 2, "code_postal", "postcode_mismatch", "01000"),
    ("postcode not 5 digits", setter(0, code_postal="1A000"), 2, "code_postal", "invalid_postcode", "5 chiffres"),
    ("INSEE code outside the region", setter(0, code_insee="75056"), 2, "code_insee", "unknown_commune", "75056"),
    ("invalid opening hours", setter(3, horaires_accueil="lundi 9h-12h"), 5, "horaires_accueil",
      "invalid_opening_hours", "opening_hours"),
    ("invalid phone", setter(0, telephone="12 34"), 2, "telephone", "invalid_phone", "Téléphone invalide"),
    ("two phones in a cell", setter(0, telephone="04 65 71 00 01 / 04 65 71 00 02"), 2, "telephone",
      "invalid_phone", "un seul"),
    ("invalid email", setter(0, courriel="accueil@"), 2, "courriel", "invalid_email", "Courriel invalide"),
    ("javascript URL", setter(0, site_web="javascript:alert(1)"), 2, "site_web", "invalid_url", "http"),
    ("URL without scheme", setter(0, structure_site_web="www.example.org"), 2, "structure_site_web",
      "invalid_url", "http"),
    ("duplicate id", setter(3, id="lieu-0001"), 5, "id", "duplicate_id", "ligne 2"),
    ("invalid id", setter(0, id="lieu 1/2"), 2, "id", "invalid_id", "Identifiant invalide"),
    ("site without structure", setter(0, structure_id=""), 2, "structure_id", "missing_structure", "sans structure"),
    ("structure described twice", setter(1, structure_nom="Autre nom"), 3, "structure_nom",
      "structure_mismatch", "ligne 2"),
    ("date in the future", setter(0, date_maj="2030-01-01"), 2, "date_maj", "future_date", "futur"),
    ("invalid date", setter(0, date_maj="31/02/2026"), 2, "date_maj", "invalid_date", "AAAA-MM-JJ"),
    ("closure ending before it starts", setter(0, fermetures="2026-12-24/2026-12-01 Travaux"), 2, "fermetures",
      "invalid_closure", "fin"),
    ("unreadable closure", setter(0, fermetures="fermé en août"), 2, "fermetures", "invalid_closure", "AAAA-MM-JJ"),
    ("age range reversed", setter(0, age_min="26", age_max="16"), 2, "age_max", "age_range", "inférieur"),
    ("age not an integer", setter(0, age_min="seize"), 2, "age_min", "not_an_integer", "entier"),
    ("unknown territory code", setter(5, structure_zone_eligibilite="01053,99999"), 7,
      "structure_zone_eligibilite", "unknown_territory", "99999"),
    ("unknown department", setter(5, structure_departement="75"), 7, "structure_departement",
      "unknown_department", "75"),
    ("bad boolean", setter(0, accessible_pmr="peut-être"), 2, "accessible_pmr", "invalid_boolean", "oui ou non"),
    ("control characters", setter(0, nom="Mission\x07locale"), 2, "nom", "control_characters", "contrôle"),
    ("name too long", setter(0, nom="x" * 201), 2, "nom", "too_long", "200"),
]  # fmt: skip


@pytest.mark.parametrize("case,change,line,field,code,words", ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_bad_row_gets_a_line_level_report(store, case, change, line, field, code, words):
    report = run(store, mutated(change))
    assert not report.ok
    found = [i for i in report.errors if (i.line, i.field, i.code) == (line, field, code)]
    assert found, report.to_text()
    assert words in found[0].message


def test_every_line_is_reported_not_only_the_first(store):
    def change(rows):
        rows[0]["telephone"] = "x"
        rows[4]["courriel"] = "y"
        rows[5]["horaires_accueil"] = "z"

    report = run(store, mutated(change))
    assert [(i.line, i.field) for i in report.errors] == [(2, "telephone"), (6, "courriel"), (7, "horaires_accueil")]


def _rows_bytes(**kw) -> bytes:
    return to_csv(demo_rows(3), **kw)


def _wrong_header() -> bytes:
    return "nom;prénom;ville\nDupont;Jean;Lyon\n".encode()


def _garbage() -> bytes:
    return random.Random(6).randbytes(4096)


def _xlsx_corrupt() -> bytes:
    return b"PK\x03\x04" + random.Random(1).randbytes(500)


FILE_CASES = [
    ("empty file", b"", 0, None, "unreadable_file", "vide"),
    ("blank lines only", b"\r\n \r\n", 0, None, "unreadable_file", "vide"),
    ("header only", to_csv([]), 0, None, "no_rows", "aucune ligne"),
    ("wrong headers", _wrong_header(), 1, "id", "missing_column", "id"),
    ("binary garbage", _garbage(), 0, None, "unreadable_file", "illisible"),
    ("old Excel format", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, 0, None, "unreadable_file", ".xls"),
    ("UTF-16 text", "id,nom\n1,a\n".encode("utf-16"), 0, None, "unreadable_file", "UTF-16"),
    ("PDF", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 0, None, "unreadable_file", "PDF"),
    ("corrupt XLSX", _xlsx_corrupt(), 0, None, "unreadable_file", "XLSX"),
    ("unclosed quote", _rows_bytes() + b'lieu-x,"oops\r\n', 5, None, "unreadable_file", "guillemet ouvert"),
    ("stray quote", _rows_bytes() + b'lieu-x,"a"b,c\r\n', 5, None, "unreadable_file", "guillemet fermant"),
    ("misspelt required column", _rows_bytes().replace(b"code_insee", b"code_inse", 1), 1, "code_insee",
      "missing_column", "code_insee"),
    ("duplicate column", _rows_bytes().replace(b"courriel", b"telephone", 1), 1, "telephone",
      "duplicate_column", "double"),
    ("latitude without longitude", to_csv(demo_rows(2), header=[h for h in demo_rows(1)[0] if h != "longitude"]),
      1, "latitude", "missing_column", "ensemble"),
]  # fmt: skip


@pytest.mark.parametrize("case,data,line,field,code,words", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_bad_file_gets_a_report(store, case, data, line, field, code, words):
    report = run(store, data)
    assert not report.ok
    found = [i for i in report.errors if (i.line, i.field, i.code) == (line, field, code)]
    assert found, report.to_text()
    assert words in found[0].message


def test_more_values_than_columns(store):
    data = _rows_bytes() + b"lieu-0099" + b",x" * 40 + b"\r\n"
    report = run(store, data)
    assert 5 in report.lines_with("extra_cells")


def test_too_many_rows(store):
    report = run(store, to_csv(demo_rows(12)), max_rows=10)
    assert report.errors[0].code == "unreadable_file" and "Trop de lignes" in report.errors[0].message


def test_misspelt_column_suggests_the_right_name(store):
    report = run(store, _rows_bytes().replace(b"code_insee", b"code_inse", 1))
    hint = [i for i in report.warnings if i.code == "unknown_column"]
    assert hint and "code_insee" in hint[0].message


# -- warnings are publishable ------------------------------------------------------------
def check_only(data: bytes, **kw):
    return importer.check(data, Store(":memory:"), geo(), settings(**kw))


@pytest.mark.parametrize(
    "change,field,code",
    [
        (setter(0, date_maj="2025-01-15"), "date_maj", "stale"),
        (setter(0, code_postal="1000"), "code_postal", "leading_zero"),
        (setter(0, commune="Lyon"), "commune", "commune_name"),
        (setter(0, source_coordonnees="commune"), "source_coordonnees", "approximate_position"),
    ],
    ids=["stale", "leading zero", "commune name", "approximate"],
)
def test_warnings_do_not_block(change, field, code):
    result = check_only(mutated(change))
    assert result.report.ok, result.report.to_text()
    assert [(i.line, i.field, i.code) for i in result.report.warnings] == [(2, field, code)]
    assert result.directory is not None


def test_french_decimal_comma_and_semicolons_accepted():
    rows = demo_rows(2)
    rows[0]["latitude"] = rows[0]["latitude"].replace(".", ",")
    result = check_only(to_csv(rows, sep=";"))
    assert result.report.ok and not result.report.issues
    assert result.directory.sites[0].lat == float(demo_rows(1)[0]["latitude"])


def test_unknown_column_is_a_warning():
    rows = demo_rows(2)
    result = check_only(to_csv(rows, header=[*rows[0], "remarques"]))
    assert result.report.ok and [i.code for i in result.report.warnings] == ["unknown_column"]


def test_territory_by_epci_and_department_is_expanded(geo):
    rows = demo_rows(1)
    rows[0]["structure_zone_eligibilite"] = "200071751,15"
    structure = next(iter(check_only(to_csv(rows)).directory.structures.values()))
    expected = {
        c.insee for c in geo.communes.values() if c.kind == "COM" and (c.epci == "200071751" or c.department == "15")
    }
    assert set(structure.territory) == expected


def test_mass_removal_is_warned(store):
    result = importer.run(to_csv(demo_rows(6)), store, geo(), settings(), "test", dry_run=True)
    assert result.report.ok and 0 in result.report.lines_with("mass_removal")


def test_xlsx_with_numbers_dates_and_lost_leading_zeros():
    import datetime as dt

    import openpyxl

    rows = demo_rows(1)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    values = dict(rows[0], latitude=float(rows[0]["latitude"]), longitude=float(rows[0]["longitude"]))
    values.update(code_postal=1000, code_insee=1053, age_min=16, date_maj=dt.datetime(2026, 10, 1), structure_cercle=1)
    values["accessible_pmr"] = True
    sheet.append(list(values.values()))
    out = io.BytesIO()
    book.save(out)
    result = check_only(out.getvalue())
    assert result.report.ok, result.report.to_text()
    site = result.directory.sites[0]
    assert (site.postcode, site.commune, site.date_maj, site.accessible) == ("01000", "01053", "2026-10-01", True)
    assert {i.code for i in result.report.warnings} == {"leading_zero"}


def test_a_value_repeated_on_many_lines_is_reported_on_each_of_them(store):
    """Distinct cells are checked once per file (finder.directory.rowparse): the report still names every line."""

    def change(rows):
        for i in (0, 2, 4):
            rows[i].update(publics="eleves,martiens", horaires_accueil="Mo-Fr 25:00-26:00", structure_cercle="7")

    report = run(store, mutated(change))
    for code, field in (("unknown_code", "publics"), ("invalid_opening_hours", "horaires_accueil")):
        assert [(i.line, i.field) for i in report.errors if i.code == code] == [(2, field), (4, field), (6, field)]
    assert [i.line for i in report.errors if i.field == "structure_cercle" and i.code != "structure_mismatch"] == [
        2,
        4,
        6,
    ]
    assert all("martiens" in i.message for i in report.errors if i.field == "publics")
