"""Planning: site criticality and the greedy "Où labelliser ?" against exhaustive searches."""

import numpy as np
import pytest
from geopy.distance import geodesic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finder.domain import coverage, planning
from finder.domain.coverage import Analyser, Communes
from finder.domain.criteria import Criteria
from finder.domain.index import SiteIndex
from tests.domain.test_index import criteria, directories


@pytest.fixture(scope="module")
def small(geo):
    """30 neighbouring communes of Haute-Loire: an exhaustive search stays cheap."""
    return Communes([c for c in geo.region_communes() if c.department == "43"][:30])


def exhaustive_best(communes: Communes, covered: np.ndarray, max_km: float) -> tuple[int, int]:
    """(gain, commune index) of the best single new site, by brute force with geopy."""
    best = (0, -1)
    for j, cand in enumerate(communes.items):
        gain = sum(
            int(communes.population[i])
            for i, target in enumerate(communes.items)
            if not covered[i] and geodesic(cand.ref_point, target.ref_point).km <= max_km
        )
        if gain > best[0]:
            best = (gain, j)
    return best


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=directories(), c=criteria, max_km=st.floats(2, 40))
def test_first_greedy_step_is_the_best_single_commune(small, data, c, max_km):
    sites, structures, deps = data
    a = Analyser(SiteIndex(sites, structures, deps), small)
    c = c.replace(departments=None)
    cov = a.coverage(c, max_km)
    gain, best = exhaustive_best(small, cov.covered, max_km)
    steps = planning.suggest(a, c, max_km, 3)
    if gain == 0:
        assert steps == []
    else:
        assert (steps[0].commune, steps[0].gained) == (best, gain)
        assert [s.gained for s in steps] == sorted((s.gained for s in steps), reverse=True)
        assert steps[-1].population_covered <= int(small.population.sum())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=directories(), c=criteria, max_km=st.floats(2, 60))
def test_criticality_equals_closing_each_site(small, data, c, max_km):
    sites, structures, deps = data
    c = c.replace(departments=None)
    a = Analyser(SiteIndex(sites, structures, deps), small)
    base = a.coverage(c, max_km).summary().population_covered
    ranked = planning.criticality(a, c, max_km)
    assert len(ranked) == len(a.index.positions(c.replace(territory_only=False)))
    for cr in ranked:
        keep = [i for i in range(len(sites)) if i != cr.site_pos]
        b = Analyser(SiteIndex([sites[i] for i in keep], structures, [deps[i] for i in keep]), small)
        assert base - b.coverage(c, max_km).summary().population_covered == cr.population
    assert [x.population for x in ranked] == sorted((x.population for x in ranked), reverse=True)


def test_suggestions_on_the_demo_directory(engine):
    a = coverage.analyser(engine)
    c = Criteria(level=2)
    before = a.coverage(c, 20).summary()
    steps = planning.suggest(a, c, 20, 5)
    assert len(steps) == 5
    assert sum(s.gained for s in steps) == steps[-1].population_covered - before.population_covered
    assert len({s.commune for s in steps}) == 5
    assert all(s.gained > 0 and s.communes_gained > 0 for s in steps)


def test_suggestions_stay_in_the_department(engine):
    a = coverage.analyser(engine)
    mask = a.communes.mask("15")
    steps = planning.suggest(a, Criteria(level=2), 20, 20, mask)
    assert steps and all(a.communes.items[s.commune].department == "15" for s in steps)
    assert steps[-1].share_covered == pytest.approx(1.0)  # Cantal fully covered before k runs out
    assert len(steps) < 20


def test_criticality_on_the_demo_directory(engine):
    a = coverage.analyser(engine)
    ranked = planning.criticality(a, Criteria(level=2), 20)
    assert ranked[0].population > 0 and ranked[0].communes > 0
    assert ranked[-1].population == 0
