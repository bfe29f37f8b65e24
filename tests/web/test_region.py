"""REGION wired into the app: another region starts with an empty directory, says so, offers the import."""

import pytest

from finder.service import params
from finder.web.state import EMPTY_VERSION
from tests.conftest import make_app
from tests.national import region_built

CORSE = "94"


@pytest.fixture(scope="module")
def corse(tmp_path_factory):
    region_built(CORSE)
    return make_app(tmp_path_factory.mktemp("corse"), REGION=CORSE)


def test_an_unimported_region_starts_empty(corse):
    client = corse.test_client()
    assert client.get("/healthz").get_json()["dataset"] == {
        "version": EMPTY_VERSION,
        "demo": False,
        "sites": 0,
        "structures": 0,
    }
    fc = client.get("/api/v1/sites").get_json()
    assert fc["total"] == 0 and fc["features"] == []
    assert client.get("/api/v1/sites/nearest?commune=2A004").get_json()["features"] == []  # Ajaccio


def test_citizen_pages_say_so_and_name_the_region(corse):
    client = corse.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "SPRO Corse</title>" in page and "Service public régional de l'orientation · Corse" in page
    assert "l'annuaire des lieux d'accueil (Corse) n'a pas encore été importé" in page
    assert 'href="/admin/import"' in page
    assert "Auvergne" not in page
    widget = client.get("/embed").get_data(as_text=True)
    assert "n'a pas encore été importé" in widget and "Auvergne" not in widget


def test_the_region_bounds_the_parameters_and_the_api_document(corse):
    client = corse.test_client()
    assert (
        client.get("/api/v1/sites/nearest?commune=69123")
        .get_json()["error"]["message"]
        .endswith("inconnu en Corse : « 69123 ».")
    )
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["info"]["title"] == "SPRO Corse — lieux d'accueil"
    deps = next(p for p in doc["paths"]["/api/v1/sites"]["get"]["parameters"] if p["name"] == "department")
    assert deps["schema"]["items"]["enum"] == ["2A", "2B"]
    lat = next(p for p in doc["paths"]["/api/v1/sites/nearest"]["get"]["parameters"] if p["name"] == "lat")
    assert 40.5 < lat["schema"]["minimum"] < lat["schema"]["maximum"] < 43.6  # Corsica, 0.5° margin
    geo = corse.extensions["spro"].geo
    assert params.LAT.kind.bounds(geo) == (lat["schema"]["minimum"], lat["schema"]["maximum"])


def test_the_demo_region_keeps_its_demo(app):
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "SPRO Auvergne-Rhône-Alpes</title>" in page and "directory-empty" not in page
    assert client.get("/healthz").get_json()["dataset"]["demo"] is True
