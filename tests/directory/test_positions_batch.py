"""Positions checked for a whole file at once: the same answers as one point at a time."""

from __future__ import annotations

import datetime as dt

from finder.directory import positions, validate
from finder.directory.tablefile import read_table
from tests.import_helpers import demo_rows, geo, to_csv


def test_inside_is_the_one_point_check_at_distance_zero():
    g = geo()
    points = [(s["code_insee"], float(s["latitude"]), float(s["longitude"])) for s in demo_rows(40)]
    lyon = next(c for c in g.communes.values() if c.name == "Lyon 1er Arrondissement" or c.insee == "69381")
    points += [(points[0][0], lyon.ref_lat, lyon.ref_lon), ("00000", 45.0, 5.0), (points[1][0], 5.0, 45.0)]
    expected = [positions.distance_to_commune_m(g, i, lat, lon) == 0.0 for i, lat, lon in points]
    assert positions.inside(g, points) == expected
    assert expected[-3:] == [False, False, False] and sum(expected) >= 35


def test_only_rows_inside_their_commune_skip_the_full_check():
    rows = demo_rows(4)
    rows[1].update(latitude=rows[0]["latitude"], longitude=rows[0]["longitude"])  # another commune's point
    rows[2].update(latitude="abc")
    table = read_table(to_csv(rows))
    placed = validate._placed(table, geo())
    assert sorted(placed) == [2, 5]
    assert placed[2] == (rows[0]["code_insee"], float(rows[0]["latitude"]), float(rows[0]["longitude"]))
    drafts, report = validate.validate_table(table, geo(), validate.Options(dt.date(2026, 11, 1)))
    assert [(i.line, i.code) for i in report.errors] == [(3, "outside_commune"), (4, "not_a_number")]
