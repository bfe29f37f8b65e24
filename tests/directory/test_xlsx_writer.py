"""The streaming XLSX writer: every cell read back by openpyxl (both of its readers) and by the importer."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from finder.directory import columns, tablefile, xlsx_guard, xlsx_writer
from finder.directory.tablefile import Limits, read_table
from tests.import_helpers import demo_rows

AWKWARD = [
    ["a & b < c > d", "ligne 1\r\nligne 2", "  espaces autour  ", "=1+1", "", "é – « » 中文 🙂"],
    ["", "", "", "", "", "dernière"],
    ["\ttab", "x\ny", "'quote\"", "_x000D_", "-3", "0042"],
]


def read_back(data: bytes, read_only: bool) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=read_only)
    try:
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


@pytest.mark.parametrize("read_only", [False, True])
def test_every_cell_comes_back_as_the_same_text(read_only):
    header = ["un", "deux", "trois", "quatre", "cinq", "six"]
    got = read_back(xlsx_writer.write(header, AWKWARD), read_only)
    assert got[0] == header
    assert got[1:] == [[c if c else None for c in row] for row in AWKWARD]


def test_cells_are_inline_text_never_formulas_and_empty_cells_are_left_out():
    data = xlsx_writer.write(["a", "b", "c"], [["=SUM(A1)", "", "3"]])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [(c.coordinate, c.data_type, c.value) for c in sheet[2]] == [
        ("A2", "s", "=SUM(A1)"),
        ("B2", "n", None),
        ("C2", "s", "3"),
    ]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert 'r="B2"' not in xml and xml.count('t="inlineStr"') == 5
    assert '<dimension ref="A1:C2"/>' in xml


def test_the_package_holds_the_parts_of_a_workbook_and_the_sheet_title():
    data = xlsx_writer.write(["a"], [["1"]], title="lieux")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sorted(names) == sorted(
        ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
         "xl/worksheets/sheet1.xml"]
    )  # fmt: skip
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["lieux"]


def test_same_rows_give_the_same_bytes():
    rows = [[r[n] for n in columns.NAMES] for r in demo_rows(5)]
    assert xlsx_writer.write(list(columns.NAMES), rows) == xlsx_writer.write(list(columns.NAMES), rows)


def test_the_importer_reads_the_directory_format_through_its_guard():
    rows = [[r[n] for n in columns.NAMES] for r in demo_rows(20)]
    data = tablefile.write_xlsx(list(columns.NAMES), rows)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xlsx_guard.check(archive, Limits(rows=20).xlsx_caps())
    table = read_table(data)
    assert table.header == list(columns.NAMES)
    assert [cells for _, cells in table.rows] == rows
    assert [line for line, _ in table.rows] == list(range(2, 22))


def test_progress_is_told_at_the_start_then_by_chunks(monkeypatch):
    monkeypatch.setattr(xlsx_writer, "CHUNK_ROWS", 2)
    seen = []
    xlsx_writer.write(["a"], [["x"]] * 5, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]


@pytest.mark.parametrize("index,letters", [(0, "A"), (25, "Z"), (26, "AA"), (31, "AF"), (701, "ZZ"), (702, "AAA")])
def test_column_letters(index, letters):
    assert xlsx_writer.column_letters(index) == letters


def test_a_character_xml_cannot_carry_is_refused_rather_than_written_broken():
    with pytest.raises(ValueError, match="interdit"):
        xlsx_writer.write(["a"], [["bip\x07"]])
