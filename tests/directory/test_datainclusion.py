"""Open data in the data·inclusion schema v1: every record validates with the national package,
ids are stable, and the two files import back through the same validation."""

from __future__ import annotations

import json

import pytest
from data_inclusion.schema import v1

from finder.directory import datainclusion, export, importer
from finder.storage.store import Store
from tests.import_helpers import demo_directory, geo, settings

SOURCE = "spro-aura"


@pytest.fixture(scope="module")
def files():
    return datainclusion.records(demo_directory(), geo(), SOURCE, "https://orientation.example.org")


def test_every_record_validates_against_the_national_schema(files):
    structures, services = files
    assert len(structures) == len(demo_directory().sites)
    assert len(services) == sum(len(s.levels) for s in demo_directory().sites)
    strict = {"ignore_warnings": False}  # the schema's warnings count as errors here
    for record in structures:
        v1.Structure.model_validate(record, context=strict)
    for record in services:
        v1.Service.model_validate(record, context=strict)


def test_the_validation_can_fail(files):
    structures, services = files
    with pytest.raises(ValueError):
        v1.Service.model_validate({**services[0], "publics": ["tous-publics", "jeunes"]})
    with pytest.raises(ValueError):
        v1.Structure.model_validate({**structures[0], "code_postal": "1000"})


def test_ids_are_stable_and_services_point_to_their_structure(files):
    structures, services = files
    ids = {s["id"] for s in structures}
    assert "spro-aura--lieu-0001" in ids and len(ids) == len(structures)
    assert {s["id"] for s in services} >= {"spro-aura--lieu-0001--niveau-1", "spro-aura--lieu-0001--niveau-2"}
    assert all(s["structure_id"] in ids for s in services)
    again = datainclusion.records(demo_directory(), geo(), SOURCE, "https://orientation.example.org")
    assert datainclusion.dumps(again[0]) == datainclusion.dumps(structures)


def test_a_mission_locale_in_the_national_vocabulary(files):
    structures, services = files
    first = next(s for s in structures if s["id"] == "spro-aura--lieu-0001")
    assert first["reseaux_porteurs"] == ["mission-locale"]
    assert first["horaires_accueil"] == "Mo-Fr 08:30-12:30,13:30-17:30; PH off"
    level2 = next(s for s in services if s["id"] == "spro-aura--lieu-0001--niveau-2")
    assert level2["type"] == "accompagnement" and level2["frais"] == "gratuit"
    assert level2["publics"] == ["jeunes"] and "de 16 à 25 ans" in level2["publics_precisions"]
    assert level2["modes_accueil"] == ["a-distance", "en-presentiel"]
    assert "01053" in level2["zone_eligibilite"]  # the Mission locale's territory
    assert level2["date_maj"] == "2025-03-27"


def test_our_files_import_back_exactly(files, tmp_path):
    structures, services = files
    store = Store(tmp_path / "s.sqlite3")
    result = importer.check([datainclusion.dumps(services), datainclusion.dumps(structures)], store, geo(), settings())
    assert result.report.ok, result.report.errors[:3]
    assert export.to_bytes(result.directory, geo()) == export.to_bytes(demo_directory(), geo())


def test_another_producers_files_import_with_defaults(tmp_path):
    structure = {
        "source": "dora",
        "id": "dora--abc:12",
        "nom": "Point information jeunesse",
        "date_maj": "2026-10-02",
        "adresse": "2 rue Gambetta",
        "code_postal": "15000",
        "code_insee": "15014",
        "commune": "Aurillac",
        "latitude": 44.9264,
        "longitude": 2.4405,
        "telephone": "04 71 00 00 00",
        "reseaux_porteurs": ["reseau-information-jeunesse"],
        "horaires_accueil": "Mo-Fr 09:00-17:00",
    }
    service = {"source": "dora", "id": "dora--s1", "structure_id": "dora--abc:12", "nom": "Conseil", "date_maj":
               "2026-10-02", "description": "Conseil en orientation.", "type": "accompagnement",
               "modes_accueil": ["en-presentiel"], "publics": ["etudiants"]}  # fmt: skip
    v1.Structure.model_validate(structure)
    v1.Service.model_validate(service)
    files = [json.dumps([structure]).encode(), json.dumps([service]).encode()]
    result = importer.check(files, Store(tmp_path / "s.sqlite3"), geo(), settings())
    assert result.report.ok, result.report.errors
    (site,) = result.directory.sites
    org = result.directory.structures[site.structure_id]
    assert (site.id, site.levels, site.statuses, org.network) == (
        "abc:12",
        (2,),
        ("etudiants",),
        "reseau-information-jeunesse",
    )


def test_bad_records_get_the_imports_line_level_report(tmp_path):
    structure = {"id": "x--1", "nom": "Lieu", "date_maj": "2026-10-02", "code_postal": "15000", "code_insee": "15014",
                 "adresse": "1 rue", "latitude": 44.93, "longitude": 2.44, "telephone": "12"}  # fmt: skip
    files = [json.dumps([structure]).encode(), b"[]"]
    result = importer.check(files, Store(tmp_path / "s.sqlite3"), geo(), settings())
    (error,) = result.report.errors
    assert (error.line, error.field, error.code) == (2, "telephone", "invalid_phone")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([b"[{}]"], "deux fichiers"),
        ([b"[not json", b"[]"], "JSON invalide"),
        ([b'{"a": 1}', b"[]"], "tableau JSON"),
        ([b'[{"id": "a"}]', b'[{"id": "b"}]'], "services"),
    ],
)
def test_unreadable_pairs_are_one_french_line(tmp_path, files, message):
    result = importer.check(files, Store(tmp_path / "s.sqlite3"), geo(), settings())
    (error,) = result.report.errors
    assert error.code == "unreadable_file" and message in error.message


def test_short_or_long_names_still_fit_the_schema():
    import dataclasses

    d = demo_directory()
    sites = [dataclasses.replace(d.sites[0], name="ML"), dataclasses.replace(d.sites[1], name="x" * 200)]
    small = type(d)(d.info, d.structures, sites)
    structures, _ = datainclusion.records(small, geo(), SOURCE)
    for record in structures:
        v1.Structure.model_validate(record)
    assert structures[0]["nom"].startswith("Mission locale") and len(structures[1]["nom"]) == 150
