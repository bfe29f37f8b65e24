"""Run the import job's steps (``importer.run``: reading, validation, comparison, storing, publishing) in
this process on the CSV that ``scripts/bench_jobs.py`` imports, and say where the time goes.

The store (a temporary SQLite file) holds the synthetic national directory, published; the CSV is its
export with one site in a hundred renamed; the directory's objects stay held, as in bench_jobs. Prints
the import's elapsed and CPU time, its stages, the time CPython's cyclic garbage collector took
(``gc.callbacks``) and the load average.
  --profile FILE   run under cProfile, dump the stats to FILE and print the 30 costliest functions
  --no-gc-pause    run with the collector on (as before ``finder.directory.gcpause``), to compare
Run: .venv/bin/python scripts/profile_import.py [ROWS] [--profile FILE] [--no-gc-pause]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import pstats
import tempfile
import time
from pathlib import Path

from bench_jobs import load_average, modified_csv, national  # scripts/ is on the path of a script

from finder import config
from finder.directory import gcpause, importer
from finder.domain import geography
from finder.storage.store import Store


class Collections:
    """Count and time the collector's runs, by generation."""

    def __init__(self):
        self.runs = {0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}
        self._start = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            run = self.runs[info["generation"]]
            run[0] += 1
            run[1] += time.perf_counter() - self._start

    def __str__(self) -> str:
        return ", ".join(f"génération {g} : {n} fois, {t:.1f} s" for g, (n, t) in self.runs.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--no-gc-pause", action="store_true")
    args = parser.parse_args()
    if args.no_gc_pause:
        gcpause.paused = gcpause.resumed = contextlib.nullcontext
    cfg = config.load({"IMPORT_MAX_ROWS": max(args.rows, 100_000), "REGION": "all"})
    geo = geography.load("all")
    structures, sites = national(args.rows)  # held, as bench_jobs holds them
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "spro.sqlite3")
        store.migrate()
        store.publish(store.add_version(structures, sites, True, "national", "bench"), "bench", "national")
        data = modified_csv(store, geo)
        print(f"charge moyenne (1, 5, 15 min) au début : {load_average()}")
        stages: dict[str, float] = {}
        collections = Collections()
        profile = cProfile.Profile() if args.profile else None
        gc.callbacks.append(collections)
        start, cpu = time.perf_counter(), time.process_time()
        with profile or contextlib.nullcontext():
            result = importer.run(
                data, store, geo, importer.Settings.from_config(cfg), "bench", "national.csv", publish=True,
                progress=lambda stage, done, total: stages.setdefault(stage, time.perf_counter() - start),
            )  # fmt: skip
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        gc.callbacks.remove(collections)
        assert result.published, result.report.to_text()
        print(f"import de {args.rows} lignes : {elapsed:.1f} s écoulées, {cpu:.1f} s de processeur")
        print("étapes : " + ", ".join(f"{s} à {t:.1f} s" for s, t in stages.items()))
        print(f"ramasse-miettes : {collections}")
        print(f"charge moyenne (1, 5, 15 min) à la fin : {load_average()}")
        if profile:
            profile.dump_stats(args.profile)
            pstats.Stats(str(args.profile)).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
