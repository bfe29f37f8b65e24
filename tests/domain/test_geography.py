import pytest
import shapely

from finder import config
from finder.domain import geography
from finder.domain.geography import LYON


def test_region_communes_and_arrondissements(geo):
    kinds = [c.kind for c in geo.communes.values()]
    assert kinds.count("COM") == 4025
    assert kinds.count("ARM") == 9
    assert {c.department for c in geo.communes.values()} == set(geo.departments)
    assert len(geo.departments) == 12
    arms = [c for c in geo.communes.values() if c.parent == LYON]
    assert sorted(c.insee for c in arms) == [f"6938{i}" for i in range(1, 10)]


def test_every_commune_has_polygon_postcodes_epci_population(geo):
    for c in geo.communes.values():
        poly = geo.polygons[c.insee]
        assert poly.is_valid and not poly.is_empty, c.insee
        assert c.postcodes, c.insee
        assert all(len(p) == 5 and p.isdigit() for p in c.postcodes), c.insee
        assert c.population >= 0
        assert c.epci in geo.epcis, c.insee


def test_reference_points_lie_inside_their_polygon(geo):
    for c in geo.communes.values():
        assert geo.polygons[c.insee].contains(shapely.Point(c.ref_lon, c.ref_lat)), c.insee
        assert c.ref_source in ("mairie", "interieur")


def test_most_postcodes_start_with_the_department(geo):
    # A few communes use a neighbouring département's postcode (Saint-Pierre-Laval: 42620).
    odd = [c.insee for c in geo.communes.values() if any(p[:2] != c.department for p in c.postcodes)]
    assert "03250" in odd and len(odd) < 10


def test_lyon_counted_once_through_arrondissements(geo):
    arms = sum(c.population for c in geo.communes.values() if c.parent == LYON)
    assert arms == pytest.approx(geo.communes[LYON].population, rel=0.001)
    total = sum(c.population for c in geo.region_communes())
    assert 7_800_000 < total < 8_300_000


@pytest.mark.parametrize(
    "lat, lon, insee",
    [
        (45.7578, 4.8320, "69382"),  # Lyon 2e, Bellecour
        (45.1885, 5.7245, "38185"),  # Grenoble
        (45.7772, 3.0870, "63113"),  # Clermont-Ferrand
        (44.9264, 2.4430, "15014"),  # Aurillac
    ],
)
def test_commune_at_resolves_points(geo, lat, lon, insee):
    assert geo.commune_at(lat, lon).insee == insee


def test_commune_at_outside_region_is_none(geo):
    assert geo.commune_at(48.8566, 2.3522) is None  # Paris


def test_competence_keys_include_lyon_parent(geo):
    assert geo.competence_keys("69383") == ("69383", LYON)
    assert geo.competence_keys("15014") == ("15014",)
    assert geo.competence_keys(None) == ()


def test_region_metadata_and_accepted_origins(geo):
    assert (geo.region_code, geo.region_name) == ("84", "Auvergne-Rhône-Alpes")
    assert "INSEE" in geo.attribution and "Licence Ouverte" in geo.attribution
    (territory,) = geo.territories
    assert territory.code == "metropole" and territory.departments == tuple(sorted(geo.departments))
    min_lon, min_lat, max_lon, max_lat = geo.bbox
    assert 44.0 < min_lat < 44.2 and 46.7 < max_lat < 46.9 and 2.0 < min_lon < 2.1 and 7.1 < max_lon < 7.2
    assert geo.lat_range == (round(min_lat - 0.5, 4), round(max_lat + 0.5, 4))
    assert geo.accepts(45.76, 4.83) and geo.accepts(min_lat - 0.49, 4.0)
    assert not geo.accepts(48.86, 2.35)  # Paris: outside the region and its margin
    assert not geo.accepts(min_lat - 0.51, 4.0)


def test_region_files_are_found_by_code(tmp_path):
    assert geography.region_dir("84") == geography.GEODATA_DIR
    with pytest.raises(ValueError, match="inconnu"):
        geography.region_dir("99")
    with pytest.raises(geography.GeographyNotBuilt, match="build_geodata.py --region 93"):
        geography.region_dir("93", tmp_path)


def test_binary_copy_loads_the_same_geography(tmp_path):
    plain = geography.load_folder(geography.GEODATA_DIR, cache_dir=None)
    first = geography.load_folder(geography.GEODATA_DIR, cache_dir=tmp_path)  # writes the copy
    assert len(list(tmp_path.glob("communes-*.npz"))) == 1
    again = geography.load_folder(geography.GEODATA_DIR, cache_dir=tmp_path)  # reads it
    for g in (first, again):
        assert g.communes == plain.communes
        assert list(g.polygons) == list(plain.polygons)
        assert all(g.polygons[k].equals_exact(plain.polygons[k], 0) for k in plain.polygons)
    next(tmp_path.glob("communes-*.npz")).write_bytes(b"broken")
    assert geography.load_folder(geography.GEODATA_DIR, cache_dir=tmp_path).communes == plain.communes


def test_region_codes_of_the_config_are_the_geography_s():
    assert (*config.REGION_CODES, "all") == geography.REGION_CODES
    assert set(geography.REGIONS) == set(config.REGION_CODES)


@pytest.mark.parametrize("value, code", [("84", "84"), (84, "84"), (1, "01"), ("ALL", "all"), (" 94 ", "94")])
def test_region_setting_is_normalised(value, code):
    assert config.region(value) == code


@pytest.mark.parametrize("value", ["99", "", "France", 84.0, True, "2A"])
def test_region_setting_refuses_unknown_codes(value):
    with pytest.raises(config.ConfigError, match="REGION"):
        config.region(value)
