"""Exactness on the national geometry: index and bulk engine against exhaustive geodesic scans.

Sites and origins stand at communes of metropolitan France, Corsica and the five overseas
départements; a directory may leave whole territories without a site, so that the nearest
site of an origin in Mayotte may be in La Réunion (or in Paris).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from finder.domain import bulk, geography, vocab
from finder.domain.coverage import Analyser, Communes
from finder.domain.criteria import Criteria
from finder.domain.index import SiteIndex
from finder.domain.model import Site, Structure
from tests.domain.test_index import QUALS, STATUSES, oracle, view_thresholds
from tests.national import national_geography

TERRITORIES = ["metropole", *geography.OVERSEAS]
DEPS = ["2A", "2B", "75", "13", "971", "972", "973", "974", "976"]
SLOW_FIXTURE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
TERRITORY_CODES = ["75115", "75056", "97411", "2A004", "97302", "13202", "97611"]


def _pool():
    """Communes to stand on: all of Corsica and overseas, a spread of the mainland, Paris."""
    communes = sorted(national_geography().region_communes(), key=lambda c: c.insee)
    out = [c for c in communes if c.department in ("2A", "2B") or c.department in geography.OVERSEAS]
    out += [c for c in communes if c.department == "75"]
    out += communes[::150]
    return sorted({c.insee: c for c in out}.values(), key=lambda c: c.insee)


POOL = None


def pool():
    global POOL
    if POOL is None:
        POOL = _pool()
    return POOL


def territory(c) -> str:
    return geography.territory_of(c.department)


@st.composite
def french_directories(draw, max_sites=70):
    places = draw(st.sets(st.sampled_from(TERRITORIES), min_size=1))
    communes = [c for c in pool() if territory(c) in places]
    structures = {}
    for j in range(draw(st.integers(1, 5))):
        terr = draw(st.one_of(st.none(), st.lists(st.sampled_from(TERRITORY_CODES), max_size=3).map(tuple)))
        net = draw(st.sampled_from(sorted(vocab.NETWORK_CODES)))
        structures[f"s{j}"] = Structure(f"s{j}", f"S{j}", net, 1, "75", None, terr)
    sites, deps = [], []
    for i in range(draw(st.integers(0, max_sites))):
        c = draw(st.sampled_from(communes))
        lo = draw(st.one_of(st.none(), st.integers(0, 60)))
        sites.append(
            Site(
                id=f"x{i:03d}",
                structure_id=draw(st.sampled_from(sorted(structures))),
                name="n",
                address="a",
                postcode=c.postcodes[0] if c.postcodes else "00000",
                commune=c.insee,
                lat=c.ref_lat + draw(st.floats(-0.03, 0.03)),
                lon=c.ref_lon + draw(st.floats(-0.03, 0.03)),
                accessible=draw(st.sampled_from([True, False, None])),
                levels=tuple(sorted(draw(st.sets(st.sampled_from([1, 2]), min_size=1)))),
                age_min=lo,
                age_max=draw(st.one_of(st.none(), st.integers(lo or 0, 80))),
                statuses=tuple(draw(st.sets(st.sampled_from(STATUSES), max_size=3))),
                qualifications=tuple(draw(st.sets(st.sampled_from(QUALS), max_size=2))),
            )
        )
        deps.append(c.department)
    return sites, structures, deps


criteria = st.builds(
    Criteria,
    age=st.one_of(st.none(), st.integers(0, 90)),
    status=st.one_of(st.none(), st.sampled_from(STATUSES)),
    level=st.one_of(st.none(), st.sampled_from([1, 2])),
    accessible=st.booleans(),
    departments=st.one_of(st.none(), st.frozensets(st.sampled_from(DEPS), min_size=1, max_size=2)),
    territory_only=st.booleans(),
)


@st.composite
def origins(draw):
    c = draw(st.sampled_from(pool()))
    keys = (c.insee, c.parent) if c.parent else (c.insee,)
    return c.ref_lat + draw(st.floats(-0.05, 0.05)), c.ref_lon + draw(st.floats(-0.05, 0.05)), keys


@pytest.fixture(scope="module", autouse=True)
def _geography(france):
    pool()  # built once, from the session's national geography


@pytest.mark.parametrize("scan_max, dense_share", [(2048, 0.25), (4, 0.5), (0, 0.9), (0, 0.01)])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=french_directories(),
    c=criteria,
    origin=origins(),
    k=st.integers(1, 12),
    max_km=st.one_of(st.none(), st.floats(1, 12_000)),
)
def test_nearest_equals_exhaustive_geodesic_scan_everywhere(scan_max, dense_share, data, c, origin, k, max_km):
    sites, structures, deps = data
    lat, lon, keys = origin
    with view_thresholds(scan_max, dense_share):
        hits = SiteIndex(sites, structures, deps).nearest(lat, lon, c, k, max_km, keys)
    want = oracle(sites, structures, deps, c, keys, lat, lon, k, max_km)
    assert [round(h.distance_km, 6) for h in hits] == [round(d, 6) for d, _ in want]
    assert {sites[h.pos].id for h in hits if round(h.distance_km, 6) < round(want[-1][0], 6)} == {
        sid for d, sid in want if round(d, 6) < round(want[-1][0], 6)
    }


@pytest.fixture(params=["defaults", "tiny grids"])
def grid_settings(request, monkeypatch):
    if request.param == "tiny grids":  # many levels, many chunks, coarse first squares
        monkeypatch.setattr(bulk, "PAIR_BUDGET", 50)
        monkeypatch.setattr(bulk, "MAX_CELLS", 64)
        monkeypatch.setattr(bulk, "FIRST_SIDE", 0.05)
    return request.param


@settings(max_examples=30, deadline=None, suppress_health_check=SLOW_FIXTURE)
@given(data=french_directories(), c=criteria, k=st.integers(1, 6), picks=st.lists(st.integers(0, 10**6), max_size=40))
def test_bulk_nearest_equals_the_index_everywhere(grid_settings, data, c, k, picks):
    sites, structures, deps = data
    c = c.replace(departments=None)
    communes = Communes(list({c.insee: c for c in (pool()[i % len(pool())] for i in picks)}.values()))
    idx = SiteIndex(sites, structures, deps)
    pos, km = Analyser(idx, communes).nearest(c, k)
    for i, com in enumerate(communes.items):
        hits = idx.nearest(com.ref_lat, com.ref_lon, c, k, None, communes.keys[i])
        assert [h.distance_km for h in hits] == pytest.approx([d for d in km[i] if np.isfinite(d)], abs=1e-9)
        assert [h.pos for h in hits] == [p for p in pos[i] if p >= 0]


@settings(max_examples=30, deadline=None, suppress_health_check=SLOW_FIXTURE)
@given(data=french_directories(), picks=st.lists(st.integers(0, 10**6), max_size=30), max_km=st.floats(0.5, 2500))
def test_within_equals_every_pair_measured(grid_settings, data, picks, max_km):
    sites = data[0]
    targets = bulk.Points([s.lon for s in sites], [s.lat for s in sites])
    chosen = [pool()[i % len(pool())] for i in picks]
    origins_ = bulk.Points([c.ref_lon for c in chosen], [c.ref_lat for c in chosen])
    tr = bulk.within(targets, origins_, max_km)
    got = {(int(o), int(t)): km for o, t, km in zip(tr.origin, tr.target, tr.km)}
    geod = Geod(ellps="WGS84")
    want = {}
    for o in range(len(origins_)):
        for t in range(len(targets)):
            d = geod.inv(origins_.lons[o], origins_.lats[o], targets.lons[t], targets.lats[t])[2] / 1000
            if d <= max_km:
                want[(o, t)] = d
    assert set(got) == set(want)
    assert all(got[p] == pytest.approx(want[p], abs=1e-9) for p in want)


def _site(i: int, c, structure: str = "s0") -> Site:
    return Site(f"x{i:03d}", structure, "n", "a", "00000", c.insee, c.ref_lat, c.ref_lon)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_a_territory_with_fewer_sites_than_asked_looks_across_the_sea(grid_settings, france, k):
    """Mayotte has one site: its second nearest is in La Réunion (1,400 km), the third in Paris."""
    mayotte = [c for c in pool() if c.department == "976"]
    reunion = [c for c in pool() if c.department == "974"][:2]
    paris = [c for c in pool() if c.department == "75"][:2]
    sites = [_site(i, c) for i, c in enumerate([mayotte[0], *reunion, *paris])]
    deps = [france.communes[s.commune].department for s in sites]
    structures = {"s0": Structure("s0", "S", "cio", 1, "75")}
    idx = SiteIndex(sites, structures, deps)
    communes = Communes(mayotte)
    pos, km = Analyser(idx, communes).nearest(Criteria(), k)
    for i, com in enumerate(communes.items):
        want = oracle(sites, structures, deps, Criteria(), (), com.ref_lat, com.ref_lon, k, None)
        assert [sites[p].id for p in pos[i] if p >= 0] == [sid for _, sid in want]
        hits = idx.nearest(com.ref_lat, com.ref_lon, Criteria(), k)
        assert [sites[h.pos].id for h in hits] == [sid for _, sid in want]
    assert k < 2 or {france.communes[sites[p].commune].department for p in pos[:, 1]} == {"974"}
