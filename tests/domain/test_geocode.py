"""Geocoder: offline table tests, the geocode API, and the BAN through a fake server on loopback."""

import time

import pytest

from finder.domain.geocode import Geocoder, is_fallback, looks_like_address
from tests.fake_ban import FakeBan


@pytest.fixture(scope="module")
def geocoder(geo):
    return Geocoder(geo)


FIRST = [
    # (query, INSEE of the first result, kind)
    ("Grenoble", "38185", "commune"),
    ("grenoble", "38185", "commune"),
    ("GRENOBLE", "38185", "commune"),
    ("  Grenoble  ", "38185", "commune"),
    ("Saint-Étienne", "42218", "commune"),
    ("saint etienne", "42218", "commune"),
    ("St-Etienne", "42218", "commune"),
    ("ST ETIENNE", "42218", "commune"),
    ("Ste Foy les Lyon", "69202", "commune"),
    ("Sainte-Foy-lès-Lyon", "69202", "commune"),
    ("L'Isle-d'Abeau", "38193", "commune"),
    ("l isle d abeau", "38193", "commune"),
    ("Isle-d'Abeau", "38193", "commune"),
    ("Le Puy-en-Velay", "43157", "commune"),
    ("puy en velay", "43157", "commune"),
    ("Clermont Ferrand", "63113", "commune"),
    ("Lyon", "69123", "commune"),
    ("Lyon 3e", "69383", "arrondissement"),
    ("Lyon 3ème", "69383", "arrondissement"),
    ("lyon 3eme", "69383", "arrondissement"),
    ("Lyon 3", "69383", "arrondissement"),
    ("Lyon 1er", "69381", "arrondissement"),
    ("69003", "69383", "postcode"),
    ("69003 Lyon", "69383", "arrondissement"),
    ("Lyon 69003", "69383", "arrondissement"),
    ("38000", "38185", "postcode"),
    ("38100 Grenoble", "38185", "commune"),
    ("12 rue Félix Poulat 38000 Grenoble", "38185", "commune"),
    ("12 rue Félix Poulat, 38000 GRENOBLE CEDEX 1", "38185", "commune"),
    ("63000 Clermont-Ferrand Cedex 1", "63113", "commune"),
    ("Grenoble centre", "38185", "commune"),
    ("Grenobel", "38185", "commune"),  # transposition
    ("Grenble", "38185", "commune"),  # deletion
    ("Villeurbane", "69266", "commune"),  # deletion
    ("Clermont-Feran", "63113", "commune"),  # two typos on a long name
    ("Aurillac", "15014", "commune"),
]


@pytest.mark.parametrize("q, insee, kind", FIRST)
def test_first_result(geocoder, q, insee, kind):
    found = geocoder.search(q)
    assert found, q
    assert (found[0].insee, found[0].kind) == (insee, kind)


@pytest.mark.parametrize("q", ["", "   ", "zzzz", "Paris", "75001", "99999", "@@@", "1", "rue", "x" * 500])
def test_garbage_gives_nothing(geocoder, q):
    assert geocoder.search(q) == []


def test_homonyms_ranked_by_population_with_departement(geocoder, geo):
    found = geocoder.search("Saint-Martin", limit=8)
    assert len(found) == 8
    pops = [geo.communes[p.insee].population for p in found]
    assert pops == sorted(pops, reverse=True)
    assert all(p.name.startswith("Saint-Martin") for p in found)
    assert all(geo.department_name(p.department) in p.label for p in found)


def test_postcode_shared_by_several_communes(geocoder, geo):
    found = geocoder.search("01500", limit=20)
    assert len(found) >= 3
    assert all("01500" in geo.communes[p.insee].postcodes for p in found)
    assert all(p.postcode == "01500" for p in found)


def test_exact_small_commune_also_offers_bigger_namesake(geocoder):
    codes = [p.insee for p in geocoder.search("Clermont")]
    assert codes[:2] == ["74078", "63113"]


def test_results_carry_the_reference_point(geocoder, geo):
    p = geocoder.search("Aurillac")[0]
    c = geo.communes["15014"]
    assert (p.lat, p.lon) == (c.ref_lat, c.ref_lon)
    assert p.label == "Aurillac (15000, Cantal)"


def test_reverse(geocoder):
    assert geocoder.reverse(45.7578, 4.8320).insee == "69382"
    assert geocoder.reverse(48.85, 2.35) is None


@pytest.mark.parametrize(
    "q, expected",
    [("12 rue X 38000 Grenoble", True), ("Grenoble", False), ("avenue Jean Jaurès Lyon", True), ("38000", False)],
)
def test_looks_like_address(q, expected):
    assert looks_like_address(q) is expected


# -- API -------------------------------------------------------------------------------


def test_geocode_api(client):
    body = client.get("/api/v1/geocode?q=Lyon 3e&limit=3").get_json()
    first = body["results"][0]
    assert set(first) == {"label", "insee", "name", "department", "postcode", "lat", "lon", "kind", "score"}
    assert first["insee"] == "69383" and first["department"] == "69"


@pytest.mark.parametrize(
    "qs, field",
    [
        ("", "q"),
        ("q=", "q"),
        ("q=%20%20", "q"),
        ("q=Lyon&limit=0", "limit"),
        ("q=Lyon&limit=abc", "limit"),
        ("q=" + "x" * 300, "q"),
    ],
)
def test_geocode_api_bad_input(client, qs, field):
    r = client.get(f"/api/v1/geocode?{qs}")
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == field


def test_geocode_api_unknown_place_is_empty(client):
    assert client.get("/api/v1/geocode?q=zzzz").get_json() == {"results": []}


# -- BAN through a fake server -------------------------------------------------------------


def test_ban_address(geo):
    with FakeBan() as ban:
        g = Geocoder(geo, ban.url, 2.0)
        found = g.search("12 rue Félix Poulat 38000 Grenoble")
        assert found[0].kind == "address"
        assert (found[0].lat, found[0].lon) == (45.1889, 5.7262)
        assert found[0].insee == "38185" and found[0].label.startswith("12 Rue Félix Poulat")
        assert ban.requests and ban.requests[0]["path"] == "/search"


def test_ban_not_asked_for_a_plain_commune(geo):
    with FakeBan() as ban:
        assert Geocoder(geo, ban.url, 2.0).search("Grenoble")[0].kind == "commune"
        assert ban.requests == []


def test_ban_result_outside_region_falls_back_offline(geo):
    with FakeBan() as ban:
        assert Geocoder(geo, ban.url, 2.0).search("1 rue de Rivoli 75004 Paris") == []


def test_ban_500_falls_back_offline(geo):
    with FakeBan() as ban:
        ban.mode = "error"
        found = Geocoder(geo, ban.url, 2.0).search("12 rue Félix Poulat 38000 Grenoble")
        assert found[0].kind == "commune" and found[0].insee == "38185"
        assert ban.requests


def test_ban_timeout_falls_back_offline_quickly(geo):
    with FakeBan() as ban:
        ban.mode = "slow"
        g = Geocoder(geo, ban.url, 0.5)
        t = time.perf_counter()
        found = g.search("12 rue Félix Poulat 38000 Grenoble")
        assert time.perf_counter() - t < 2.0
        assert found[0].kind == "commune" and found[0].insee == "38185"


def test_ban_unreachable_falls_back_offline(geo):
    g = Geocoder(geo, "http://127.0.0.1:9", 0.5)  # nothing listens on the discard port
    assert g.search("12 rue Félix Poulat 38000 Grenoble")[0].insee == "38185"


def test_timeout_is_capped_at_two_seconds(geo):
    g = Geocoder(geo, "http://127.0.0.1:9", 30)
    assert g.ban.client.timeout == 2.0


@pytest.mark.parametrize("q", [", ", "-", "' ;", "CEDEX"])
def test_text_without_words_or_postcode_finds_nothing(client, q):
    r = client.get("/api/v1/geocode", query_string={"q": q})
    assert r.status_code in (200, 400)
    if r.status_code == 200:
        assert r.get_json()["results"] == []


def test_an_address_answered_by_its_commune_is_a_fallback(geocoder):
    gc = geocoder
    place = gc.search("15 rue Lesdiguières Grenoble")[0]
    assert place.name == "Grenoble" and is_fallback("15 rue Lesdiguières Grenoble", place)
    assert not is_fallback("Grenoble", gc.search("Grenoble")[0])
    assert not is_fallback("38000", gc.search("38000")[0])
