"""Time the staff jobs at national scale: a 100,000-row CSV imported (reading, validation, storing,
publishing) and the directory exported as XLSX and CSV, each queued then run by the job runner.

Needs the national geography and the synthetic national directory (both git-ignored):
  python scripts/build_geodata.py --region all && python scripts/generate_national.py
The store (a temporary SQLite file, or an empty PostgreSQL database given as URL) is initialised
with that directory (100,000 sites, REGION=all: every commune of France); the CSV imported is its
own export with one site in a hundred renamed, so the import stores and publishes a real change
(1,000 sites modified). ROWS < 100,000 takes the first ROWS sites.

Prints, measured once, for storing the initial version and for each job: elapsed time and the
process's CPU time (the job runs in one thread: on a machine shared with other work, CPU time is
what the job costs), the runner's stages, and the load average before and after.
Run: .venv/bin/python scripts/bench_jobs.py [ROWS] [URL]
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from finder import config
from finder.directory import columns, export, tablefile
from finder.domain import geography
from finder.domain.model import Site, Structure
from finder.service import jobs as service
from finder.storage import jobs as rows
from finder.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "geodata" / "build" / "national" / "directory.json"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(label: str, fn, detail=lambda result: ""):
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<40} {elapsed:6.1f} s écoulées, {cpu:6.1f} s de processeur   {detail(result)}", flush=True)
    return result


def national(count: int) -> tuple[list[Structure], list[Site]]:
    if not NATIONAL.is_file():
        sys.exit(f"{NATIONAL} manque : python scripts/generate_national.py")
    data = json.loads(NATIONAL.read_text(encoding="utf-8"))
    sites = sorted((Site.from_dict(s) for s in data["sites"]), key=lambda s: s.id)[:count]
    used = {s.structure_id for s in sites}
    return [Structure.from_dict(s) for s in data["structures"] if s["id"] in used], sites


def modified_csv(store: Store, geo) -> bytes:
    """The published directory's export with one site in a hundred renamed."""
    directory = store.load()
    sites = [dataclasses.replace(s, name=f"{s.name} (modifié)") if i % 100 == 0 else s for i, s in
             enumerate(directory.sites)]  # fmt: skip
    return tablefile.write_csv(list(columns.NAMES), export.rows(dataclasses.replace(directory, sites=sites), geo))


def run_job(runner: service.Runner, job_id: int, label: str) -> dict:
    stages: dict[str, float] = {}
    start = time.perf_counter()
    runner.on_progress = lambda stage, done, total: stages.setdefault(stage, time.perf_counter() - start)
    job = timed(label, runner.run_once, lambda job: f"({job['message']} Étapes : " + ", ".join(
        f"{s} à {t:.1f} s" for s, t in stages.items()) + ")")  # fmt: skip
    assert job["id"] == job_id and job["state"] == rows.DONE, job
    return job


def main(count: int, url: str | None = None) -> None:
    print(f"charge moyenne (1, 5, 15 min) au début : {load_average()} ; {os.cpu_count()} cœurs")
    cfg = config.load({"IMPORT_MAX_ROWS": max(count, 100_000), "REGION": "all"})
    geo = geography.load("all")
    structures, sites = national(count)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(url or Path(tmp) / "spro.sqlite3")
        store.migrate()
        print(f"base : {store.db.dialect}")
        first = timed(f"enregistrement de {len(sites)} lieux", lambda: store.add_version(
            structures, sites, True, "national", "bench"))  # fmt: skip
        store.publish(first, "bench", "annuaire national synthétique")
        data = modified_csv(store, geo)
        limit = config.import_max_bytes(cfg)
        print(f"{len(sites)} lignes, {len(data) / 1e6:.1f} Mo ({len(data) / len(sites):.0f} octets par ligne) ; "
              f"limite d'envoi : {limit / 1e6:.1f} Mo")  # fmt: skip
        runner = service.Runner(service.Context(store, geo, cfg))
        job = service.start_import(store, [data], "national.csv", "bench", publish=True)
        done = run_job(runner, job, "import CSV (validation + publication)")
        assert done["outcome"]["published"] and len(store.load().sites) == len(sites), done
        for fmt in ("xlsx", "csv"):
            job = service.start_export(store, fmt, None, "bench")
            run_job(runner, job, f"export {fmt.upper()}")
            print(f"{'':<40} fichier : {len(rows.result(store, job)[0]) / 1e6:.1f} Mo")
    print(f"charge moyenne (1, 5, 15 min) à la fin : {load_average()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, sys.argv[2] if len(sys.argv) > 2 else None)
