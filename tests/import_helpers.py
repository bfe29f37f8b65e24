"""Helpers for the import tests: demo rows as dicts, files in every accepted encoding, store fingerprints."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache

from finder.directory import columns, export, importer
from finder.domain.model import DatasetInfo, Directory, Site, Structure
from finder.storage.store import Store
from finder.web.state import _geography
from tests.conftest import DEMO

TODAY = dt.date(2026, 11, 28)
CHECKED = "2026-10-01"


@cache
def demo_directory() -> Directory:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    structures = {s["id"]: Structure.from_dict(s) for s in data["structures"]}
    sites = [Site.from_dict(s) for s in data["sites"]]
    return Directory(DatasetInfo(1, True, ""), structures, sites)


def geo():
    from finder.domain import geography

    return _geography(geography.DEFAULT_REGION, str(geography.GEODATA_DIR))


def demo_rows(n: int | None = None) -> list[dict]:
    """The first ``n`` sites of the demo as import rows (dicts), recently checked."""
    rows = [dict(zip(columns.NAMES, r)) for r in export.rows(demo_directory(), geo())]
    rows = rows[:n] if n else rows
    for r in rows:
        r["date_maj"] = CHECKED
    return rows


def to_csv(rows: list[dict], header=columns.NAMES, sep=",", encoding="utf-8", bom=False) -> bytes:
    lines = [sep.join(_quote(h, sep) for h in header)]
    lines += [sep.join(_quote(r.get(h, ""), sep) for h in header) for r in rows]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def _quote(value: str, sep: str) -> str:
    if any(ch in value for ch in (sep, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def settings(**overrides) -> importer.Settings:
    return importer.Settings(today=TODAY, **overrides)


def fingerprint(store: Store) -> tuple:
    """The published version, the number of versions and a hash of the published rows."""
    with store.db.snapshot() as con:
        version = con.execute("SELECT version FROM published").fetchone()[0]
        count = con.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        digest = hashlib.sha256()
        for table in ("structures", "sites"):
            for (data,) in con.execute(f"SELECT data FROM {table} WHERE version=? ORDER BY id", (version,)):
                digest.update(data.encode())
    return version, count, digest.hexdigest()


def settle(client, location: str, timeout: float = 60.0):
    """GET a job's page (Flask test client) until the job has ended; the last answer, with its ``url``.

    An import job's page then leads to its report (303), followed here.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        answer = client.get(location)
        if answer.status_code == 303:
            location = answer.location
            answer = client.get(location)
        if answer.status_code != 200 or 'http-equiv="refresh"' not in answer.text or time.monotonic() > deadline:
            answer.url = location
            return answer
        time.sleep(0.1)
