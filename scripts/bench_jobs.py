"""Time the staff jobs at scale: a 100,000-row CSV imported (validation + publish) and the
directory exported as XLSX and CSV, each as a job run by the job runner (queue → done).

The CSV is built deterministically from the demo's rows repeated with new ids (clearly
synthetic). Prints one line per job, measured once: elapsed time and the process's CPU time (the job runs in
one thread: on a machine shared with other work, CPU time is what the job costs), with the
runner's stages.
Run: .venv/bin/python scripts/bench_jobs.py [ROWS] [URL]
(URL: an empty PostgreSQL database, postgresql://…; default a temporary SQLite file).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from finder import config
from finder.directory import columns, export, tablefile
from finder.domain import geography
from finder.service import jobs as service
from finder.storage import jobs as rows
from finder.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent


def synthetic_csv(store: Store, geo, count: int) -> bytes:
    base = export.rows(store.load(), geo)
    body = [[f"lieu-{i:06d}", *base[i % len(base)][1:]] for i in range(count)]
    return tablefile.write_csv(list(columns.NAMES), body)


def run_job(runner: service.Runner, job_id: int, label: str) -> dict:
    stages: dict[str, float] = {}
    start, cpu = time.perf_counter(), time.process_time()
    runner.on_progress = lambda stage, done, total: stages.setdefault(stage, time.perf_counter() - start)
    job = runner.run_once()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert job["id"] == job_id and job["state"] == rows.DONE, job
    steps = ", ".join(f"{s} à {t:.1f} s" for s, t in stages.items())
    print(f"{label:<40} {elapsed:6.1f} s écoulées, {cpu:6.1f} s de processeur   ({job['message']} Étapes : {steps})")
    return job


def main(count: int, url: str | None = None) -> None:
    cfg = config.load({"IMPORT_MAX_ROWS": max(count, 100_000)})
    geo = geography.load()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(url or Path(tmp) / "spro.sqlite3")
        store.initialise(ROOT / "geodata" / "demo" / "directory.json")
        print(f"base : {store.db.dialect}")
        data = synthetic_csv(store, geo, count)
        limit = config.import_max_bytes(cfg)
        print(f"{count} lignes, {len(data) / 1e6:.1f} Mo ({len(data) / count:.0f} octets par ligne) ; "
              f"limite d'envoi : {limit / 1e6:.1f} Mo")  # fmt: skip
        runner = service.Runner(service.Context(store, geo, cfg))
        job = service.start_import(store, [data], "synthetique.csv", "bench", publish=True)
        done = run_job(runner, job, "import CSV (validation + publication)")
        assert done["outcome"]["published"] and len(store.load().sites) == count
        for fmt in ("xlsx", "csv"):
            job = service.start_export(store, fmt, None, "bench")
            run_job(runner, job, f"export {fmt.upper()}")
            print(f"{'':<40} fichier : {len(rows.result(store, job)[0]) / 1e6:.1f} Mo")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, sys.argv[2] if len(sys.argv) > 2 else None)
