"""Time the import pipeline on a synthetic directory (the demo's rows repeated with new ids).

Prints one line per step, measured once: reading + validation, import stored and published,
export (CSV, XLSX), and the publish switch itself. Run: .venv/bin/python scripts/bench_import.py [ROWS] [URL]
(URL: an empty PostgreSQL database, postgresql://…; default a temporary SQLite file).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from finder.directory import columns, export, importer, tablefile, versions
from finder.domain import geography
from finder.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, func):
    start = time.perf_counter()
    value = func()
    print(f"{label:<45} {time.perf_counter() - start:6.2f} s")
    return value


def main(rows: int, url: str | None = None) -> None:
    geo = geography.load()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(url or Path(tmp) / "spro.sqlite3")
        print(f"base : {store.db.dialect}")
        store.initialise(ROOT / "geodata" / "demo" / "directory.json")
        base = export.rows(store.load(), geo)
        body = [[f"lieu-{i:06d}", *base[i % len(base)][1:]] for i in range(rows)]
        data = tablefile.write_csv(list(columns.NAMES), body)
        print(f"{rows} lignes, {len(data) / 1e6:.1f} Mo")
        settings = importer.Settings(today=dt.date.today())
        timed("lecture + validation (essai à blanc)", lambda: importer.check(data, store, geo, settings))
        result = timed(
            "import enregistré et publié", lambda: importer.run(data, store, geo, settings, "bench", publish=True)
        )
        directory = timed("lecture de la version publiée", store.load)
        timed("export CSV", lambda: export.to_bytes(directory, geo, "csv"))
        timed("export XLSX", lambda: export.to_bytes(directory, geo, "xlsx"))
        timed("retour à la version 1 (diff + bascule)", lambda: versions.rollback(store, 1, "bench"))
        timed("bascule seule (store.publish)", lambda: store.publish(result.version, "bench", "bench"))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000, sys.argv[2] if len(sys.argv) > 2 else None)
