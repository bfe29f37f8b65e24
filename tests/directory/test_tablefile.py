"""Reading CSV in every accepted encoding and separator, and XLSX; writing without formula injection."""

from __future__ import annotations

import pytest

from finder.directory import columns, tablefile
from finder.directory.tablefile import FileProblem, read_table
from tests.import_helpers import demo_rows, to_csv

ACCENTED = "Maison de l'emploi – Vénissieux « été »"


def rows_with_accents() -> list[dict]:
    rows = demo_rows(2)
    rows[0]["nom"] = ACCENTED.replace("–", "-").replace("«", '"').replace("»", '"')  # also in Windows-1252
    return rows


@pytest.mark.parametrize(
    "encoding,bom,sep,expected",
    [
        ("utf-8", False, ",", "utf-8"),
        ("utf-8", True, ",", "utf-8-sig"),
        ("utf-8", True, ";", "utf-8-sig"),
        ("cp1252", False, ";", "cp1252"),
        ("cp1252", False, ",", "cp1252"),
    ],
)
def test_encodings_and_separators_are_detected(encoding, bom, sep, expected):
    rows = rows_with_accents()
    table = read_table(to_csv(rows, sep=sep, encoding=encoding, bom=bom))
    assert (table.encoding, table.separator, table.kind) == (expected, sep, "csv")
    assert table.header == list(columns.NAMES)
    assert [line for line, _ in table.rows] == [2, 3]
    assert table.rows[0][1][1] == rows[0]["nom"]


def test_multiline_cell_keeps_spreadsheet_row_numbers():
    rows = demo_rows(3)
    rows[0]["description"] = "Première ligne\nseconde ligne"
    table = read_table(to_csv(rows))
    assert [line for line, _ in table.rows] == [2, 3, 4]
    assert table.rows[0][1][columns.NAMES.index("description")] == "Première ligne\nseconde ligne"


def test_blank_rows_are_skipped_but_counted():
    data = to_csv(demo_rows(2)).replace(b"\r\nlieu-0002", b"\r\n,,,\r\n\r\nlieu-0002")
    assert [line for line, _ in read_table(data).rows] == [2, 5]


def test_xlsx_written_then_read_gives_the_same_cells():
    rows = [[r[n] for n in columns.NAMES] for r in demo_rows(3)]
    rows[0][1] = '=HYPERLINK("http://evil.example")'
    table = read_table(tablefile.write_xlsx(list(columns.NAMES), rows))
    assert table.kind == "xlsx"
    assert [cells for _, cells in table.rows] == rows


def test_xlsx_cells_are_never_formulas():
    import io

    import openpyxl

    data = tablefile.write_xlsx(["nom"], [["=1+1"], ["+33 4 65 71 00 01"], ["@SUM(A1)"]])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.data_type for c in sheet["A"][1:]] == ["s", "s", "s"]


def test_csv_guards_formulas_and_reads_them_back():
    rows = [["=cmd|' /C calc'!A0", "+33 4 65 71 00 01", "-", "@x", "sans risque"]]
    data = tablefile.write_csv(["a", "b", "c", "d", "e"], rows, separator=",")
    text = data.decode("utf-8-sig")
    assert "'=cmd" in text and "'+33" in text and "'@x" in text
    assert read_table(data).rows[0][1] == rows[0]


def test_max_rows():
    with pytest.raises(FileProblem, match="Trop de lignes"):
        read_table(to_csv(demo_rows(5)), max_rows=4)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a;b\r\n1;2\r\n",
        "a;b\n1;2",
        "a;b\r1;2\r\r\n3;4\n\n",
        "a;b\r\n1;x\x0cy\r\n2;x\u2028y\x85z\x1c\x1d\x1e\x0bw\r\n",  # other line ends of str.splitlines
        "a;b\r\n1;fin\x0c",
        '"a\r\nb";c\n',
    ],
)
def test_lines_are_cut_at_cr_and_lf_only(text):
    assert tablefile.lines_of(text) == [m.group() for m in tablefile.LINE.finditer(text)]


def test_a_form_feed_or_line_separator_stays_inside_its_cell():
    data = "id;nom\r\n1;avant\x0capr\u00e8s\r\n2;un\u2028deux\r\n".encode()
    assert [cells for _, cells in read_table(data).rows] == [["1", "avant\x0capr\u00e8s"], ["2", "un\u2028deux"]]
