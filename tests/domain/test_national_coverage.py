"""Coverage of every commune of France, on a synthetic national directory made by its generator.

Also checks the data tools themselves: the national directory generator (deterministic, clearly
synthetic, every département) and the geography builder (a few départements; region 84
reproduces the committed files byte for byte).
"""

import json
import subprocess
import sys

import numpy as np
import pytest
from geopy.distance import geodesic

from finder.domain import coverage, geography
from finder.domain.criteria import Criteria
from finder.domain.index import SiteIndex
from finder.domain.model import Site, Structure
from tests.national import ROOT, require_wheel

GENERATOR = ROOT / "scripts" / "generate_national.py"
BUILDER = ROOT / "scripts" / "build_geodata.py"


def generate(out, sites=3000, seed=11):
    subprocess.run(
        [sys.executable, str(GENERATOR), "--sites", str(sites), "--seed", str(seed), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return out.read_bytes()


@pytest.fixture(scope="module")
def national(france, tmp_path_factory):
    raw = generate(tmp_path_factory.mktemp("national") / "directory.json")
    data = json.loads(raw)
    structures = {d["id"]: Structure.from_dict(d) for d in data["structures"]}
    sites = sorted((Site.from_dict(d) for d in data["sites"]), key=lambda s: s.id)
    deps = [france.communes[s.commune].department for s in sites]
    return raw, data, SiteIndex(sites, structures, deps)


def test_generator_is_deterministic_synthetic_and_national(france, national, tmp_path):
    raw, data, idx = national
    assert generate(tmp_path / "again.json") == raw
    assert data["demo"] is True and len(data["sites"]) == 3000
    assert all(s["name"].startswith("[synthétique]") for s in data["sites"])
    assert all(s["name"].endswith("(synthétique)") for s in data["structures"])
    assert {france.communes[s["commune"]].department for s in data["sites"]} == set(france.departments)
    for s in data["sites"][::7]:
        assert france.contains(s["commune"], s["lat"], s["lon"]), s["id"]
        assert s["postcode"] in france.communes[s["commune"]].postcodes
    territorial = [s for s in data["structures"] if s["network"] == "mission-locale"]
    covered = [code for s in territorial for code in s["territory"]]
    placeable = {c.insee for c in france.region_communes() if c.postcodes}  # one new commune has no postcode yet
    assert len(covered) == len(set(covered)) and set(covered) == placeable  # a partition of France


@pytest.mark.parametrize(
    "c", [Criteria(level=2), Criteria(networks=frozenset({"mission-locale"}), territory_only=True)], ids=str
)
def test_coverage_of_every_commune_equals_the_per_commune_nearest(france, national, c):
    idx = national[2]
    communes = coverage.Communes.of_region(france)
    cov = coverage.Analyser(idx, communes).coverage(c, 20)
    assert len(communes) == 34917
    for i, com in enumerate(communes.items):
        hits = idx.nearest(com.ref_lat, com.ref_lon, c, 1, None, communes.keys[i])
        want = (hits[0].pos, hits[0].distance_km) if hits else (-1, np.inf)  # a commune no structure serves
        assert (cov.site_pos[i], cov.km[i]) == (want[0], pytest.approx(want[1], abs=1e-9)), com.insee
    for i in np.flatnonzero(cov.site_pos >= 0)[::997]:  # and a few against geopy
        site = cov.site_pos[i]
        assert cov.km[i] == pytest.approx(geodesic(communes.items[i].ref_point, (idx.lats[site], idx.lons[site])).km)
    summary = cov.summary()
    assert 0 < summary.share_covered <= 1 and summary.population == sum(c.population for c in communes.items)
    assert set(cov.by_department()) == set(france.departments)


def test_builder_makes_a_few_departments_with_region_json(tmp_path):
    wheel = require_wheel()
    out = tmp_path / "few"
    cmd = [sys.executable, str(BUILDER), "--wheel", str(wheel), "--departments", "2A,976,973", "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    geo = geography.load(out)
    assert sorted(geo.departments) == ["2A", "973", "976"]
    assert geo.region_code is None and [t.code for t in geo.territories] == ["metropole", "973", "976"]
    assert len(geo.communes) == 124 + 22 + 17
    features = json.loads((out / "communes.geojson").read_text())["features"]
    missing = {f["properties"]["insee"] for f in features if f["properties"].get("population_missing")}
    assert missing == {c.insee for c in geo.communes.values() if c.department == "976"}
    assert (out / ".build").is_file()
    done = subprocess.run(cmd[:-2] + ["--out", str(out), "--if-stale"], check=True, capture_output=True, text=True)
    assert "current" in done.stdout


def test_region_84_rebuilds_the_committed_files_byte_for_byte(tmp_path):
    wheel = require_wheel()
    cmd = [sys.executable, str(BUILDER), "--wheel", str(wheel), "--region", "84", "--out", str(tmp_path)]
    subprocess.run(cmd, check=True, capture_output=True)
    for name in ("communes.geojson", "departements.json", "epci.json", "region.json"):
        assert (tmp_path / name).read_bytes() == (geography.GEODATA_DIR / name).read_bytes(), name
