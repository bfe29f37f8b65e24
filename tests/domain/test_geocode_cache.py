"""The offline geocoder's name index kept in a file: same answers, rebuilt when stale or unreadable."""

from __future__ import annotations

import dataclasses

import pytest

from finder.domain import geocode
from finder.domain.geocode import OfflineGeocoder

QUERIES = ["Grenoble", "chanberi", "Sinte-Foi-les-Lyon", "38000", "Lyon 3e", "st etienne", "Puy-en-Velay", "xyz"]


def answers(g: OfflineGeocoder) -> list:
    return [g.search(q, 10) for q in QUERIES]


@pytest.fixture(scope="module")
def reference(geo):
    return answers(OfflineGeocoder(geo))


def test_the_index_read_from_its_file_answers_as_a_fresh_one(geo, tmp_path, reference):
    OfflineGeocoder(geo, tmp_path)  # writes the file
    (file,) = tmp_path.glob("geocoder-*.pickle")
    assert file == geocode.names_file(tmp_path, geo)
    built = []
    real = geocode._name_tables
    geocode._name_tables = lambda g: built.append(g) or real(g)
    try:
        assert answers(OfflineGeocoder(geo, tmp_path)) == reference
    finally:
        geocode._name_tables = real
    assert built == []  # read from the file, not built


def test_another_geography_has_another_file(geo, tmp_path):
    other = dataclasses.replace(geo, source_key="another-build")
    assert geocode.names_file(tmp_path, other) != geocode.names_file(tmp_path, geo)
    assert geocode.names_file(tmp_path, dataclasses.replace(geo, source_key="")) is None
    assert geocode.names_file(None, geo) is None


DAMAGES = [lambda b: b[: len(b) // 2], lambda b: b[:4] + bytes([b[4] ^ 1]) + b[5:], lambda b: b""]


@pytest.mark.parametrize("damage", DAMAGES)
def test_an_unreadable_file_is_built_again_and_rewritten(geo, tmp_path, reference, damage):
    OfflineGeocoder(geo, tmp_path)
    file = geocode.names_file(tmp_path, geo)
    file.write_bytes(damage(file.read_bytes()))
    assert geocode._read_names(file) is None
    assert answers(OfflineGeocoder(geo, tmp_path)) == reference
    assert geocode._read_names(file) is not None  # rewritten whole
