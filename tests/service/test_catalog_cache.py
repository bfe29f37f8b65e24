"""Catalog files (finder.service.catalog_cache): the same answers as a fresh build; a stale key, a
corrupted or truncated file is built again, never served and never a crash."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import numpy as np
import pytest

from finder.domain.criteria import Criteria
from finder.domain.filters import FILTERS
from finder.service import catalog_cache
from finder.storage.store import Store
from tests.conftest import DEMO

CRITERIA = [
    Criteria(),
    Criteria(level=2),
    Criteria(age=19, status="demandeurs-emploi", level=2),
    Criteria(networks=frozenset({"cio"})),
    Criteria(networks=frozenset({"mission-locale"}), territory_only=True),
    Criteria(accessible=True, age_range=(16, 25)),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store(tmp_path_factory.mktemp("cc") / "spro.sqlite3")
    s.initialise(DEMO)
    return s


def fresh(store, geo, version=1):
    return catalog_cache.fresh(store, geo, version, 0, dt.date(2026, 11, 29))


def written(store, geo, folder):
    catalog = fresh(store, geo)
    k = catalog_cache.key(catalog.content_id, 0, geo)
    file = catalog_cache.path(folder, k)
    catalog_cache.write(catalog, file, k)
    return file, k


def test_a_catalog_read_back_answers_as_the_fresh_build(store, geo, tmp_path):
    built = fresh(store, geo)
    file, k = written(store, geo, tmp_path)
    read = catalog_cache.read(file, k, geo)
    a, b = built.engine, read.engine
    assert read.version == built.version and read.content_id == built.content_id
    assert read.dataset_json() == built.dataset_json()
    assert list(b.sites) == list(a.sites) and len(b.structures) == len(a.structures)
    assert all(b.structures[i] == a.structures[i] for i in a.structures)
    assert [bytes(x) for x in read.features.open] == list(built.features.open)
    assert read.dump() == built.dump()
    for name in FILTERS:  # every filter's column was written, none rebuilt from sites
        assert name in b.index._columns
    for array in (b.index.lats, b.index.xyz, b.index.uv, b.index.id_rank):  # read in place from the map
        assert not array.flags.writeable and not array.flags.owndata
        assert array.ctypes.data % catalog_cache.ALIGN == 0
    rng = random.Random(7)
    communes = sorted(geo.communes)
    for c in CRITERIA:
        assert np.array_equal(a.index.positions(c), b.index.positions(c))
        for insee in rng.sample(communes, 25):
            oa, ob = a.origin_from_commune(insee), b.origin_from_commune(insee)
            for first in (False, True):
                ra, rb = a.nearest(oa, c, 10, None, first), b.nearest(ob, c, 10, None, first)
                assert [(r.site, r.distance_km, r.in_territory, r.competent) for r in ra] == [
                    (r.site, r.distance_km, r.in_territory, r.competent) for r in rb
                ]
    for s in rng.sample(list(a.sites), 20):
        assert b.site(s.id) == s and b.position(s.id) == a.position(s.id)
    with pytest.raises(Exception, match="identifiant"):
        b.site("nope")


def test_a_filter_registered_after_the_file_was_written_builds_from_the_sites(store, geo, tmp_path):
    file, k = written(store, geo, tmp_path)
    index = catalog_cache.read(file, k, geo).engine.index
    index._columns.pop("level")  # as if "level" had been registered since
    expected = fresh(store, geo).engine.index.positions(Criteria(level=2))
    assert np.array_equal(index.positions(Criteria(level=2)), expected)


def test_the_key_follows_content_geography_and_policy(geo):
    k = catalog_cache.key("abc", 0, geo)
    assert k != catalog_cache.key("abd", 0, geo)
    assert k != catalog_cache.key("abc", 30, geo)
    assert k != catalog_cache.key("abc", 0, dataclasses.replace(geo, source_key="other"))
    assert catalog_cache.key("abc", 0, dataclasses.replace(geo, source_key="")) is None  # unknown source: no file


def corrupt_middle(file):
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    file.write_bytes(bytes(data))


def truncate(file):
    file.write_bytes(file.read_bytes()[:-100])


def other_key(file):
    pass  # a whole file, of another key: read with the wrong key below


@pytest.mark.parametrize("damage", [corrupt_middle, truncate, other_key, lambda f: f.write_bytes(b"")])
def test_an_unusable_file_is_refused_then_built_again(store, geo, tmp_path, damage):
    file, k = written(store, geo, tmp_path)
    damage(file)
    asked = k if damage is not other_key else "0" * 32
    if damage is other_key:
        file = file.rename(catalog_cache.path(tmp_path, asked))
    with pytest.raises(catalog_cache.CacheError):
        catalog_cache.read(file, asked, geo)
    builds = []

    def build(target):
        builds.append(target)
        catalog_cache.write(fresh(store, geo), target, asked)

    catalog = catalog_cache.obtain(tmp_path, asked, geo, build)
    assert builds == [file]
    assert catalog.engine.sites == fresh(store, geo).engine.sites
    assert catalog_cache.obtain(tmp_path, asked, geo, build).version == 1 and len(builds) == 1  # read, not built


def test_old_files_are_pruned(store, geo, tmp_path):
    for i in range(catalog_cache.KEEP + 2):
        k = f"{i:032d}"
        catalog_cache.obtain(tmp_path, k, geo, lambda f, k=k: catalog_cache.write(fresh(store, geo), f, k))
    assert len(list(tmp_path.glob("catalog-*.bin"))) == catalog_cache.KEEP


def test_a_separate_process_builds_the_same_file(store, geo, tmp_path):
    catalog = fresh(store, geo)
    k = catalog_cache.key(catalog.content_id, 0, geo)
    file = catalog_cache.path(tmp_path, k)
    catalog_cache.build_apart(file, k, store.url, "84", str(geo_dir()), 1, 0)
    read = catalog_cache.read(file, k, geo)
    assert list(read.features.open) == list(catalog.features.open)
    with pytest.raises(RuntimeError, match="not the one asked for"):
        catalog_cache.build_apart(file, "f" * 32, store.url, "84", str(geo_dir()), 1, 0)


def geo_dir():
    from finder.domain import geography

    return geography.GEODATA_DIR
