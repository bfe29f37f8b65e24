"""Editing one site through the import's own validation: a form is a one-row import table.

``apply`` writes the form's values (keyed by the import columns: ``telephone``,
``horaires_accueil``…) over the site's exported row, validates that row with
``validate.validate_table`` exactly as an imported file's (French message per field), and
returns the new site and the columns that changed. ``new_site`` does the same for a site
added to a structure. Each editable column belongs to a *group*, the unit of the
publication policy (published at once, or reviewed by staff).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from finder.directory import columns, export, importer
from finder.directory.tablefile import Table
from finder.directory.validate import Options, validate_table
from finder.domain.geography import Geography
from finder.domain.model import Site, Structure


@dataclass(frozen=True)
class EditField:
    column: str  # import column, also the form field's name
    attrs: tuple[str, ...]  # Site attributes it sets
    group: str  # policy group (finder.config.EDIT_POLICY_DEFAULTS)


FIELDS: tuple[EditField, ...] = (
    EditField("nom", ("name",), "presentation"),
    EditField("adresse", ("address",), "position"),
    EditField("code_postal", ("postcode",), "position"),
    EditField("code_insee", ("commune",), "position"),
    EditField("latitude", ("lat", "position_source"), "position"),
    EditField("longitude", ("lon", "position_source"), "position"),
    EditField("telephone", ("phone",), "contact"),
    EditField("courriel", ("email",), "contact"),
    EditField("site_web", ("website",), "contact"),
    EditField("horaires_accueil", ("opening_hours",), "hours"),
    EditField("fermetures", ("closures",), "closures"),
    EditField("niveaux_service", ("levels",), "levels"),
    EditField("age_min", ("age_min",), "publics"),
    EditField("age_max", ("age_max",), "publics"),
    EditField("publics", ("statuses",), "publics"),
    EditField("niveaux_qualification", ("qualifications",), "publics"),
    EditField("modes_accueil", ("modes",), "modes"),
    EditField("sur_rendez_vous", ("appointment",), "modes"),
    EditField("accessible_pmr", ("accessible",), "accessibility"),
    EditField("langues", ("languages",), "languages"),
    EditField("description", ("description",), "presentation"),
)
BY_COLUMN = {f.column: f for f in FIELDS}
EDITABLE = tuple(f.column for f in FIELDS)
GROUP_LABELS = {
    "presentation": "Nom et présentation",
    "position": "Adresse et position",
    "contact": "Téléphone, courriel, site web",
    "hours": "Horaires d'accueil",
    "closures": "Fermetures temporaires",
    "levels": "Niveaux de service",
    "publics": "Publics (âges, situations, qualifications)",
    "modes": "Modes d'accueil",
    "accessibility": "Accessibilité",
    "languages": "Langues parlées",
    "add": "Nouveau lieu",
    "close": "Fermeture définitive du lieu",
}


class Invalid(Exception):
    """The form has errors: ``errors`` maps a column (the form field) to a French message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k} : {v}" for k, v in errors.items()))
        self.errors = errors


def form_values(site: Site, structure: Structure, geo: Geography) -> dict[str, str]:
    """The editable fields of a site as the form shows them (the export's text)."""
    row = export.row(site, structure, geo)
    return {c: row[c] for c in EDITABLE}


def _validate(row: dict[str, str], geo: Geography, today: dt.date, tolerance_m: float) -> Site:
    table = Table(header=list(columns.NAMES), rows=[(2, [row.get(n, "") for n in columns.NAMES])], kind="form")
    drafts, report = validate_table(table, geo, Options(today, tolerance_m))
    errors: dict[str, str] = {}
    for issue in report.errors:
        errors.setdefault(issue.field or "id", issue.message)
    if not errors and drafts and drafts[0].needs_geocoding:
        errors["latitude"] = "Position obligatoire : placez le lieu sur la carte ou utilisez « Localiser l'adresse »."
    if errors:
        raise Invalid(errors)
    _, sites = importer.build(drafts)
    return sites[0]


def _clean(values: dict) -> dict[str, str]:
    return {k: str(values.get(k) or "").strip() for k in EDITABLE if k in values}


def apply(
    site: Site, structure: Structure, values: dict, geo: Geography, today: dt.date, tolerance_m: float = 500.0
) -> tuple[Site, list[str]]:
    """The site with the form's values (validated as an import row) and the columns that changed.

    The site's ``date_maj`` becomes ``today`` (its information has just been checked). A moved
    position is recorded as given by the source (no longer approximate). Raises Invalid.
    """
    before = export.row(site, structure, geo)
    row = dict(before)
    row.update(_clean(values))
    moved = (row["latitude"], row["longitude"]) != (before["latitude"], before["longitude"])
    if moved:
        row["source_coordonnees"] = ""
    row["date_maj"] = today.isoformat()
    new = _validate(row, geo, today, tolerance_m)
    changed = [c for c in EDITABLE if any(getattr(new, a) != getattr(site, a) for a in BY_COLUMN[c].attrs)]
    return new, changed


def merge(base: Site, new: Site, changed: list[str], today: dt.date | None = None) -> Site:
    """``base`` with the attributes of ``changed`` columns taken from ``new`` (and date_maj)."""
    attrs = {a: getattr(new, a) for c in changed for a in BY_COLUMN[c].attrs}
    if today is not None:
        attrs["date_maj"] = today.isoformat()
    return dataclasses.replace(base, **attrs)


def new_id(structure: Structure, taken) -> str:
    """A free site id derived from the structure's: ``<structure>-lieu-<n>``."""
    stem = re.sub(r"[^A-Za-z0-9._:-]", "-", structure.id)[:80]
    n = 1
    while f"{stem}-lieu-{n}" in taken:
        n += 1
    return f"{stem}-lieu-{n}"


def new_site(
    structure: Structure, values: dict, geo: Geography, today: dt.date, taken, tolerance_m: float = 500.0
) -> Site:
    """A site added to ``structure`` from a form (validated as an import row). Raises Invalid."""
    row = {n: "" for n in columns.NAMES}
    row.update(_clean(values))
    structure_cells = {
        "structure_id": structure.id,
        "structure_nom": structure.name,
        "structure_reseau": structure.network,
        "structure_cercle": str(structure.cercle),
        "structure_departement": structure.department,
        "structure_site_web": structure.website or "",
        "structure_zone_eligibilite": ",".join(structure.territory or ()),
    }
    row.update(structure_cells, id=new_id(structure, taken), date_maj=today.isoformat())
    return _validate(row, geo, today, tolerance_m)


def groups(changed: list[str]) -> list[str]:
    """The policy groups of changed columns, in declaration order."""
    return list(dict.fromkeys(BY_COLUMN[c].group for c in changed))


def diff(before: Site | None, after: Site | None, structure: Structure, geo: Geography) -> list[dict]:
    """Field by field (French column titles): what changes between two states of a site."""
    old = export.row(before, structure, geo) if before else {}
    new = export.row(after, structure, geo) if after else {}
    out = []
    for name in ("id",) + EDITABLE:
        a, b = old.get(name, ""), new.get(name, "")
        if a != b:
            out.append({"column": name, "label": columns.BY_NAME[name].title, "before": a, "after": b})
    return out
