"""The embedded demo directory: counts, placement and network logic."""

import json
import subprocess
import sys
from collections import Counter

import pytest
import shapely
from opening_hours import OpeningHours

from finder.directory import checks
from finder.domain import vocab
from finder.domain.geography import LYON
from tests.conftest import DEMO


@pytest.fixture(scope="module")
def demo():
    return json.loads(DEMO.read_text(encoding="utf-8"))


def test_counts(demo):
    assert demo["demo"] is True
    assert len(demo["structures"]) == 566
    assert 1000 <= len(demo["sites"]) <= 1200
    assert len({s["id"] for s in demo["structures"]}) == 566
    assert len({s["id"] for s in demo["sites"]}) == len(demo["sites"])


def test_every_network_and_department_present(demo, geo):
    nets = Counter(s["network"] for s in demo["structures"])
    assert set(nets) == vocab.NETWORK_CODES
    assert nets["cap-emploi"] == 12
    deps = {geo.communes[s["commune"]].department for s in demo["sites"]}
    assert deps == set(geo.departments)


def test_every_site_inside_its_commune_with_valid_codes(demo, geo):
    structures = {s["id"]: s for s in demo["structures"]}
    for site in demo["sites"]:
        assert site["commune"] != LYON, "Lyon's sites stand in an arrondissement"
        poly = geo.polygons[site["commune"]]
        assert poly.contains(shapely.Point(site["lon"], site["lat"])), site["id"]
        assert site["postcode"] in geo.communes[site["commune"]].postcodes
        assert site["structure_id"] in structures
        assert set(site["statuses"]) <= vocab.STATUS_CODES
        assert set(site["qualifications"]) <= vocab.QUALIFICATION_CODES
        assert set(site["levels"]) <= vocab.LEVEL_CODES and site["levels"]
        assert set(site["modes"]) <= vocab.MODE_CODES
        OpeningHours(site["opening_hours"])  # raises on invalid syntax


def test_cercles_match_networks(demo):
    for s in demo["structures"]:
        assert s["cercle"] == vocab.NETWORKS_BY_CODE[s["network"]].cercle


def test_mission_locale_territories_partition_the_region(demo, geo):
    seen = Counter()
    for s in demo["structures"]:
        if s["network"] == "mission-locale":
            seen.update(s["territory"])
    assert set(seen) == set(geo.communes)  # every commune, Lyon and its arrondissements included
    assert max(seen.values()) == 1


def test_mission_locale_sites_serve_16_25_and_sit_in_their_territory(demo):
    structures = {s["id"]: s for s in demo["structures"]}
    for site in demo["sites"]:
        st = structures[site["structure_id"]]
        if st["network"] == "mission-locale":
            assert (site["age_min"], site["age_max"]) == (16, 25)
            assert site["commune"] in st["territory"]


def test_density_follows_population(demo, geo):
    per_dep = Counter(geo.communes[s["commune"]].department for s in demo["sites"])
    assert per_dep["69"] > per_dep["15"] * 3  # Rhône ~1.9 M inhabitants, Cantal ~0.14 M


def test_names_say_demo(demo):
    assert all(s["name"].endswith("(démo)") for s in demo["structures"])
    assert all(s["email"].endswith("@example.org") for s in demo["sites"])


@pytest.mark.slow
def test_generator_is_deterministic(tmp_path):
    out = tmp_path / "directory.json"
    subprocess.run(
        [sys.executable, "scripts/generate_demo.py", "--out", str(out)],
        check=True,
        capture_output=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    )
    assert out.read_bytes() == DEMO.read_bytes()


def test_demo_hours_say_what_they_mean_and_state_holidays(demo):
    """No rule of a demo expression replaces another's hours, and every place states public holidays."""
    expressions = Counter(s["opening_hours"] for s in demo["sites"])
    assert {e: checks.hours_warnings(e) for e in expressions if checks.hours_warnings(e)} == {}
    assert all("PH off" in e for e in expressions)
    assert "Mo-Fr 08:30-12:30; Mo-We 13:30-16:30" not in expressions
