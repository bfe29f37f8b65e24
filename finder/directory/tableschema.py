"""The import format as a Table Schema (frictionless, schema.data.gouv.fr conventions), built from finder.columns.

``scripts/build_schema.py`` writes it to geodata/schema/schema.json; a test checks the file is up to date.
"""

from __future__ import annotations

import json

from finder.directory.columns import COLUMNS, FALSE_VALUES, LIST_SEPARATOR, TRUE_VALUES, Column

VERSION = "1.0.0"
DATE = "2026-11-28"
METADATA = {
    "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
    "name": "spro-aura-lieux-accueil",
    "title": "Lieux d'accueil du Service public régional de l'orientation (Auvergne-Rhône-Alpes)",
    "description": (
        "Annuaire des lieux d'accueil du SPRO Auvergne-Rhône-Alpes : une ligne par lieu, avec les colonnes de la "
        "structure qui le porte répétées sur chacun de ses lieux. Les noms de colonnes reprennent ceux du schéma "
        "data·inclusion quand il en a un. Fichier CSV (UTF-8, avec ou sans BOM, ou Windows-1252 ; séparateur "
        "« , » ou « ; ») ou XLSX (première feuille). Les listes de codes sont séparées par des virgules."
    ),
    "countryCode": "FR",
    "resources": [{"title": "Exemple de fichier valide", "path": "exemple-valide.csv"}],
    "created": DATE,
    "lastModified": DATE,
    "version": VERSION,
    "contributors": [{"title": "SPRO Auvergne-Rhône-Alpes — annuaire des lieux d'accueil", "role": "author"}],
    "licenses": [
        {
            "title": "Licence Ouverte / Open Licence version 2.0",
            "name": "etalab-2.0",
            "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
        }
    ],
}


def list_pattern(codes) -> str:
    alternatives = "|".join(c.replace(".", r"\.") for c in codes)
    return f"^({alternatives})({LIST_SEPARATOR}({alternatives}))*$"


def field(c: Column) -> dict:
    out = {"name": c.name, "title": c.title, "description": c.description, "example": c.example, "type": c.type}
    if c.format:
        out["format"] = c.format
    if c.type == "boolean":
        out["trueValues"], out["falseValues"] = list(TRUE_VALUES), list(FALSE_VALUES)
    if c.type == "number":
        out["decimalChar"] = "."
    constraints: dict = {"required": c.required}
    if c.enum:
        constraints["enum"] = [int(x) for x in c.enum] if c.type == "integer" else list(c.enum)
    if c.codes:
        constraints["pattern"] = list_pattern(c.codes)
    if c.pattern:
        constraints["pattern"] = c.pattern
    if c.minimum is not None:
        constraints["minimum"] = c.minimum
    if c.maximum is not None:
        constraints["maximum"] = c.maximum
    out["constraints"] = constraints
    return out


def build() -> dict:
    return {**METADATA, "fields": [field(c) for c in COLUMNS], "primaryKey": "id", "missingValues": [""]}


def dumps() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=2) + "\n"
