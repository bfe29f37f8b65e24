"""A minimal streaming XLSX writer: one sheet of text cells, written straight as XML into the ZIP.

An XLSX file (ECMA-376, SpreadsheetML) is a ZIP package of XML parts tied together by
relationships: ``[Content_Types].xml`` (the media type of each part), ``_rels/.rels`` (the
package's main part: the workbook), ``xl/workbook.xml`` (the list of sheets),
``xl/_rels/workbook.xml.rels`` (where each sheet and the styles are), ``xl/styles.xml`` (the
one default cell format every spreadsheet application expects) and
``xl/worksheets/sheet1.xml`` (the cells). Every cell here is an *inline string* (``t="inlineStr"``,
``<is><t>…</t></is>``): text, never a number or a formula, and no shared-strings part to build.
Empty cells are left out (each written cell carries its reference, ``r="C7"``).

Why not openpyxl: it builds one object per cell and serialises each through ElementTree, about
2 ms per row of the directory's 32 columns; this writer joins strings and lets zlib compress
them as they come. The archive's entries carry a fixed date, so the same rows give the same bytes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from io import BytesIO

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "application/vnd.openxmlformats-officedocument"
PROLOG = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
DATE = (1980, 1, 1, 0, 0, 0)  # the ZIP format's earliest date: same rows, same bytes
CHUNK_ROWS = 1_000  # rows serialised between two writes to the compressor (and progress calls)
MAX_COLUMNS = 16_384  # XFD, a sheet's last column
# Characters XML 1.0 cannot carry, not even as references (tab, line feed and carriage return can).
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CONTENT_TYPES = (
    f'{PROLOG}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    f'<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.spreadsheetml.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.spreadsheetml.styles+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'{PROLOG}<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    f'{PROLOG}<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = (  # one font, the two fills the format reserves, one border, one cell format: "Normal"
    f'{PROLOG}<styleSheet xmlns="{MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letters(index: int) -> str:
    """A column's letters from its 0-based index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def escape(text: str) -> str:
    """Text as XML character data; a carriage return as a reference (a parser would turn CRLF into LF)."""
    if ILLEGAL.search(text):
        raise ValueError(f"caractère interdit dans un classeur XLSX : {text!r}")
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _cell(ref: str, text: str) -> str:
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _row(number: int, cells: Sequence[str], letters: list[str]) -> str:
    n = str(number)
    inner = "".join([_cell(letters[i] + n, c) for i, c in enumerate(cells) if c])
    return f'<row r="{n}">{inner}</row>'


def _sheet_name(title: str) -> str:
    """A valid sheet name: at most 31 characters, none of : \\ / ? * [ ]."""
    name = re.sub(r"[:\\/?*\[\]]", "_", title)[:31]
    return name or "Feuille1"


def write(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    title: str = "Feuille1",
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """An XLSX workbook of one sheet: the header then the rows, every non-empty cell as text.

    ``progress(done, total)``: rows written so far, at the start, then every ``CHUNK_ROWS`` rows.
    """
    width = max([len(header), *(len(r) for r in rows)]) if rows else len(header)
    if width > MAX_COLUMNS:
        raise ValueError(f"{width} colonnes : un classeur en a {MAX_COLUMNS} au plus.")
    letters = [column_letters(i) for i in range(max(width, 1))]
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", PACKAGE_RELS),
            ("xl/workbook.xml", _workbook(_sheet_name(title))),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
        ):
            archive.writestr(_entry(name), text)
        with archive.open(_entry("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as sheet:
            for part in _sheet(header, rows, letters, progress):
                sheet.write(part.encode("utf-8"))
    return out.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _workbook(sheet_name: str) -> str:
    name = escape(sheet_name).replace('"', "&quot;")
    return (
        f'{PROLOG}<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def _sheet(header, rows, letters: list[str], progress) -> Iterable[str]:
    last = f"{letters[len(letters) - 1]}{len(rows) + 1}"
    yield f'{PROLOG}<worksheet xmlns="{MAIN}"><dimension ref="A1:{last}"/><sheetData>'
    yield _row(1, header, letters)
    total = len(rows)
    if progress:
        progress(0, total)
    for start in range(0, total, CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        yield "".join([_row(start + i + 2, r, letters) for i, r in enumerate(chunk)])
        if progress:
            progress(start + len(chunk), total)
    yield "</sheetData></worksheet>"
