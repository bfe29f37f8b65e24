"""Coverage engine: exact nearest per commune, summaries, and its properties (Hypothesis)."""

import numpy as np
import pytest
from geopy.distance import geodesic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finder.domain import coverage
from finder.domain.coverage import Analyser, Communes, weighted_quantile
from finder.domain.criteria import Criteria
from finder.domain.geography import LYON
from finder.domain.index import SiteIndex
from finder.domain.model import Site
from tests.domain.test_index import criteria, directories

PROFILES = [
    Criteria(),
    Criteria(level=2),
    Criteria(age=20, status="eleves"),
    Criteria(networks=frozenset({"apec"})),
    Criteria(age=19, territory_only=True),
    Criteria(networks=frozenset({"mission-locale"}), territory_only=True),
]


@pytest.fixture(scope="module")
def analyser(engine):
    return coverage.analyser(engine)


@pytest.fixture(scope="module")
def small(geo):
    """A few dozen communes of Cantal and Lyon's arrondissements: small cases for exhaustive checks."""
    items = [c for c in geo.region_communes() if c.department == "15"][:24]
    items += [c for c in geo.communes.values() if c.parent == LYON][:4]
    return Communes(items)


def test_communes_are_the_region_with_lyon_by_arrondissement(analyser, geo):
    insee = analyser.communes.insee
    assert len(insee) == len(geo.region_communes()) >= 4000
    assert LYON not in insee
    assert sum(1 for c in analyser.communes.items if c.parent == LYON) == 9
    assert insee == sorted(insee)


def test_analyser_is_built_once_per_engine(engine, analyser):
    assert coverage.analyser(engine) is analyser


@pytest.mark.parametrize("c", PROFILES, ids=str)
def test_nearest_per_commune_equals_the_index(engine, analyser, c):
    pos, km = analyser.nearest(c, 2)
    for i in range(0, len(analyser.communes), 97):
        com = analyser.communes.items[i]
        keys = engine.geo.competence_keys(com.insee)
        hits = engine.index.nearest(com.ref_lat, com.ref_lon, c, 2, None, keys)
        assert [h.pos for h in hits] == [p for p in pos[i] if p >= 0]
        assert [h.distance_km for h in hits] == pytest.approx([d for d in km[i] if np.isfinite(d)], abs=1e-9)


def test_distances_equal_a_brute_force_geopy_scan(engine, analyser):
    c = Criteria(level=2)
    cov = analyser.coverage(c, 20)
    sites = engine.matching(c)
    for i in range(0, len(analyser.communes), 401):
        com = analyser.communes.items[i]
        best = min(geodesic(com.ref_point, (s.lat, s.lon)).km for s in sites)
        assert cov.km[i] == pytest.approx(best, abs=1e-6)
        assert cov.covered[i] == (best <= 20)


def test_summaries_add_up(analyser):
    cov = analyser.coverage(Criteria(level=2), 20)
    region = cov.summary()
    assert region.communes == len(analyser.communes)
    assert region.population == int(analyser.communes.population.sum())
    assert region.population_covered == int(analyser.communes.population[cov.covered].sum())
    assert 0 < region.share_covered < 1
    deps = cov.by_department()
    assert len(deps) == 12
    assert sum(s.population for s in deps.values()) == region.population
    assert sum(s.population_covered for s in deps.values()) == region.population_covered
    epcis = cov.by_epci()
    assert sum(s.population for s in epcis.values()) == region.population
    assert region.median_km <= region.p90_km
    assert all(s.median_km <= s.p90_km for s in deps.values())


def test_uncovered_communes_by_population(analyser):
    cov = analyser.coverage(Criteria(level=2), 10)
    white = cov.uncovered()
    assert len(white) == int((~cov.covered).sum()) > 0
    pops = analyser.communes.population[white]
    assert list(pops) == sorted(pops, reverse=True)
    assert (cov.km[white] > 10).all()


def test_no_matching_site_leaves_every_commune_uncovered(analyser):
    c = Criteria(networks=frozenset({"apec"}), age=10)  # Apec serves adults only
    cov = analyser.coverage(c, 50)
    assert (cov.site_pos == -1).all() and np.isinf(cov.km).all()
    s = cov.summary()
    assert s.population_covered == 0 and s.share_covered == 0 and s.median_km is None


def test_distance_classes(analyser):
    cov = analyser.coverage(Criteria(), 20)
    cov.km[:3] = [0.0, 5.0, 5.1]
    assert [cov.distance_class(i) for i in range(3)] == [0, 0, 1]
    cov.km[0] = 31
    assert cov.distance_class(0) == 4


@pytest.mark.parametrize(
    "values, weights, q, want",
    [
        ([1, 2, 3], [1, 1, 1], 0.5, 2),
        ([3, 1, 2], [0, 10, 0], 0.5, 1),
        ([1, 2, 3], [1, 1, 8], 0.9, 3),
        ([1, np.inf], [1, 3], 0.5, None),
        ([1, 2], [0, 0], 0.5, None),
        ([], [], 0.5, None),
    ],
)
def test_weighted_quantile(values, weights, q, want):
    got = weighted_quantile(np.array(values, dtype=float), np.array(weights, dtype=float), q)
    assert got == want


def _index(sites, structures, deps):
    return SiteIndex(sites, structures, deps)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=directories(), c=criteria, max_km=st.floats(1, 150), k=st.integers(1, 3))
def test_bulk_nearest_equals_the_index_on_random_directories(small, data, c, max_km, k):
    sites, structures, deps = data
    c = c.replace(departments=None)
    idx = _index(sites, structures, deps)
    pos, km = Analyser(idx, small).nearest(c, k)
    for i, com in enumerate(small.items):
        keys = (com.insee, com.parent) if com.parent else (com.insee,)
        hits = idx.nearest(com.ref_lat, com.ref_lon, c, k, None, keys)
        assert [h.distance_km for h in hits] == pytest.approx([d for d in km[i] if np.isfinite(d)], abs=1e-9)
        assert [h.pos for h in hits] == [p for p in pos[i] if p >= 0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=directories(), c=criteria, max_km=st.floats(0.5, 300))
def test_covered_population_never_exceeds_the_total(small, data, c, max_km):
    sites, structures, deps = data
    cov = Analyser(_index(sites, structures, deps), small).coverage(c.replace(departments=None), max_km)
    s = cov.summary()
    assert 0 <= s.population_covered <= s.population
    assert 0.0 <= s.share_covered <= 1.0
    assert s.population == int(small.population.sum())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=directories(),
    c=criteria,
    max_km=st.floats(1, 120),
    lat=st.floats(44.0, 46.9),
    lon=st.floats(2.1, 7.2),
    levels=st.sets(st.sampled_from([1, 2]), min_size=1),
)
def test_adding_a_site_never_lowers_coverage(small, data, c, max_km, lat, lon, levels):
    sites, structures, deps = data
    c = c.replace(departments=None)
    before = Analyser(_index(sites, structures, deps), small).coverage(c, max_km)
    sid = sorted(structures)[0]
    extra = Site("zz-new", sid, "n", "a", "15000", "15014", lat, lon, accessible=True, levels=tuple(sorted(levels)))
    after = Analyser(_index([*sites, extra], structures, [*deps, "15"]), small).coverage(c, max_km)
    assert (after.km <= before.km).all()
    assert after.summary().population_covered >= before.summary().population_covered
