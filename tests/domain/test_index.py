"""The filtered k-nearest engine against an exhaustive WGS84 geodesic scan (geopy)."""

from contextlib import contextmanager

import numpy as np
import pytest
from geopy.distance import geodesic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finder.domain import views as index_mod
from finder.domain import vocab
from finder.domain.criteria import Criteria, competence, confirms, matches
from finder.domain.index import SiteIndex
from finder.domain.model import Site, Structure

NETWORKS = sorted(vocab.NETWORK_CODES)
STATUSES = sorted(vocab.STATUS_CODES)
QUALS = sorted(vocab.QUALIFICATION_CODES)
DEPS = ["01", "38", "69"]


@contextmanager
def view_thresholds(scan_max, dense_share):
    old = index_mod.SCAN_MAX, index_mod.DENSE_SHARE
    index_mod.SCAN_MAX, index_mod.DENSE_SHARE = scan_max, dense_share
    try:
        yield
    finally:
        index_mod.SCAN_MAX, index_mod.DENSE_SHARE = old


@st.composite
def directories(draw, territory_codes=("01001", "38185", "69383", "69123")):
    n = draw(st.integers(0, 60))
    structures = {}
    for j in range(draw(st.integers(1, 6))):
        terr = draw(st.one_of(st.none(), st.lists(st.sampled_from(territory_codes), max_size=2).map(tuple)))
        structures[f"s{j}"] = Structure(f"s{j}", f"S{j}", draw(st.sampled_from(NETWORKS)), 1, "69", None, terr)
    sites, deps = [], []
    for i in range(n):
        lo = draw(st.one_of(st.none(), st.integers(0, 60)))
        hi = draw(st.one_of(st.none(), st.integers(lo or 0, 80)))
        sites.append(
            Site(
                id=f"x{i:03d}",
                structure_id=draw(st.sampled_from(sorted(structures))),
                name="n",
                address="a",
                postcode="69000",
                commune="69383",
                lat=draw(st.floats(44.0, 46.9)),
                lon=draw(st.floats(2.1, 7.2)),
                accessible=draw(st.sampled_from([True, False, None])),
                modes=tuple(draw(st.sets(st.sampled_from(sorted(vocab.MODE_CODES)), min_size=1))),
                levels=tuple(sorted(draw(st.sets(st.sampled_from([1, 2]), min_size=1)))),
                age_min=lo,
                age_max=hi,
                statuses=tuple(draw(st.sets(st.sampled_from(STATUSES), max_size=3))),
                qualifications=tuple(draw(st.sets(st.sampled_from(QUALS), max_size=3))),
            )
        )
        deps.append(draw(st.sampled_from(DEPS)))
    return sites, structures, deps


criteria = st.builds(
    Criteria,
    age=st.one_of(st.none(), st.integers(0, 90)),
    age_range=st.one_of(st.none(), st.tuples(st.integers(0, 70), st.integers(0, 70)).map(lambda t: tuple(sorted(t)))),
    status=st.one_of(st.none(), st.sampled_from(STATUSES)),
    qualification=st.one_of(st.none(), st.sampled_from(QUALS)),
    level=st.one_of(st.none(), st.sampled_from([1, 2])),
    networks=st.one_of(st.none(), st.frozensets(st.sampled_from(NETWORKS), min_size=1, max_size=3)),
    mode=st.one_of(st.none(), st.sampled_from(sorted(vocab.MODE_CODES))),
    accessible=st.booleans(),
    departments=st.one_of(st.none(), st.frozensets(st.sampled_from(DEPS), min_size=1, max_size=2)),
    territory_only=st.booleans(),
)
origin_keys = st.sampled_from([(), ("69383", "69123"), ("01001",), ("38185",)])


def oracle(sites, structures, deps, c, keys, lat, lon, k, max_km):
    found = sorted(
        (geodesic((lat, lon), (s.lat, s.lon)).km, s.id)
        for s, d in zip(sites, deps)
        if matches(s, structures[s.structure_id], c, d, keys)
    )
    if max_km is not None:
        found = [f for f in found if f[0] <= max_km]
    return found[:k]


@pytest.mark.parametrize("scan_max, dense_share", [(2048, 0.25), (4, 0.5), (0, 0.9), (0, 0.01)])
@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=directories(),
    c=criteria,
    keys=origin_keys,
    k=st.integers(1, 15),
    lat=st.floats(44.0, 46.9),
    lon=st.floats(2.1, 7.2),
    max_km=st.one_of(st.none(), st.floats(1, 200)),
)
def test_nearest_equals_exhaustive_geodesic_scan(scan_max, dense_share, data, c, keys, k, lat, lon, max_km):
    sites, structures, deps = data
    with view_thresholds(scan_max, dense_share):
        idx = SiteIndex(sites, structures, deps)
        hits = idx.nearest(lat, lon, c, k, max_km, keys)
    want = oracle(sites, structures, deps, c, keys, lat, lon, k, max_km)
    assert len(hits) == len(want)
    for hit, (d, sid) in zip(hits, want):
        assert hit.distance_km == pytest.approx(d, abs=1e-6)
        got_id = sites[hit.pos].id
        if got_id != sid:  # only equal distances may swap
            assert abs(geodesic((lat, lon), (sites[hit.pos].lat, sites[hit.pos].lon)).km - d) < 1e-6


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=directories(), c=criteria, keys=origin_keys)
def test_mask_never_admits_a_non_matching_site(data, c, keys):
    sites, structures, deps = data
    mask = SiteIndex(sites, structures, deps).mask(c, keys)
    expected = [matches(s, structures[s.structure_id], c, d, keys) for s, d in zip(sites, deps)]
    assert mask.tolist() == expected


@settings(max_examples=40, deadline=None)
@given(c=criteria, lat=st.floats(44.1, 46.8), lon=st.floats(2.2, 7.1), k=st.integers(1, 20))
def test_demo_directory_ranking_matches_oracle(engine, c, lat, lon, k):
    origin = engine.origin_from_point(lat, lon)
    keys = engine.geo.competence_keys(origin.commune.insee if origin.commune else None)
    deps = [engine._department(s) for s in engine.sites]
    got = engine.nearest(origin, c, k)
    want = oracle(engine.sites, engine.structures, deps, c, keys, lat, lon, k, None)
    assert [round(r.distance_km, 6) for r in got] == [round(d, 6) for d, _ in want]


def test_equal_ages_in_one_interval_share_a_view(engine):
    a = engine.index.view(Criteria(age=18))
    b = engine.index.view(Criteria(age=19))
    assert a is b  # no age bound between 18 and 19 in the demo directory
    assert np.array_equal(a.positions, engine.index.positions(Criteria(age=19)))


def test_empty_index_and_zero_k():
    idx = SiteIndex([], {}, [])
    assert idx.nearest(45.0, 5.0, Criteria(), 5) == []


@settings(max_examples=50, deadline=None)
@given(data=directories(), keys=origin_keys)
def test_competence_from_the_index_equals_criteria_competence(data, keys):
    sites, structures, deps = data
    idx = SiteIndex(sites, structures, deps)
    for pos, s in enumerate(sites):
        assert idx.competence(pos, keys) == competence(structures[s.structure_id], keys)
    everywhere = list(range(len(sites))) + list(range(len(sites)))[::-1]  # any order, repeats
    expected = [competence(structures[sites[p].structure_id], keys) for p in everywhere]
    assert idx.competences(everywhere, keys) == expected


def competent_oracle(sites, structures, deps, c, keys, lat, lon, k, max_km):
    """Competent first, by definition: each competent structure's nearest confirmed matching site, then
    the other matching sites by distance (geopy; ties by id)."""
    ranked = sorted(
        (geodesic((lat, lon), (s.lat, s.lon)).km, s.id, s)
        for s, d in zip(sites, deps)
        if matches(s, structures[s.structure_id], c, d, keys)
    )
    if max_km is not None:
        ranked = [r for r in ranked if r[0] <= max_km]
    first, seen = [], set()
    for d, sid, s in ranked:
        st_ = structures[s.structure_id]
        if competence(st_, keys) and confirms(s, st_, c) and st_.id not in seen:
            seen.add(st_.id)
            first.append((d, sid))
    first = first[:k]
    chosen = {sid for _, sid in first}
    return first, [(d, sid) for d, sid, _ in ranked if sid not in chosen][: k - len(first)]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=directories(territory_codes=("69383", "38185")),  # mostly competent for the first origin
    c=criteria,
    keys=st.sampled_from([("69383", "69123"), ("38185",), ()]),
    k=st.integers(1, 12),
    lat=st.floats(44.0, 46.9),
    lon=st.floats(2.1, 7.2),
    max_km=st.one_of(st.none(), st.floats(1, 200)),
)
def test_competent_first_equals_its_definition(data, c, keys, k, lat, lon, max_km):
    sites, structures, deps = data
    idx = SiteIndex(sites, structures, deps)
    hits = idx.nearest(lat, lon, c, k, max_km, keys, competent_first=True)
    first, rest = competent_oracle(sites, structures, deps, c, keys, lat, lon, k, max_km)
    assert [h.competent for h in hits] == [True] * len(first) + [False] * len(rest)
    want = first + rest
    assert [h.distance_km for h in hits] == pytest.approx([d for d, _ in want], abs=1e-6)
    got_ids = [sites[h.pos].id for h in hits]
    for got, (d, sid) in zip(got_ids, want):
        if got != sid:  # only equal distances may swap
            assert any(abs(dd - d) < 1e-6 and s2 == got for dd, s2 in want)
    assert len(set(got_ids)) == len(got_ids)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=directories(), c=criteria)
def test_confirmed_mask_equals_confirms(data, c):
    sites, structures, deps = data
    got = SiteIndex(sites, structures, deps).confirmed(c)
    assert got.tolist() == [confirms(s, structures[s.structure_id], c) for s in sites]


def test_competent_mission_locale_first_for_la_clusaz(engine):
    """La Clusaz: three Missions locales of other sectors are nearer than the competent one."""
    origin = engine.origin_from_commune("74080")
    c = Criteria(age=19, status="demandeurs-emploi", level=2)
    by_distance = engine.nearest(origin, c, 10)
    first = engine.nearest(origin, c, 10, competent_first=True)
    ml = [r for r in by_distance if engine.structures[r.site.structure_id].network == "mission-locale"]
    assert ml[0].in_territory is False  # the nearest Mission locale is another's
    assert engine.structures[first[0].site.structure_id].network == "mission-locale"
    assert first[0].in_territory is True and first[0].competent
    assert [r.distance_km for r in first if not r.competent] == sorted(r.distance_km for r in first if not r.competent)


def test_no_profile_no_office_put_first(engine):
    """Age not given: a Mission locale (16–25) is not "yours" for sure, so distance order stays."""
    origin = engine.origin_from_commune("74080")
    assert engine.nearest(origin, Criteria(), 8, competent_first=True) == engine.nearest(origin, Criteria(), 8)
