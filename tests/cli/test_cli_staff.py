"""spro-finder coverage / suggest / critical."""

import csv
import io
import json

import pytest

from finder.cli import main as cli


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("cli") / "s.sqlite3")
    assert cli.main(["--database", path, "init"]) == 0
    return path


def test_coverage_summary(db, capsys):
    assert cli.main(["--database", db, "coverage", "--level", "2", "--max-km", "20"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("Région")
    assert "Cantal" in out and "Zones blanches (au-delà de 20 km)" in out


def test_coverage_csv_to_a_file(db, tmp_path, capsys):
    path = tmp_path / "c.csv"
    args = ["--database", db, "coverage", "--level", "2", "--department", "15", "--format", "csv", "-o", str(path)]
    assert cli.main(args) == 0
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 251 and rows[0][0] == "Code INSEE"
    err = capsys.readouterr().err
    assert str(path) in err
    assert "Export des communes [" in err and "250/250 (100%)" in err  # progress: start and end lines off a terminal


def test_coverage_geojson_on_stdout(db, capsys):
    args = ["--database", db, "coverage", "--level", "2", "--department", "43", "--format", "geojson"]
    assert cli.main(args) == 0
    fc = json.loads(capsys.readouterr().out)
    assert fc["type"] == "FeatureCollection" and fc["filters"] == {"level": 2, "department": "43"}
    assert len(fc["features"]) == fc["summary"]["communes"] > 200


def test_suggest_prints_k_steps(db, capsys):
    assert cli.main(["--database", db, "suggest", "--level", "2", "--max-km", "20", "-k", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("Où labelliser ? Seuil 20 km")
    assert len(lines) == 5  # title, header, 3 steps


def test_critical_prints_a_ranking(db, capsys):
    assert cli.main(["--database", db, "critical", "--level", "2", "--limit", "4"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 5


@pytest.mark.parametrize(
    "args, field",
    [
        (["coverage", "--max-km", "0"], "max_km"),
        (["coverage", "--department", "99"], "department"),
        (["suggest", "-k", "0"], "k"),
        (["critical", "--level", "7"], "level"),
    ],
)
def test_bad_input_exits_2_naming_the_field(db, capsys, args, field):
    assert cli.main(["--database", db, *args]) == 2
    assert f"Erreur ({field})" in capsys.readouterr().err
