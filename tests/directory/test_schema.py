"""The Table Schema in geodata/schema/ is up to date, well formed, and its example file is valid."""

from __future__ import annotations

import json

from finder.directory import columns, importer, tableschema
from finder.domain import vocab
from finder.domain.geography import GEODATA_DIR
from finder.storage.store import Store
from tests.import_helpers import geo, settings

SCHEMA_DIR = GEODATA_DIR / "schema"
TYPES = {"string", "number", "integer", "boolean", "date"}


def test_schema_file_is_generated_from_the_columns():
    assert (SCHEMA_DIR / "schema.json").read_text(encoding="utf-8") == tableschema.dumps(), (
        "run: .venv/bin/python scripts/build_schema.py"
    )


def test_schema_is_a_table_schema_of_the_import_format():
    schema = json.loads((SCHEMA_DIR / "schema.json").read_text(encoding="utf-8"))
    assert [f["name"] for f in schema["fields"]] == list(columns.NAMES)
    assert schema["primaryKey"] == "id" and schema["missingValues"] == [""]
    assert {"name", "title", "description", "version", "licenses", "resources"} <= set(schema)
    for f in schema["fields"]:
        assert f["type"] in TYPES and {"title", "description", "example"} <= set(f), f["name"]
    required = {f["name"] for f in schema["fields"] if f["constraints"]["required"]}
    assert required == set(columns.REQUIRED) == {
        "id", "nom", "structure_id", "structure_nom", "structure_reseau", "adresse", "code_postal", "code_insee",
        "date_maj",
    }  # fmt: skip
    by_name = {f["name"]: f for f in schema["fields"]}
    assert by_name["structure_reseau"]["constraints"]["enum"] == [n.code for n in vocab.NETWORKS]
    assert by_name["structure_cercle"]["constraints"]["enum"] == [1, 2, 3]
    assert by_name["accessible_pmr"]["trueValues"] == ["oui"]


def test_data_inclusion_names_are_used_where_they_exist():
    for name in ("id", "nom", "adresse", "code_postal", "code_insee", "commune", "latitude", "longitude"):
        assert name in columns.NAMES
    for name in ("telephone", "courriel", "site_web", "horaires_accueil", "modes_accueil", "publics", "date_maj"):
        assert name in columns.NAMES


def test_example_file_is_valid():
    data = (SCHEMA_DIR / "exemple-valide.csv").read_bytes()
    result = importer.check(data, Store(":memory:"), geo(), settings())
    assert result.report.ok and not result.report.issues, result.report.to_text()
    assert len(result.directory.sites) == 6 and len(result.directory.structures) == 4
    assert any(s.closures for s in result.directory.sites)
    mission = result.directory.structures["str-0001"]
    assert len(mission.territory) > 50  # given as its EPCI, expanded to the communes
