"""Bilan: figures computed from the activity table and the directory; the table's checks."""

import subprocess
import sys

import pytest

from finder.domain import bilan
from finder.domain.geography import GEODATA_DIR
from finder.errors import InvalidParameter

ACTIVITY = GEODATA_DIR / "demo" / "activity.csv"


@pytest.fixture(scope="module")
def activity():
    return bilan.load_activity(ACTIVITY)


@pytest.fixture(scope="module")
def b2023(engine, geo, activity):
    return bilan.compute(engine.directory, geo, activity, 2023)


def test_demo_2023_matches_the_key_figures(b2023):
    assert b2023.structures == 566
    assert b2023.people == 3_011_344
    assert b2023.professionals == 6_966
    assert b2023.sites == 1073


def test_tables_add_up(b2023):
    assert b2023.structures_by_network.total() == b2023.structures
    assert b2023.sites_by_network.total() == b2023.sites
    for t in (b2023.by_cercle, b2023.by_network):
        assert t.column_totals() == [b2023.structures, b2023.sites, b2023.people, b2023.professionals]
    for t in b2023.breakdowns:
        assert t.total() == b2023.people
    assert [code for code, _ in b2023.by_cercle.rows] == ["1", "2", "3"]
    assert len(b2023.structures_by_network.columns) == 12


def test_earlier_years_and_unknown_year(engine, geo, activity):
    assert activity.years() == [2021, 2022, 2023]
    b = bilan.compute(engine.directory, geo, activity, 2022)
    assert b.structures < 566 and b.people < 3_011_344
    with pytest.raises(InvalidParameter) as err:
        bilan.compute(engine.directory, geo, activity, 2019)
    assert err.value.field == "annee"


def test_structures_missing_from_the_directory_are_counted_apart(engine, geo, tmp_path):
    text = ACTIVITY.read_text(encoding="utf-8").splitlines()
    extra = "str-9999,2023," + ",".join(["1", "1", "0", "0", "1", "0", "0", "0", "0", "1", "0", "0", "0", "0", "2"])
    path = tmp_path / "a.csv"
    path.write_text("\n".join([*text, extra]) + "\n", encoding="utf-8")
    b = bilan.compute(engine.directory, geo, bilan.load_activity(path), 2023)
    assert b.structures == 567 and b.people == 3_011_345
    assert b.by_network.rows[-1] == (bilan.UNKNOWN, bilan.UNKNOWN_LABEL)
    assert b.structures_by_network.columns[-1][0] == bilan.UNKNOWN


@pytest.mark.parametrize(
    "line, message",
    [
        ("str-0001,2023,10,5,5,0,10,0,0,0,0,10,0,0,0,0,1", "deux fois"),
        ("str-9000,2023,10,5,4,0,10,0,0,0,0,10,0,0,0,0,1", "genre"),
        ("str-9000,2023,10,5,5,0,9,0,0,0,0,10,0,0,0,0,1", "age"),
        ("str-9000,2023,10,5,5,0,10,0,0,0,0,10,0,0,0,0,-1", "négatif"),
        ("str-9000,2023,dix,5,5,0,10,0,0,0,0,10,0,0,0,0,1", "entier"),
    ],
)
def test_bad_activity_rows_are_refused(tmp_path, line, message):
    path = tmp_path / "a.csv"
    path.write_text(ACTIVITY.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(bilan.ActivityError, match=message):
        bilan.load_activity(path)


def test_missing_columns_or_file(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("structure_id,year\nstr-0001,2023\n", encoding="utf-8")
    with pytest.raises(bilan.ActivityError, match="colonnes manquantes"):
        bilan.load_activity(path)
    with pytest.raises(bilan.ActivityError, match="illisible"):
        bilan.load_activity(tmp_path / "absent.csv")


def test_generator_is_deterministic(tmp_path):
    out = tmp_path / "activity.csv"
    script = GEODATA_DIR.parent / "scripts" / "generate_activity.py"
    subprocess.run([sys.executable, str(script), "--out", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == ACTIVITY.read_bytes()


def test_people_by_department_and_table_kinds(b2023):
    t = b2023.people_by_department
    assert t.total() == b2023.people and len(t.rows) == 12 and t.kind == "shares"
    assert abs(sum(t.shares()) - 1) < 1e-9
    assert (b2023.by_cercle.kind, b2023.by_network.kind) == ("summary", "summary")
    assert b2023.structures_by_network.kind == "cross"
    assert {x.kind for x in b2023.breakdowns} == {"shares"}
