"""Validation of an import table, line by line and field by field, before anything is stored.

``validate_table`` returns one Draft per data row (its site and structure fields, the
position possibly missing) and a Report of errors (blocking) and warnings (publishable).
Each row is read by ``finder.directory.rowparse`` (cell checks: ``finder.directory.cellchecks``);
cross-line checks here: duplicate ids, structures described differently on two lines.
"""

from __future__ import annotations

import difflib

from finder.directory import checks, columns, positions
from finder.directory.cellchecks import Options
from finder.directory.checks import Problem
from finder.directory.report import Report
from finder.directory.rowparse import Draft, RowParser
from finder.directory.tablefile import Table
from finder.domain.geography import Geography

__all__ = ["Draft", "Options", "check_header", "validate_table"]


def check_header(header: list[str], report: Report) -> bool:
    """Report duplicate, missing and unknown columns; False when the file cannot be read further."""
    fatal = False
    seen: set[str] = set()
    for name in header:
        if name in seen:
            report.error(1, name, "duplicate_column", f"Colonne « {name} » en double.", name)
            fatal = True
        seen.add(name)
    for name in header:
        if name and name not in columns.BY_NAME:
            hint = difflib.get_close_matches(name.lower(), columns.NAMES, n=1, cutoff=0.6)
            tail = f" Vouliez-vous dire « {hint[0]} » ?" if hint else " Elle est ignorée."
            report.warning(1, name, "unknown_column", f"Colonne inconnue « {name} ».{tail}", name)
    for name in columns.REQUIRED:
        if name not in seen:
            report.error(1, name, "missing_column", f"Colonne obligatoire absente : « {name} ».")
            fatal = True
    if ("latitude" in seen) != ("longitude" in seen):
        report.error(1, "latitude", "missing_column", "Les colonnes latitude et longitude vont ensemble.")
        fatal = True
    return not fatal


def validate_table(table: Table, geo: Geography, options: Options, progress=None) -> tuple[list[Draft], Report]:
    """Check every row; ``progress(done, total)`` is called every 1,000 rows."""
    report = Report(rows=len(table.rows))
    report.facts.update(format=table.kind, encoding=table.encoding, separator=table.separator)
    if not check_header(table.header, report):
        return [], report
    if not table.rows:
        report.error(0, None, "no_rows", "Le fichier ne contient aucune ligne de données.")
        return [], report
    for line in table.ragged:
        report.error(line, None, "extra_cells", "Cette ligne a plus de valeurs que l'en-tête n'a de colonnes.")
    if progress:
        progress(0, len(table.rows))
    coordinates = _coordinates(table)
    parser = RowParser(table.header, geo, options, report, coordinates, _placed(table, geo, coordinates))
    drafts = []
    for n, (line, cells) in enumerate(table.rows, 1):
        drafts.append(parser.parse(line, cells))
        if progress and (n % 1000 == 0 or n == len(table.rows)):
            progress(n, len(table.rows))
    _check_duplicates(drafts, report)
    _check_structures(drafts, report)
    return drafts, report


def _coordinates(table: Table) -> dict[int, tuple[float, float]]:
    """Lines whose latitude and longitude cells are both numbers: line -> (lat, lon)."""
    index = {name: i for i, name in enumerate(table.header)}
    if not {"latitude", "longitude"} <= index.keys():
        return {}
    at_lat, at_lon, number, out = index["latitude"], index["longitude"], checks.number, {}
    for line, cells in table.rows:
        try:
            out[line] = number(cells[at_lat]), number(cells[at_lon])
        except Problem:
            continue
    return out


def _placed(
    table: Table, geo: Geography, coordinates: dict[int, tuple[float, float]] | None = None
) -> dict[int, tuple[str, float, float]]:
    """Lines whose position lies inside the commune their code_insee names, found for the whole file in
    one vectorised call: line -> (insee, lat, lon). Each row's own check then needs no geometry when it
    reads the same three values (any other row, or any difference, gets the full ``positions.check``).
    ``coordinates``: ``_coordinates(table)`` when the caller has it already."""
    index = {name: i for i, name in enumerate(table.header)}
    if "code_insee" not in index:
        return {}
    coordinates = _coordinates(table) if coordinates is None else coordinates
    at_insee = index["code_insee"]
    rows = [(line, cells[at_insee].strip().upper()) for line, cells in table.rows if line in coordinates]
    lines = [line for line, _ in rows]
    points = [(insee, *coordinates[line]) for line, insee in rows]
    hits = positions.inside(geo, points)
    return {line: point for line, point, hit in zip(lines, points, hits) if hit}


def _check_duplicates(drafts: list[Draft], report: Report) -> None:
    first: dict[str, int] = {}
    for d in drafts:
        sid = d.site.get("id")
        if not sid:
            continue
        if sid in first:
            report.error(d.line, "id", "duplicate_id", f"Identifiant « {sid} » déjà utilisé ligne {first[sid]}.", sid)
            d.ok = False
        else:
            first[sid] = d.line


def _check_structures(drafts: list[Draft], report: Report) -> None:
    first: dict[str, Draft] = {}
    for d in drafts:
        sid = d.structure.get("id")
        if not sid:
            continue
        ref = first.setdefault(sid, d)
        if ref is d:
            continue
        for name, mine, theirs in zip(columns.STRUCTURE_COLUMNS, d.raw_structure, ref.raw_structure):
            if mine != theirs:
                report.error(
                    d.line,
                    name,
                    "structure_mismatch",
                    f"La structure « {sid} » est décrite autrement qu'à la ligne {ref.line} : « {mine} » ici, "
                    f"« {theirs} » ligne {ref.line}.",
                    mine,
                )
                d.ok = False
        d.structure = ref.structure
