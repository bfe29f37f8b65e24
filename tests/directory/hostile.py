"""Hostile spreadsheets built on the fly (never committed as files): XLSX zip bombs and CSV traps.

``xlsx(sheet_rows, shared=…)`` streams the parts into a ZIP archive chunk by chunk, so a
bomb declaring hundreds of megabytes is built in a fraction of a second without holding
its content in memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="{RELS}">'
    '<sheets><sheet name="lieux" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def inline(value: str) -> str:
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'


def row(cells: Iterable[str] | str, number: int | None = None) -> str:
    r = f' r="{number}"' if number else ""
    return f"<row{r}>{cells if isinstance(cells, str) else ''.join(cells)}</row>"


def xlsx(
    sheet: Iterable[bytes | str],
    shared: Iterable[bytes | str] = (),
    extra: dict[str, Iterable[bytes]] | None = None,
    sheet_prefix: str | bytes = "",
    sheet_suffix: str | bytes = "</sheetData></worksheet>",
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """An XLSX archive whose sheet and shared strings are the given chunks of XML (streamed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ):
            z.writestr(name, text)
        _stream(z, "xl/sharedStrings.xml", [f"<?xml version='1.0' encoding='UTF-8'?><sst {NS}>", *shared, "</sst>"])
        head = sheet_prefix or f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'
        _stream(z, "xl/worksheets/sheet1.xml", [head, *sheet, sheet_suffix], compression)
        for name, chunks in (extra or {}).items():
            _stream(z, name, chunks)
    return out.getvalue()


def _stream(z: zipfile.ZipFile, name: str, chunks, compression: int = zipfile.ZIP_DEFLATED) -> None:
    info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
    info.compress_type = compression
    with z.open(info, "w", force_zip64=True) as fh:
        for chunk in chunks:
            fh.write(chunk.encode() if isinstance(chunk, str) else chunk)


def repeated(piece: str | bytes, times: int, per_chunk: int = 1 << 16) -> Iterable[bytes]:
    """``piece`` ``times`` times, in chunks (never the whole in memory)."""
    piece = piece.encode() if isinstance(piece, str) else piece
    full, rest = divmod(times, per_chunk)
    block = piece * per_chunk
    for _ in range(full):
        yield block
    yield piece * rest


def header_row(names: list[str]) -> str:
    return row((inline(n) for n in names), 1)
