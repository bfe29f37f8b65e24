import pytest
import shapely

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
