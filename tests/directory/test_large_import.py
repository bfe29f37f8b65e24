"""A 50,000-row file with a few bad lines: every bad line is reported, nothing is published."""

from __future__ import annotations

import time

import pytest

from finder.directory import columns, importer, tablefile
from finder.storage.store import Store
from tests.conftest import DEMO
from tests.import_helpers import demo_rows, fingerprint, geo, settings

ROWS = 50_000


def big_file(path) -> bytes:
    base = demo_rows()
    rows = []
    for i in range(ROWS):
        r = dict(base[i % len(base)], id=f"lieu-{i:06d}")
        rows.append([r[n] for n in columns.NAMES])
    col = columns.NAMES.index
    rows[0][col("telephone")] = "12"  # line 2
    rows[24_998][col("id")] = "lieu-000001"  # line 25,000: duplicate of line 3
    lat, lon = rows[-1][col("latitude")], rows[-1][col("longitude")]
    rows[-1][col("latitude")], rows[-1][col("longitude")] = lon, lat  # line 50,001: swapped
    data = tablefile.write_csv(list(columns.NAMES), rows)
    path.write_bytes(data)
    return data


@pytest.mark.slow
def test_fifty_thousand_rows_with_bad_lines(tmp_path):
    store = Store(tmp_path / "spro.sqlite3")
    store.initialise(DEMO)
    before = fingerprint(store)
    data = big_file(tmp_path / "grand.csv")
    start = time.perf_counter()
    result = importer.run(data, store, geo(), settings(), "test", "grand.csv", publish=True)
    elapsed = time.perf_counter() - start
    print(f"\n{ROWS} lignes ({len(data) / 1e6:.1f} Mo) validées en {elapsed:.1f} s")
    report = result.report
    assert report.rows == ROWS and not report.ok
    assert [(i.line, i.field, i.code) for i in report.errors] == [
        (2, "telephone", "invalid_phone"),
        (25_000, "id", "duplicate_id"),
        (50_001, "latitude", "swapped_coordinates"),
    ]
    assert result.version is None and fingerprint(store) == before
