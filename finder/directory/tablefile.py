"""Reading and writing tabular files: CSV (UTF-8, UTF-8 with BOM or Windows-1252; ``,`` or ``;``) and XLSX.

``read_table`` turns bytes into a header and rows of strings, whatever the format, or raises
FileProblem with a French message. Row numbers are those a spreadsheet shows (header = 1).
Text cells that a spreadsheet would run as a formula are written with a leading apostrophe
in CSV (and read back without it); XLSX cells are always written as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from finder.directory.columns import NAMES
from finder.directory.spreadsheet import FORMULA_START, safe_cell

MAX_COLUMNS = 200
SEPARATORS = (",", ";")


class FileProblem(Exception):
    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    separator: str | None = None
    ragged: list[int] = field(default_factory=list)  # lines with more non-empty cells than the header


def read_table(data: bytes, max_rows: int = 100_000) -> Table:
    """Parse a CSV or XLSX file given as bytes (format detected from the content)."""
    if not data.strip():
        raise FileProblem("Le fichier est vide.")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, max_rows)
    _reject_binary(data)
    text, encoding = decode(data)
    return _read_csv(text, encoding, max_rows)


def _reject_binary(data: bytes) -> None:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("Ancien format Excel (.xls) non pris en charge : enregistrez le fichier en .xlsx ou en CSV.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("Encodage UTF-16 non pris en charge : enregistrez le fichier en CSV UTF-8.")
    if data.startswith(b"%PDF"):
        raise FileProblem("Ce fichier est un PDF : un tableau CSV ou XLSX est attendu.")
    if b"\x00" in data[:65536]:
        raise FileProblem("Fichier binaire illisible : un tableau CSV ou XLSX est attendu.")


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 with BOM, UTF-8, else Windows-1252."""
    text, encoding = _decode(data)
    head = text[:65536]
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(8, len(head) // 200):  # a few stray ones are reported on their line
        raise FileProblem("Fichier binaire illisible : un tableau CSV ou XLSX est attendu.")
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise FileProblem(f"Fichier annoncé en UTF-8 mais invalide (octet {err.start + 3}).") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise FileProblem("Encodage non reconnu : enregistrez le fichier en CSV UTF-8.") from None


def sniff_separator(first_line: str) -> str:
    """The separator that makes the most known column names out of the header line."""

    def score(sep: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([first_line], delimiter=sep), [])
        except csv.Error:
            return 0, 0
        return sum(c.strip().lower() in NAMES for c in cells), len(cells)

    return max(SEPARATORS, key=score)


def _read_csv(text: str, encoding: str, max_rows: int) -> Table:
    first = re.split(r"\r\n|\r|\n", text.lstrip("\r\n"), maxsplit=1)[0]
    sep = sniff_separator(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    records = []
    try:
        for record in reader:
            records.append([_unguard(c) for c in record])
            if len(records) > max_rows + 1:
                raise FileProblem(f"Trop de lignes : {max_rows} au plus par import.")
    except csv.Error as err:
        raise FileProblem(
            f"CSV mal formé vers la ligne {reader.line_num} : {_csv_reason(err)}.", reader.line_num
        ) from None
    return _table(records, "csv", encoding, sep)


def _csv_reason(err: csv.Error) -> str:
    text = str(err)
    if "end of data" in text or "EOF" in text:
        return "guillemet ouvert jamais refermé"
    if "expected after" in text:
        return "caractère inattendu après un guillemet fermant (guillemets à doubler dans un texte)"
    return text


def _table(records: list[list[str]], kind: str, encoding=None, sep=None) -> Table:
    numbered = [(n, r) for n, r in enumerate(records, 1) if any(c.strip() for c in r)]
    if not numbered:
        raise FileProblem("Le fichier est vide.")
    (_, header), body = numbered[0], numbered[1:]
    header = [h.strip() for h in header]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise FileProblem(f"Trop de colonnes ({len(header)}) : {MAX_COLUMNS} au plus.", 1)
    table = Table(header=header, rows=[], kind=kind, encoding=encoding, separator=sep)
    width = len(header)
    for line, cells in body:
        if any(c.strip() for c in cells[width:]):
            table.ragged.append(line)
        table.rows.append((line, (cells + [""] * width)[:width]))
    return table


def _unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:2] in FORMULA_START and len(cell) > 1 else cell


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            records = []
            for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
                records.append([xlsx_text(v) for v in values])
                if len(records) > max_rows + 1:
                    raise FileProblem(f"Trop de lignes : {max_rows} au plus par import.")
        finally:
            book.close()
    except FileProblem:
        raise
    except Exception as err:  # any corrupt archive or workbook
        raise FileProblem(f"Classeur XLSX illisible ({type(err).__name__}).") from None
    return _table(records, "xlsx")


def xlsx_text(value) -> str:
    """A cell's value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def write_csv(header: list[str], rows: list[list[str]], separator: str = ";", bom: bool = True) -> bytes:
    """CSV bytes in UTF-8 (with a BOM so that spreadsheets detect it), CRLF line ends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return ("\ufeff" if bom else "").encode("utf-8") + out.getvalue().encode("utf-8")


def write_xlsx(header: list[str], rows: list[list[str]], title: str = "lieux") -> bytes:
    """An XLSX workbook with one sheet; every cell is text (never a formula)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title)

    def text_cell(value: str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell

    sheet.append([text_cell(h) for h in header])
    for row in rows:
        sheet.append([text_cell(c) if c else None for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
