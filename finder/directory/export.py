"""Export of a directory in the import format (columns of finder.columns), as CSV or XLSX.

Rows are sorted by site id and every value is written the way the importer reads it back,
so export → import → export gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

from finder.directory import columns, tablefile
from finder.domain.geography import Geography
from finder.domain.model import Directory, Site, Structure


def _bool(value: bool | None) -> str:
    return "" if value is None else ("oui" if value else "non")


def _num(value) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def _list(values) -> str:
    return columns.LIST_SEPARATOR.join(str(v) for v in values)


def closures_cell(site: Site) -> str:
    sep = f" {columns.CLOSURE_SEPARATOR} "
    return sep.join(f"{c.start}/{c.end} {c.reason}".strip() for c in site.closures)


def row(site: Site, structure: Structure, geo: Geography) -> dict[str, str]:
    commune = geo.communes.get(site.commune)
    return {
        "id": site.id,
        "nom": site.name,
        "structure_id": structure.id,
        "structure_nom": structure.name,
        "structure_reseau": structure.network,
        "structure_cercle": str(structure.cercle),
        "structure_departement": structure.department,
        "structure_site_web": structure.website or "",
        "structure_zone_eligibilite": _list(structure.territory or ()),
        "adresse": site.address,
        "code_postal": site.postcode,
        "code_insee": site.commune,
        "commune": commune.name if commune else "",
        "latitude": _num(site.lat),
        "longitude": _num(site.lon),
        "source_coordonnees": site.position_source or "",
        "telephone": site.phone or "",
        "courriel": site.email or "",
        "site_web": site.website or "",
        "horaires_accueil": site.opening_hours or "",
        "accessible_pmr": _bool(site.accessible),
        "modes_accueil": _list(site.modes),
        "sur_rendez_vous": _bool(site.appointment),
        "niveaux_service": _list(site.levels),
        "age_min": _num(site.age_min),
        "age_max": _num(site.age_max),
        "publics": _list(site.statuses),
        "niveaux_qualification": _list(site.qualifications),
        "langues": _list(site.languages),
        "description": site.description,
        "date_maj": site.date_maj or "",
        "fermetures": closures_cell(site),
    }


def rows(directory: Directory, geo: Geography) -> list[list[str]]:
    out = []
    for site in sorted(directory.sites, key=lambda s: s.id):
        values = row(site, directory.structure_of(site), geo)
        out.append([values[name] for name in columns.NAMES])
    return out


def to_bytes(directory: Directory, geo: Geography, fmt: str = "csv", separator: str = ";", progress=None) -> bytes:
    """The directory as a file: ``fmt`` "csv" (UTF-8 with BOM) or "xlsx".

    ``progress(done, total)``: rows written so far (XLSX, written by ``finder.directory.xlsx_writer``).
    """
    if fmt == "xlsx":
        return tablefile.write_xlsx(list(columns.NAMES), rows(directory, geo), progress=progress)
    return tablefile.write_csv(list(columns.NAMES), rows(directory, geo), separator=separator)


def write(directory: Directory, geo: Geography, path: Path, separator: str = ";") -> int:
    """Write the directory to ``path`` (format from the extension); returns the number of sites."""
    fmt = "xlsx" if Path(path).suffix.lower() == ".xlsx" else "csv"
    data = to_bytes(directory, geo, fmt, separator)
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return len(directory.sites)
