"""Reading and writing tabular files: CSV (UTF-8, UTF-8 with BOM or Windows-1252; ``,`` or ``;``) and XLSX.

``read_table`` turns bytes into a header and rows of strings, whatever the format, or raises
FileProblem with a French message. Row numbers are those a spreadsheet shows (header = 1).
Text cells that a spreadsheet would run as a formula are written with a leading apostrophe
in CSV (and read back without it); XLSX cells are always written as text.

Hostile files are refused before they cost memory or time (``Limits``, derived from
IMPORT_MAX_ROWS and IMPORT_MAX_MB): the file's size; for XLSX, the archive's declared
content, cells and shared strings (``finder.directory.xlsx_guard``) before parsing; for CSV,
fields counted while the lines are read, so one line of millions of separators stops at
once; cells longer than a spreadsheet allows; a UTF-8 file holding a Windows-1252 byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from finder.directory import xlsx_guard, xlsx_writer
from finder.directory.columns import NAMES
from finder.directory.spreadsheet import FORMULA_START, safe_cell

MAX_COLUMNS = 200
SEPARATORS = (",", ";")
MAX_ROW_CELLS = 1_024  # cells (CSV fields, XLSX cells) in one row; the header may have MAX_COLUMNS
MAX_CELL_CHARS = 32_767  # a spreadsheet cell's own limit
CELLS_PER_ROW = 64  # average cells per row over a whole XLSX file (the format has 31 columns)
XML_BYTES_PER_ROW = 4_096  # average XML per row, decompressed (a row of the format takes about 2 kB)
XML_BASE_BYTES = 16 << 20  # styles, theme, images…
SNIFF_CHARS = 65_536  # of the first line, to choose the separator


class FileProblem(Exception):
    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Limits:
    """What an import may hold: ``rows`` data rows (IMPORT_MAX_ROWS), ``max_bytes`` as a file (IMPORT_MAX_MB)."""

    rows: int = 100_000
    max_bytes: int | None = None

    def xlsx_caps(self) -> xlsx_guard.Caps:
        lines = self.rows + 1  # and the header
        return xlsx_guard.Caps(
            uncompressed=lines * XML_BYTES_PER_ROW + XML_BASE_BYTES,
            rows=lines,
            cells=lines * CELLS_PER_ROW,
            row_cells=MAX_ROW_CELLS,
            shared_strings=lines * CELLS_PER_ROW,
            run_bytes=MAX_CELL_CHARS * 6,  # UTF-8 or XML-escaped characters
        )


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    separator: str | None = None
    ragged: list[int] = field(default_factory=list)  # lines with more non-empty cells than the header


def read_table(data: bytes, max_rows: int = 100_000, max_bytes: int | None = None) -> Table:
    """Parse a CSV or XLSX file given as bytes (format detected from the content)."""
    limits = Limits(max_rows, max_bytes)
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        raise FileProblem(f"Fichier trop volumineux : {limits.max_bytes / (1024 * 1024):g} Mo au plus.")
    if not data.strip():
        raise FileProblem("Le fichier est vide.")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, limits)
    _reject_binary(data)
    text, encoding = decode(data)
    return _read_csv(text, encoding, limits)


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


UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise _not_utf8(data, err.start + 3) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        if UTF8_SEQUENCE.search(data):  # accents in UTF-8 elsewhere: not a Windows-1252 file
            raise _not_utf8(data, err.start) from None
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise FileProblem("Encodage non reconnu : enregistrez le fichier en CSV UTF-8.") from None


def _not_utf8(data: bytes, offset: int) -> FileProblem:
    """A UTF-8 file holding a byte that is not UTF-8 (typically one Windows-1252 accent), by line."""
    line = len(re.findall(rb"\r\n|\r|\n", data[:offset])) + 1
    return FileProblem(
        f"Ligne {line} : caractère illisible (octet 0x{data[offset]:02X}) dans un fichier en UTF-8, "
        "probablement collé depuis un autre logiciel (Windows-1252). Corrigez ce caractère ou enregistrez "
        "tout le fichier en « CSV UTF-8 », puis importez-le de nouveau.",
        line,
    )


def sniff_separator(first_line: str) -> str:
    """The separator that makes the most known column names out of the header line."""

    def score(sep: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([first_line], delimiter=sep), [])
        except csv.Error:
            return 0, 0
        return sum(c.strip().lower() in NAMES for c in cells), len(cells)

    return max(SEPARATORS, key=score)


LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def lines_of(text: str) -> list[str]:
    """The lines of a CSV text, each with its end (``\r\n``, ``\r`` or ``\n``, as ``LINE`` finds them).

    ``str.splitlines`` (fast) also ends a line at other characters (form feed, U+2028…): its answer is
    used only when it has as many lines as those three ends make, so that it cut nowhere else."""
    lines = text.splitlines(keepends=True)
    ends = text.count("\n") + text.count("\r") - text.count("\r\n") + (text[-1:] not in ("", "\r", "\n"))
    return lines if len(lines) == ends else [m.group() for m in LINE.finditer(text)]


class _FieldCounter:
    """The lines of a CSV text for ``csv.reader``, counting separators (an upper bound of fields) per record.

    ``csv.reader`` builds a whole record before yielding it; counting here stops a record of
    too many fields while it is read. ``next_record`` is called after each record; ``chars`` is the
    length of the record's lines (no cell of a shorter record can be longer).
    """

    def __init__(self, text: str, sep: str):
        self._lines = iter(lines_of(text))
        self.sep = sep
        self.line = 0  # physical lines read
        self.start = 1  # first line of the record being read
        self.seps = 0
        self.chars = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.line += 1
        self.chars += len(line)
        self.seps += line.count(self.sep)
        if self.seps >= MAX_ROW_CELLS:
            raise FileProblem(
                f"Ligne {self.start} : plus de {MAX_ROW_CELLS} champs (séparateurs « {self.sep} »). "
                "Supprimez les colonnes au-delà du tableau et enregistrez de nouveau le fichier.",
                self.start,
            )
        return line

    def next_record(self) -> None:
        self.start, self.seps, self.chars = self.line + 1, 0, 0


def _read_csv(text: str, encoding: str, limits: Limits) -> Table:
    head = LINE.match(text.lstrip("\r\n")[: SNIFF_CHARS + 2])
    sep = sniff_separator(head.group().rstrip("\r\n")[:SNIFF_CHARS] if head else "")
    lines = _FieldCounter(text, sep)
    reader = csv.reader(lines, delimiter=sep, strict=True)
    records = []
    try:
        for record in reader:
            if lines.chars > MAX_CELL_CHARS:
                _check_cells(record, lines.start)
            lines.next_record()
            if "\x00'" in "\x00" + "\x00".join(record):  # a cell starts with ' (or a NUL is followed by one)
                record = [_unguard(c) if c.startswith("'") else c for c in record]
            records.append(record)
            if len(records) > limits.rows + 1:
                raise FileProblem(f"Trop de lignes : {limits.rows} au plus par import.")
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
    numbered = [(n, r) for n, r in enumerate(records, 1) if (r and r[0].strip()) or "".join(r).strip()]  # not blank
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
        if len(cells) > width and "".join(cells[width:]).strip():
            table.ragged.append(line)
        table.rows.append((line, cells if len(cells) == width else (cells + [""] * width)[:width]))
    return table


def _unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:2] in FORMULA_START and len(cell) > 1 else cell


def _check_cells(cells, line: int) -> None:
    if cells and max(map(len, cells)) > MAX_CELL_CHARS:
        raise FileProblem(f"Ligne {line} : une cellule dépasse {MAX_CELL_CHARS} caractères.", line)


def _read_xlsx(data: bytes, limits: Limits) -> Table:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xlsx_guard.check(archive, limits.xlsx_caps())  # before any parsing
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            records = []
            for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
                records.append([xlsx_text(v) for v in values])
                _check_cells(records[-1], len(records))
                if len(records) > limits.rows + 1:
                    raise FileProblem(f"Trop de lignes : {limits.rows} au plus par import.")
        finally:
            book.close()
    except xlsx_guard.Refused as refused:
        raise FileProblem(refused.message, refused.line) from None
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


def write_xlsx(header: list[str], rows: list[list[str]], title: str = "lieux", progress=None) -> bytes:
    """An XLSX workbook with one sheet; every cell is text (never a formula), empty cells left out.

    ``progress(done, total)``: called at the start, then every ``xlsx_writer.CHUNK_ROWS`` rows.
    """
    return xlsx_writer.write(header, rows, title, progress)
