"""Core HTTP API: health, vocabularies, sites, nearest and the bad-input table."""

import math

import pytest
from geopy.distance import geodesic

from finder.domain import vocab


def test_healthz_reports_demo_dataset(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["dataset"]["demo"] is True
    assert body["dataset"]["structures"] == 566
    assert 1000 <= body["dataset"]["sites"] <= 1200
    assert isinstance(body["dataset"]["version"], int)


def test_vocabularies(client):
    body = client.get("/api/v1/vocabularies").get_json()
    assert {s["code"] for s in body["statuses"]} == vocab.STATUS_CODES
    assert {"demandeurs-emploi", "personnes-en-situation-de-handicap"} <= {s["code"] for s in body["statuses"]}
    assert [q["code"] for q in body["qualifications"]][0] == "sans-diplome"
    assert [lv["code"] for lv in body["levels"]] == [1, 2]
    assert all({"code", "label", "cercle"} <= set(n) for n in body["networks"])
    assert {m["code"] for m in body["modes"]} == {"en-presentiel", "a-distance"}


def test_sites_is_a_geojson_collection_of_the_whole_directory(client):
    r = client.get("/api/v1/sites")
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    fc = r.get_json()
    assert fc["type"] == "FeatureCollection" and fc["dataset"]["demo"] is True
    feats = fc["features"]
    assert 1000 <= len(feats) <= 1200
    assert len({f["properties"]["structure"]["id"] for f in feats}) == 566
    assert len({f["properties"]["department"] for f in feats}) == 12
    p = feats[0]["properties"]
    for key in (
        "id",
        "name",
        "structure",
        "address",
        "postcode",
        "commune",
        "department",
        "phone",
        "email",
        "opening_hours",
        "accessible",
        "modes",
        "levels",
        "publics",
    ):
        assert key in p
    assert set(p["structure"]) >= {"id", "name", "network", "cercle"}
    assert set(p["publics"]) == {"age_min", "age_max", "statuses", "qualifications"}
    lon, lat = feats[0]["geometry"]["coordinates"]
    assert 2 < lon < 8 and 44 < lat < 47  # RFC 7946 order: [lon, lat]


def test_sites_filters_and_department(client):
    fc = client.get("/api/v1/sites?department=15&level=2").get_json()
    assert fc["features"] and all(f["properties"]["department"] == "15" for f in fc["features"])
    assert all(2 in f["properties"]["levels"] for f in fc["features"])
    assert fc["filters"] == {"level": 2, "department": ["15"]}
    two = client.get("/api/v1/sites?department=15&department=43").get_json()["features"]
    assert {f["properties"]["department"] for f in two} == {"15", "43"}
    assert client.get("/api/v1/sites?department=15,43").get_json()["features"] == two
    r = client.get("/api/v1/sites?department=75")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "department"


def test_site_by_id_and_404(client):
    first = client.get("/api/v1/sites").get_json()["features"][0]
    r = client.get(f"/api/v1/sites/{first['id']}")
    assert r.status_code == 200 and r.get_json() == first
    r = client.get("/api/v1/sites/nope")
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"


def test_nearest_sorted_by_geodesic_distance(client):
    fc = client.get("/api/v1/sites/nearest?lat=45.1885&lon=5.7245&limit=15").get_json()
    feats = fc["features"]
    assert len(feats) == 15
    d = [f["properties"]["distance_km"] for f in feats]
    assert d == sorted(d)
    for f in feats:
        lon, lat = f["geometry"]["coordinates"]
        assert f["properties"]["distance_km"] == pytest.approx(geodesic((45.1885, 5.7245), (lat, lon)).km, abs=1e-3)
    assert fc["origin"]["commune"]["insee"] == "38185"
    assert fc["filters"]["limit"] == 15


def test_nearest_from_commune_with_profile(client):
    q = "commune=15014&age=22&status=demandeurs-emploi&level=2"
    fc = client.get(f"/api/v1/sites/nearest?{q}").get_json()
    assert fc["origin"]["kind"] == "commune" and fc["origin"]["commune"]["name"] == "Aurillac"
    assert fc["filters"] == {"age": 22, "status": "demandeurs-emploi", "level": 2, "limit": 10}
    for f in fc["features"]:
        p = f["properties"]
        assert 2 in p["levels"]
        pub = p["publics"]
        assert pub["age_min"] is None or pub["age_min"] <= 22
        assert pub["age_max"] is None or pub["age_max"] >= 22
        assert not pub["statuses"] or "demandeurs-emploi" in pub["statuses"]


def test_in_territory_and_territory_only(client):
    fc = client.get("/api/v1/sites/nearest?commune=15014&network=mission-locale&limit=50").get_json()
    flags = {f["properties"]["in_territory"] for f in fc["features"]}
    assert flags == {True, False}  # Aurillac's Mission locale and others'
    only = client.get("/api/v1/sites/nearest?commune=15014&network=mission-locale&territory=only&limit=50")
    assert {f["properties"]["in_territory"] for f in only.get_json()["features"]} == {True}
    unrestricted = client.get("/api/v1/sites/nearest?commune=15014&network=apec").get_json()
    assert {f["properties"]["in_territory"] for f in unrestricted["features"]} == {None}


def test_lyon_arrondissement_origin_is_competent_through_lyon(client):
    fc = client.get("/api/v1/sites/nearest?lat=45.7578&lon=4.8320&network=mission-locale&territory=only").get_json()
    assert fc["origin"]["commune"]["insee"] == "69382"
    assert fc["features"] and all(f["properties"]["in_territory"] for f in fc["features"])


def test_max_km_and_network_repeat(client):
    fc = client.get("/api/v1/sites/nearest?commune=69123&max_km=3&limit=50").get_json()
    assert fc["features"] and all(f["properties"]["distance_km"] <= 3 for f in fc["features"])
    fc = client.get("/api/v1/sites/nearest?commune=38185&network=cio&network=apec&limit=50").get_json()
    assert {f["properties"]["structure"]["network"] for f in fc["features"]} == {"cio", "apec"}


def test_order_competent_puts_the_commune_s_own_office_first(client):
    """La Clusaz (74080): other sectors' Missions locales are nearer; order=competent puts its own first."""
    q = "commune=74080&age=19&status=demandeurs-emploi&level=2"
    default = client.get(f"/api/v1/sites/nearest?{q}").get_json()
    d = [f["properties"]["distance_km"] for f in default["features"]]
    assert d == sorted(d) and "order" not in default["filters"]  # the API keeps distance order by default
    ml = [f for f in default["features"] if f["properties"]["structure"]["network"] == "mission-locale"]
    assert ml[0]["properties"]["in_territory"] is False
    fc = client.get(f"/api/v1/sites/nearest?{q}&order=competent").get_json()
    assert fc["filters"]["order"] == "competent"
    first = fc["features"][0]["properties"]
    assert first["structure"]["network"] == "mission-locale" and first["in_territory"] is True
    assert first["distance_km"] > ml[0]["properties"]["distance_km"]
    assert len(fc["features"]) == 10
    explicit = client.get(f"/api/v1/sites/nearest?{q}&order=distance").get_json()
    assert explicit["features"] == default["features"]


def test_no_result_is_an_empty_collection(client):
    fc = client.get("/api/v1/sites/nearest?commune=15014&network=apec&max_km=5").get_json()
    assert fc["features"] == []


BAD = [
    ("lat=abc&lon=4.8", "lat", "invalid_parameter"),
    ("lat=45&lon=abc", "lon", "invalid_parameter"),
    ("lat=nan&lon=4.8", "lat", "invalid_parameter"),
    ("lat=inf&lon=4.8", "lat", "invalid_parameter"),
    ("lat=91&lon=4.8", "lat", "invalid_parameter"),
    ("lat=45&lon=-181", "lon", "invalid_parameter"),
    ("lat=45", "lon", "missing_parameter"),
    ("lon=4.8", "lat", "missing_parameter"),
    ("", "lat", "missing_origin"),
    ("lat=45&lon=4.8&commune=69123", "commune", "two_origins"),
    ("commune=99999", "commune", "unknown_commune"),
    ("commune=75056", "commune", "unknown_commune"),
    ("commune=69123&age=abc", "age", "invalid_parameter"),
    ("commune=69123&age=-1", "age", "invalid_parameter"),
    ("commune=69123&age=200", "age", "invalid_parameter"),
    ("commune=69123&age=22.5", "age", "invalid_parameter"),
    ("commune=69123&status=chomeur", "status", "unknown_code"),
    ("commune=69123&qualification=bac", "qualification", "unknown_code"),
    ("commune=69123&level=3", "level", "unknown_code"),
    ("commune=69123&network=pole-emploi", "network", "unknown_code"),
    ("commune=69123&mode=courrier", "mode", "unknown_code"),
    ("commune=69123&accessible=peut-etre", "accessible", "invalid_parameter"),
    ("commune=69123&territory=some", "territory", "unknown_code"),
    ("commune=69123&limit=0", "limit", "invalid_parameter"),
    ("commune=69123&limit=51", "limit", "invalid_parameter"),
    ("commune=69123&limit=ten", "limit", "invalid_parameter"),
    ("commune=69123&max_km=0", "max_km", "invalid_parameter"),
    ("commune=69123&max_km=-5", "max_km", "invalid_parameter"),
    ("commune=69123&max_km=nan", "max_km", "invalid_parameter"),
    ("commune=69123&age=20&age=30", "age", "repeated_parameter"),
    ("commune=69123&order=nearest", "order", "unknown_code"),
]


@pytest.mark.parametrize("qs, field, code", BAD)
def test_bad_input_gives_400_naming_the_field(client, qs, field, code):
    r = client.get(f"/api/v1/sites/nearest?{qs}")
    assert r.status_code == 400, r.data
    err = r.get_json()["error"]
    assert err["field"] == field
    assert err["code"] == code
    assert "«" in err["message"]


def test_unknown_code_lists_allowed_values(client):
    err = client.get("/api/v1/sites/nearest?commune=69123&status=x").get_json()["error"]
    assert sorted(err["allowed"]) == sorted(vocab.STATUS_CODES)


def test_unknown_path_and_method_are_json(client):
    r = client.get("/api/v1/nothing")
    assert r.status_code == 404 and r.get_json()["error"]["message"]
    r = client.post("/api/v1/sites/nearest?commune=69123")
    assert r.status_code == 405 and r.get_json()["error"]["code"]


@pytest.mark.parametrize("value", ["1e309", "-0", "4.8e0"])
def test_numeric_edge_cases_never_500(client, value):
    r = client.get(f"/api/v1/sites/nearest?lat=45&lon={value}")
    assert r.status_code in (200, 400)
    if r.status_code == 200:
        assert not math.isnan(r.get_json()["origin"]["lon"])
