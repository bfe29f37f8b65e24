"""Refusing hostile XLSX archives before a spreadsheet library parses them.

An XLSX file is a ZIP archive of XML parts: 1 MB of it can declare gigabytes of XML (a
"zip bomb"), millions of cells or shared strings, one row of a million cells or one cell
of a gigabyte. ``check`` reads the archive's directory and streams every XML part once
(bounded chunks, C-speed byte counting), and raises ``Refused`` (a French message, and the
row when known) as soon as one of the ``Caps`` is passed:

- declared uncompressed size, per archive (``zipfile`` never yields more than an entry
  declares, so the declared size bounds what a parser can be given);
- compression other than stored or deflate (bzip2 and lzma are decompressed unbounded);
- XML parts in UTF-16/32 (the byte counts below would not see them) or holding a DTD,
  entities, CDATA or comments (``<!``: entities could expand into uncounted cells;
  spreadsheet applications never write any of these);
- ``<row>`` elements (rows), ``<c>`` elements (cells) in all and in one row, ``<si>``
  elements (shared strings), and any run of text or attribute without ``<`` (it bounds
  the length of a cell's value before it is decoded).

Entries that are not XML (images) are only held to the size caps: an XML parser fails on
them before it reads anything.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

CHUNK = 1 << 20
_NAME = rb"<(?:[A-Za-z_][\w.\-]*:)?"  # an element's start, with any namespace prefix
ROW = re.compile(_NAME + rb"row[\s/>]")
CELL = re.compile(_NAME + rb"c[\s/>]")
SHARED = re.compile(_NAME + rb"si[\s/>]")
ROW_NUMBER = re.compile(rb'^[^>]*?\br="(\d{1,7})"')
ENDS = (b" ", b">", b"/", b"\n", b"\r", b"\t")  # what may follow an element's name
UTF16_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
MB = 1 << 20


class Refused(Exception):
    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Caps:
    uncompressed: int  # bytes, the whole archive as declared
    rows: int  # <row> elements
    cells: int  # <c> elements, all sheets
    row_cells: int  # <c> elements in one row
    shared_strings: int  # <si> elements
    run_bytes: int  # bytes between two "<": bounds a cell's text


@dataclass
class _Counts:
    rows: int = 0
    cells: int = 0
    shared: int = 0
    row_cells: int = 0  # in the row being read
    row_head: bytes = b""  # the start of the row being read (its r attribute)
    row_rank: int = 0  # the row being read, counted


def check(archive: zipfile.ZipFile, caps: Caps) -> None:
    """Raise ``Refused`` when the archive passes a cap; read nothing beyond them."""
    entries = archive.infolist()
    declared = sum(e.file_size for e in entries)
    if declared > caps.uncompressed:
        raise Refused(
            f"Classeur XLSX refusé : une fois décompressé, il occuperait {_n(declared // MB)} Mo, "
            f"au-delà des {_n(caps.uncompressed // MB)} Mo admis pour {_n(caps.rows - 1)} lignes."
        )
    for entry in entries:
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused("Classeur XLSX refusé : méthode de compression non standard (ni « stored » ni « deflate »).")
    counts = _Counts()
    for entry in entries:
        if not entry.is_dir():
            _scan(archive, entry, caps, counts)


def _scan(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, caps: Caps, counts: _Counts) -> None:
    """Stream one entry in blocks cut just before a ``<`` (so that every tag in a block is whole)."""
    with archive.open(entry) as stream:
        chunk = stream.read(CHUNK)
        if not _is_xml(chunk):
            return
        counts.row_cells, counts.row_head = 0, b""
        tail = b""
        while chunk:
            buffer = tail + chunk
            cut = buffer.rfind(b"<")
            block, tail = (buffer[:cut], buffer[cut:]) if cut > 0 else (b"", buffer)
            if len(tail) > caps.run_bytes:
                raise _too_long(caps)
            _count(block, caps, counts)
            chunk = stream.read(CHUNK)
        _count(tail, caps, counts)


def _is_xml(head: bytes) -> bool:
    """Whether an entry is XML an XML parser would read; refuse what our byte counts cannot see."""
    if head.startswith((b"<\x00", b"\x00<")) or (head.startswith(UTF16_32) and b"<" in head[:8]):
        raise Refused("Classeur XLSX refusé : partie XML qui n'est pas en UTF-8.")
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<")


def _count(block: bytes, caps: Caps, counts: _Counts) -> None:
    """Count rows, cells and shared strings in a block of whole tags."""
    if not block:
        return
    if b"<!" in block:
        raise Refused("Classeur XLSX refusé : contenu XML non pris en charge (DTD, entités, CDATA ou commentaires).")
    if _longest_run_over(block, caps.run_bytes):
        raise _too_long(caps)
    counts.shared += _elements(block, b"si", SHARED)
    if counts.shared > caps.shared_strings:
        raise Refused(f"Classeur XLSX refusé : plus de {_n(caps.shared_strings)} textes différents.")
    counts.cells += _elements(block, b"c", CELL)
    if counts.cells > caps.cells:
        raise Refused(f"Classeur XLSX refusé : plus de {_n(caps.cells)} cellules (au plus {_n(caps.rows - 1)} lignes).")
    parts = ROW.split(block) if b":row" in block else block.split(b"<row")
    counts.rows += len(parts) - 1
    if counts.rows > caps.rows:
        raise Refused(f"Trop de lignes : {caps.rows - 1} au plus par import.")
    _row_cells(parts[0], caps, counts, exact=True)  # the row going on from the previous block
    last = len(parts) - 1
    for i in range(1, len(parts)):
        counts.row_cells, counts.row_head = 0, parts[i][:64]
        counts.row_rank = counts.rows - last + i
        _row_cells(parts[i], caps, counts, exact=i == last)  # the last one may go on in the next block


def _row_cells(part: bytes, caps: Caps, counts: _Counts, exact: bool) -> None:
    """Cells of the row being read; a short whole row (4 bytes a cell at least) cannot pass the cap."""
    if not exact and len(part) <= 4 * caps.row_cells:
        return
    counts.row_cells += _elements(part, b"c", CELL)
    if counts.row_cells > caps.row_cells:
        number = ROW_NUMBER.match(counts.row_head)
        line = int(number.group(1)) if number else counts.row_rank
        raise Refused(
            f"Ligne {line} : plus de {caps.row_cells} cellules. Supprimez les colonnes au-delà du "
            "tableau (même vides) et enregistrez de nouveau le fichier.",
            line,
        )


def _elements(block: bytes, name: bytes, pattern: re.Pattern) -> int:
    """How many ``name`` elements start in ``block``: counted at C speed, exactly by regex if prefixed."""
    if b":" + name in block:  # a namespace prefix somewhere (spreadsheet applications write none)
        return len(pattern.findall(block))
    start = b"<" + name
    if start not in block:
        return 0
    return sum(block.count(start + end) for end in ENDS)


def _longest_run_over(block: bytes, length: int) -> bool:
    """Whether ``block`` holds more than ``length`` bytes in a row without ``<``.

    Such a run covers a whole aligned window of ``length // 2`` bytes, so only windows
    without any ``<`` (one ``find`` each, at C speed) are measured.
    """
    window = max(1, length // 2)
    for start in range(0, len(block), window):
        if block.find(b"<", start, start + window) == -1:
            before = block.rfind(b"<", 0, start) + 1
            after = block.find(b"<", start)
            if (len(block) if after == -1 else after) - before > length:
                return True
    return False


def _too_long(caps: Caps) -> Refused:
    return Refused(f"Classeur XLSX refusé : une cellule ou une balise dépasse {_n(caps.run_bytes)} octets.")


def _n(number: int) -> str:
    """A number as French text writes it (thin spaces between thousands)."""
    return f"{number:,}".replace(",", "\u202f")
