"""Whatever the file holds, the importer answers with a report: never an unexpected exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finder.directory import columns, importer
from finder.storage.store import Store
from tests.import_helpers import demo_rows, geo, to_csv
from tests.import_helpers import settings as import_settings

BASE = demo_rows(2)
CELLS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "0", "-1", "1e400", "nan", "inf", "45,7", "2026-02-30", "|", "/", "a/b c", "'=1"]),
)


def check(data: bytes):
    return importer.check(data, Store(":memory:"), geo(), import_settings())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(columns.NAMES), CELLS, st.sampled_from([",", ";"]))
def test_any_cell_value_gets_a_report(column, value, sep):
    rows = [dict(r) for r in BASE]
    rows[1][column] = value
    result = check(to_csv(rows, sep=sep))
    assert result.report.ok == (result.directory is not None)
    for issue in result.report.issues:
        assert issue.message and issue.line in (0, 1, 2, 3)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_get_a_report(data):
    result = check(data)
    assert not result.report.ok or result.directory is not None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=8), st.lists(st.lists(st.text(max_size=12), max_size=10), max_size=4))
def test_any_table_shape_gets_a_report(header, rows):
    lines = [",".join(header)] + [",".join(r) for r in rows]
    check("\n".join(lines).encode("utf-8"))
