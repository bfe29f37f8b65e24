"""Unmet demand: what a search counts as, nothing personal stored, small counts never shown."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from finder.domain import coverage as coverage_mod
from finder.domain import planning
from finder.domain.criteria import Criteria
from finder.service import demand, search
from finder.service.catalog import Catalog
from finder.service.params import Args
from finder.storage import demand as rows
from tests.import_helpers import geo

DAY = dt.date(2026, 11, 3)


@pytest.fixture()
def store(demo_store):
    return demo_store


@pytest.fixture(scope="module")
def catalog(engine):
    return Catalog(engine.directory, engine.geo)


def run(catalog, **args):
    from finder.domain.geocode import Geocoder

    return search.run(catalog, Geocoder(catalog.geo), Args({k: [str(v)] for k, v in args.items()}))


@pytest.mark.parametrize(
    ("km", "expected"),
    [
        (0.0, "10km"),
        (10.0, "10km"),
        (10.01, "20km"),
        (20.0, "20km"),
        (29.9, "30km"),
        (30.5, "au-dela"),
        (None, "aucun"),
    ],
)
def test_outcome_classes(km, expected):
    assert demand.outcome_class(km) == expected


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (Criteria(), "age-inconnu/niveau-tous"),
        (Criteria(age=22, level=2), "moins-26/niveau-2"),
        (Criteria(age=26, level=1), "26-plus/niveau-1"),
        (Criteria(age=40, status="salaries"), "26-plus/niveau-tous"),
    ],
)
def test_profile_classes(criteria, expected):
    assert demand.profile_class(criteria) == expected


def test_a_search_counts_its_commune_profile_and_outcome(catalog):
    out = run(catalog, q="Aurillac", age=22, level=2)
    key = demand.observe(out, DAY)
    assert key == ("2026-11-03", "15014", "moins-26/niveau-2", demand.outcome_class(out.nearest_km))
    assert demand.observe(run(catalog, q="Saint-Martin"), DAY) is None  # a choice of communes: not counted
    assert demand.observe(run(catalog, q="xqzw"), DAY) is None
    assert demand.observe(run(catalog, q="Lyon", age="abc"), DAY) is None


def test_a_profile_nobody_serves_counts_as_none(catalog):
    out = run(catalog, q="Aurillac", network="apec", mode="a-distance", accessible="true", age=120)
    assert out.results == [] and demand.observe(out, DAY)[3] in ("aucun", "au-dela")


def test_the_counter_writes_in_one_flush_and_stores_nothing_personal(store, catalog):
    clock = [0.0]
    counter = demand.Counter(store, flush_seconds=60, clock=lambda: clock[0], today=lambda: DAY)
    address = "12 rue Félix Poulat 38000 Grenoble"
    for _ in range(3):
        counter.record(run(catalog, q=address))
        counter.record(run(catalog, lat="45.7667", lon="4.88", age=30))
    assert rows.rows(store) == [] and sum(counter.pending().values()) == 6
    clock[0] = 61.0
    counter.record(run(catalog, q="Aurillac"))
    stored = rows.rows(store)
    assert sum(r[4] for r in stored) == 7 and counter.pending() == {}
    text = repr(stored)
    for secret in ("Poulat", "Félix", "45.7667", "4.88", "127.0.0.1"):
        assert secret not in text
    assert {r[1] for r in stored} == {"38185", "69266", "15014"}  # commune codes only


def test_counts_add_up_across_flushes_and_workers(store):
    key = ("2026-11-03", "15014", "age-inconnu/niveau-tous", "10km")
    assert rows.add(store, {key: 2}) and rows.add(store, {key: 3})
    assert rows.rows(store) == [(*key, 5)]


@pytest.mark.parametrize(
    ("cells", "shown"),
    [
        ([10, 7, 6, 5, 9], [10, 7, 6, 5, 9]),
        ([10, 4, 6, 5, 9], [10, None, 6, None, 9]),  # a lone hidden cell hides the next smallest
        ([10, 0, 1, 5, 9], [10, None, None, 5, 9]),
        ([3], [None]),
        ([0, 0, 12], [None, None, 12]),
    ],
)
def test_suppression(cells, shown):
    assert demand.suppress(cells) == shown


def test_the_table_never_shows_a_count_below_five(store):
    counts = {
        (DAY.isoformat(), "15014", "age-inconnu/niveau-tous", "10km"): 9,
        (DAY.isoformat(), "15014", "age-inconnu/niveau-tous", "aucun"): 2,
        (DAY.isoformat(), "15014", "moins-26/niveau-2", "au-dela"): 6,
        (DAY.isoformat(), "01053", "age-inconnu/niveau-tous", "10km"): 4,  # a commune with 4 searches: absent
    }
    rows.add(store, counts)
    table = demand.table(store, geo(), DAY, DAY)
    (row,) = table
    assert (row.insee, row.total, row.unmet) == ("15014", 17, 8)
    assert row.cells == (9, None, None, 6, None)
    for r in table:
        assert all(c is None or c >= demand.MIN_COUNT for c in r.cells) and r.total >= demand.MIN_COUNT
    young = demand.table(store, geo(), DAY, DAY, profile="moins-26/niveau-2")
    assert [(r.insee, r.total, r.unmet) for r in young] == [("15014", 6, 6)]


def test_planning_can_weigh_communes_by_observed_demand(engine):
    a = coverage_mod.analyser(engine)
    c = Criteria(level=2, networks={"apec"})
    by_population = planning.suggest(a, c, 20.0, 1)
    weights = np.zeros(len(a.communes), dtype=np.int64)
    target = next(i for i, item in enumerate(a.communes.items) if item.insee == "15014")
    weights[target] = 50
    by_demand = planning.suggest(a, c, 20.0, 1, weights=weights)
    assert a.communes.items[by_demand[0].commune].insee != a.communes.items[by_population[0].commune].insee
    assert by_demand[0].gained == 50
