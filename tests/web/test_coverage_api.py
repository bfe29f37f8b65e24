"""GET /api/v1/coverage: shape, sums, département restriction, bad input; exports."""

import csv
import io
import json

import pytest

from finder.directory.spreadsheet import safe_cell
from finder.domain import coverage
from finder.domain.criteria import Criteria
from finder.domain.geography import LYON
from finder.present.coverage_export import to_csv, to_geojson
from finder.web import openapi


def test_coverage_answers_every_commune(client, geo):
    r = client.get("/api/v1/coverage?level=2&max_km=20")
    assert r.status_code == 200 and r.mimetype == "application/json"
    body = r.get_json()
    assert body["filters"] == {"level": 2}
    assert body["max_km"] == 20
    assert body["dataset"]["demo"] is True
    rows = body["communes"]
    assert len(rows) == len(geo.region_communes()) >= 4000
    assert LYON not in {r["insee"] for r in rows}
    assert sum(1 for r in rows if r["insee"].startswith("6938")) == 9
    s = body["summary"]
    assert s["communes"] == len(rows)
    assert s["population"] == sum(r["population"] for r in rows)
    assert s["population_covered"] == sum(r["population"] for r in rows if r["covered"])
    assert s["share_covered"] == pytest.approx(s["population_covered"] / s["population"], abs=1e-6)
    row = rows[0]
    assert set(row) >= {
        "insee",
        "name",
        "department",
        "population",
        "point",
        "nearest_site_id",
        "distance_km",
        "covered",
    }
    lon, lat = row["point"]
    assert 2 < lon < 8 and 44 < lat < 47
    assert all(r["covered"] == (r["distance_km"] <= 20) for r in rows)


def test_nearest_site_and_distance_agree_with_nearest_endpoint(client):
    rows = client.get("/api/v1/coverage?age=22&status=demandeurs-emploi&max_km=15").get_json()["communes"]
    row = next(r for r in rows if r["insee"] == "15014")
    near = client.get("/api/v1/sites/nearest?commune=15014&age=22&status=demandeurs-emploi&limit=1").get_json()
    assert row["nearest_site_id"] == near["features"][0]["id"]
    assert row["distance_km"] == pytest.approx(near["features"][0]["properties"]["distance_km"], abs=1e-3)


def test_department_restricts_communes_not_sites(client):
    body = client.get("/api/v1/coverage?level=2&department=15").get_json()
    assert body["filters"] == {"level": 2, "department": "15"}
    assert body["max_km"] == 20  # default threshold
    assert {r["department"] for r in body["communes"]} == {"15"}
    whole = client.get("/api/v1/coverage?level=2").get_json()["communes"]
    cantal = {r["insee"]: r for r in whole if r["department"] == "15"}
    assert {r["insee"]: r for r in body["communes"]} == cantal


def test_territory_only_never_brings_a_site_nearer(client):
    all_sites = client.get("/api/v1/coverage?network=mission-locale&department=01").get_json()["communes"]
    competent = client.get("/api/v1/coverage?network=mission-locale&department=01&territory=only").get_json()
    assert all(a["distance_km"] <= b["distance_km"] for a, b in zip(all_sites, competent["communes"]))
    assert competent["filters"]["territory"] == "only"


@pytest.mark.parametrize(
    "qs, field",
    [
        ("max_km=0", "max_km"),
        ("max_km=-3", "max_km"),
        ("max_km=abc", "max_km"),
        ("max_km=1e9", "max_km"),
        ("max_km=nan", "max_km"),
        ("max_km=5&max_km=6", "max_km"),
        ("department=99", "department"),
        ("level=3", "level"),
        ("age=-1", "age"),
        ("age=x", "age"),
        ("status=martien", "status"),
        ("network=nope", "network"),
        ("mode=pigeon", "mode"),
        ("accessible=peut-etre", "accessible"),
        ("territory=some", "territory"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, qs, field):
    r = client.get("/api/v1/coverage?" + qs)
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["field"] == field
    assert err["message"]


def test_openapi_path_item_is_plain_json(engine):
    item = json.loads(json.dumps(openapi.paths(engine.geo)))["/api/v1/coverage"]["get"]
    names = {p["name"] for p in item["parameters"]}
    assert {"age", "status", "qualification", "level", "network", "mode", "accessible", "max_km"} <= names
    assert "department" in names and "200" in item["responses"] and "400" in item["responses"]


# -- exports --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def level2(engine):
    a = coverage.analyser(engine)
    return a, a.coverage(Criteria(level=2), 20)


def test_csv_opens_in_a_french_spreadsheet(engine, level2):
    a, cov = level2
    mask = a.communes.mask("15")
    text = to_csv(cov, engine.sites, mask)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][0] == "Code INSEE" and len(rows) == 1 + int(mask.sum())
    first = dict(zip(rows[0], rows[1]))
    assert (
        first["Code INSEE"].startswith("15") and "," in first["Distance (km)"] and first["Couverte"] in {"oui", "non"}
    )
    assert first["EPCI"].startswith(("Communauté", "CA ", "Communauté d'agglomération")), first["EPCI"]
    assert first["Code EPCI (SIREN)"].isdigit() and len(first["Code EPCI (SIREN)"]) == 9
    assert "\r\n" in text


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx"])
def test_formula_cells_are_neutralised(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("Saint-Flour") == "Saint-Flour"


def test_geojson_export_is_a_polygon_collection(engine, level2):
    a, cov = level2
    head = {"filters": {"level": 2}, "max_km": 20}
    fc = json.loads(to_geojson(cov, engine.sites, a.communes.mask("43"), engine.geo.polygons, head))
    assert fc["type"] == "FeatureCollection" and fc["max_km"] == 20
    f = fc["features"][0]
    assert f["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert {"insee", "population", "distance_km", "covered", "distance_class"} <= set(f["properties"])
    assert len(fc["features"]) == fc["summary"]["communes"]


def test_communes_carry_their_epci_name(client):
    body = client.get("/api/v1/coverage?level=2&department=15").get_json()
    aurillac = next(c for c in body["communes"] if c["insee"] == "15014")
    assert aurillac["epci"].isdigit() and aurillac["epci_name"] and not aurillac["epci_name"].isdigit()


def test_age_range_keeps_sites_receiving_the_whole_range(client):
    adult = client.get("/api/v1/coverage?age=20&network=cep").get_json()
    assert adult["summary"]["population_covered"] > 0
    body = client.get("/api/v1/coverage?age_range=16-25&network=cep").get_json()
    assert body["filters"]["age_range"] == "16-25"
    assert body["summary"]["population_covered"] == 0  # CEP operators receive from 18: not the whole 16–25
    ml = client.get("/api/v1/coverage?age_range=16-25&network=mission-locale&department=15").get_json()
    assert ml["summary"]["population_covered"] > 0
    bad = client.get("/api/v1/coverage?age_range=25-16")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "age_range"
