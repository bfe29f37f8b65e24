"""Hostile spreadsheets are refused before they cost memory or time, each refusal a line of a kept report.

Every file here is built by the test (tests/directory/hostile.py); none is committed. The
first table uses small limits (IMPORT_MAX_ROWS = 1,000) so that each bomb is small; the
next tests use the default limits and bombs the size of those of issue 15, with the
memory the refusal took measured by tracemalloc.
"""

from __future__ import annotations

import codecs
import time
import tracemalloc
import zipfile

import pytest

from finder.cli import main as cli
from finder.directory import importer, tablefile
from finder.directory.tablefile import FileProblem, read_table
from finder.storage import import_log
from finder.storage.store import Store
from tests.conftest import DEMO
from tests.directory.hostile import NS, header_row, inline, repeated, row, xlsx
from tests.import_helpers import demo_rows, geo, settings, to_csv

MAX_ROW_CELLS = 1_024  # the documented limits (finder.directory.tablefile)
MAX_CELL_CHARS = 32_767
SMALL = 1_000  # IMPORT_MAX_ROWS of the first table: caps of 1,001 rows, 64,064 cells and shared strings
HEADER = header_row(["id", "nom"])
SHARED_CELL = row('<c t="s"><v>0</v></c>', 2)  # line 2 shows the first shared string
PREFIXED = (
    '<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main"><x:sheetData>'
)


def refusal(data: bytes, max_rows: int = SMALL, **kwargs) -> FileProblem:
    with pytest.raises(FileProblem) as err:
        read_table(data, max_rows, **kwargs)
    return err.value


BOMBS = {
    # name: (the archive, words of the refusal, line named)
    "80,000 cells in 200 rows": (lambda: xlsx([HEADER, *repeated(row("<c/>" * 400), 200)]), "cellules", 0),
    "one row of 5,000 cells": (lambda: xlsx([HEADER, row("<c/>" * 5000, 3)]), "Ligne 3 : plus de 1024 cellules", 3),
    "one row of 5,000 cells, prefixed names": (
        lambda: xlsx(
            ['<x:row r="1"/><x:row r="2">', *repeated("<x:c/>", 5000), "</x:row>"],
            sheet_prefix=PREFIXED,
            sheet_suffix="</x:sheetData></x:worksheet>",
        ),
        "Ligne 2 : plus de 1024 cellules",
        2,
    ),
    "70,000 shared strings": (lambda: xlsx([HEADER], shared=repeated("<si><t>x</t></si>", 70_000)), "textes", 0),
    "a shared string of 300,000 characters": (
        lambda: xlsx([HEADER, SHARED_CELL], shared=["<si><t>", *repeated("a", 300_000), "</t></si>"]),
        "dépasse",
        0,
    ),
    "an inline cell of 300,000 characters": (
        lambda: xlsx([HEADER, row(inline("a" * 300_000), 2)]),
        "dépasse",
        0,
    ),
    "30 MB of zeros beside the sheet": (
        lambda: xlsx([HEADER], extra={"xl/media/image1.png": repeated(b"\0", 30 << 20)}),
        "décompressé",
        0,
    ),
    "an entity expanding into cells": (
        lambda: xlsx(
            [HEADER, row("&e;" * 1000, 2)],
            sheet_prefix='<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "<c/><c/><c/><c/>">]>'
            f"<worksheet {NS}><sheetData>",
        ),
        "DTD",
        0,
    ),
    "a sheet compressed with bzip2": (
        lambda: xlsx([HEADER, *repeated(row("<c/>" * 10), 100)], compression=zipfile.ZIP_BZIP2),
        "compression",
        0,
    ),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_xlsx_bombs_are_refused_before_parsing(name):
    build, words, line = BOMBS[name]
    problem = refusal(build())
    assert words in problem.message and problem.line == line, problem.message


def test_a_sheet_in_utf16_is_refused():
    body = f'<?xml version="1.0" encoding="UTF-16"?><worksheet {NS}><sheetData>'
    sheet = codecs.BOM_UTF16_LE + body.encode("utf-16-le")
    tail = (row("<c/>" * 5000, 2) + "</sheetData></worksheet>").encode("utf-16-le")
    assert "UTF-8" in refusal(xlsx([tail], sheet_prefix=sheet, sheet_suffix=b"")).message


def test_too_many_rows_are_refused_before_parsing_too():
    assert "Trop de lignes : 1000" in refusal(xlsx([HEADER, *repeated("<row/>", 1500)])).message


def test_a_legitimate_workbook_within_the_limits_is_read():
    cells = [inline(f"v{i}") for i in range(31)]
    sheet = [header_row([f"c{i}" for i in range(31)]), *(row(cells, n) for n in range(2, 1002))]
    table = read_table(xlsx(sheet), SMALL)
    assert len(table.rows) == SMALL and table.rows[-1][1][30] == "v30"


# -- default limits, bombs the size of issue 15's ----------------------------------------------
def measured(data: bytes, **kwargs) -> tuple[FileProblem, float, float]:
    """The refusal under the default limits, its time (s) and the memory it allocated at peak (MiB)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        problem = refusal(data, 100_000, **kwargs)
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    print(f"\n{len(data) / 1e6:.2f} MB refused in {elapsed:.2f} s, peak {peak:.0f} MiB: {problem.message}")
    return problem, elapsed, peak


def test_ten_million_cells_in_a_small_archive():
    data = xlsx([HEADER, *repeated(row("<c/>" * 1000), 10_000)])
    assert len(data) < 1_200_000
    problem, _, peak = measured(data)
    assert "plus de 6\u202f400\u202f064 cellules" in problem.message and peak < 64


def test_twenty_million_shared_strings():
    data = xlsx([HEADER], shared=repeated("<si/>", 20_000_000))
    problem, _, peak = measured(data)
    assert "textes différents" in problem.message and peak < 64


def test_one_huge_cell():
    data = xlsx([HEADER, SHARED_CELL], shared=["<si><t>", *repeated(b"a" * 4096, 25_000), "</t></si>"])
    problem, _, peak = measured(data)
    assert "dépasse" in problem.message and peak < 64


def test_an_archive_declaring_gigabytes_is_refused_without_reading_it():
    data = bytearray(xlsx([HEADER], extra={"xl/media/image1.png": [b"\0" * 1000]}))
    entry = data.rindex(b"PK\x01\x02")  # central directory record of the last entry (the image)
    data[entry + 24 : entry + 28] = (2**31).to_bytes(4, "little")  # its declared uncompressed size: 2 GiB
    problem, elapsed, _ = measured(bytes(data))
    assert "décompressé" in problem.message and "2\u202f048 Mo" in problem.message


def test_a_csv_line_of_millions_of_separators():
    data = b"id;nom\r\n" + b";" * 49_000_000
    problem, _, peak = measured(data)
    assert problem.line == 2 and f"plus de {MAX_ROW_CELLS} champs" in problem.message
    assert peak < 3 * len(data) / 2**20  # the decoded text and one copy of the line, never a list of fields


# -- CSV -----------------------------------------------------------------------------------------
def test_separators_are_counted_across_the_lines_of_one_record():
    record = "x;" + ";".join(['"\n"'] * 4000)  # one record of 4,001 fields over 4,001 lines (quoted newlines)
    problem = refusal(f"id;nom\nlieu-1;a\n{record}\n".encode())
    assert problem.line == 3 and "champs" in problem.message


def test_a_record_as_wide_as_allowed_is_read():
    table = read_table(("a;b\n1;2" + ";" * (MAX_ROW_CELLS - 2) + "\n").encode())
    assert table.rows == [(2, ["1", "2"])]


def test_a_cell_longer_than_a_spreadsheet_allows():
    rows = demo_rows(3)
    rows[1]["nom"] = "x" * (MAX_CELL_CHARS + 1)
    problem = refusal(to_csv(rows))
    assert problem.line == 3 and f"dépasse {MAX_CELL_CHARS} caractères" in problem.message


def test_a_utf8_file_with_one_windows_1252_byte_names_its_line():
    rows = demo_rows(4)
    rows[0]["nom"] = "Maison de l'emploi « été »"  # UTF-8 accents on line 2
    data = to_csv(rows).replace(rows[2]["id"].encode(), rows[2]["id"].encode() + "é".encode("cp1252"))
    problem = refusal(data)
    assert problem.line == 4 and "0xE9" in problem.message and "UTF-8" in problem.message


def test_a_windows_1252_file_is_still_read():
    rows = demo_rows(2)
    rows[1]["nom"] = "Maison de l'emploi été"
    table = read_table(to_csv(rows, encoding="cp1252"))
    assert table.encoding == "cp1252" and table.rows[1][1][1] == "Maison de l'emploi été"


def test_a_file_larger_than_allowed():
    problem = refusal(b"id;nom\n" + b"x;y\n" * 1000, max_bytes=1024)
    assert "trop volumineux" in problem.message


# -- every refusal is kept in the import log, in the web and the command line --------------------
@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "spro.sqlite3")
    s.initialise(DEMO)
    return s


def test_a_refused_bomb_is_a_line_of_a_kept_report(store):
    bomb = BOMBS["one row of 5,000 cells"][0]()
    result = importer.run(bomb, store, geo(), settings(max_rows=SMALL), "alice", "bombe.xlsx")
    (error,) = result.report.errors
    assert error.line == 3 and error.code == "unreadable_file" and "cellules" in error.message
    meta, text = import_log.get(store, result.report_id)
    assert meta["errors"] == 1 and meta["filename"] == "bombe.xlsx" and "plus de 1024 cellules" in text


def test_the_command_line_has_the_same_limits(tmp_path, store, monkeypatch, capsys):
    big = tmp_path / "grand.csv"
    big.write_bytes(to_csv(demo_rows()) * 30)  # about 2 MB
    monkeypatch.setenv("SPRO_IMPORT_MAX_MB", "1")
    assert cli.main(["--database", str(store.path), "import", str(big)]) == 1
    assert "trop volumineux : 1 Mo au plus" in capsys.readouterr().out
    separators = tmp_path / "separateurs.csv"
    separators.write_bytes(b"id;nom\r\n" + b";" * 900_000)
    assert cli.main(["--database", str(store.path), "import", str(separators)]) == 1
    assert "Ligne 2 : plus de 1024 champs" in capsys.readouterr().out
    assert [r["errors"] for r in import_log.recent(store)] == [1, 1]


def test_tablefile_exposes_the_caps_it_derives():
    caps = tablefile.Limits(rows=SMALL).xlsx_caps()
    assert (caps.rows, caps.cells, caps.row_cells) == (SMALL + 1, (SMALL + 1) * 64, MAX_ROW_CELLS)
