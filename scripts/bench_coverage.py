#!/usr/bin/env python3
"""Benchmark coverage on the demo directory, in one run; prints medians (and ratios).

- core: nearest matching site for all the region's communes and one profile, with the bulk
  engine (fresh Analyser each run: no result cache; the index's criteria view is warm), against a
  loop of SiteIndex.nearest per commune (same exact answer);
- planning: criticality (2 nearest per commune) and a 5-step "Où labelliser ?";
- web (Flask test client, in process): GET /api/v1/coverage, the /couverture page for the whole
  region and for one département (server time and size), the CSV export, /bilan.

Usage: python scripts/bench_coverage.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finder.domain import coverage, planning  # noqa: E402
from finder.domain.criteria import Criteria  # noqa: E402
from finder.web import create_app, state  # noqa: E402

PROFILES = {
    "level 2": Criteria(level=2),
    "age 20, élève": Criteria(age=20, status="eleves"),
    "Mission locale, compétente (territory=only)": Criteria(
        networks=frozenset({"mission-locale"}), territory_only=True
    ),
}


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def bench_core(engine, runs: int) -> None:
    communes = coverage.region_communes(engine.geo)
    print(f"Core: {len(communes)} communes, {len(engine.sites)} sites")
    for name, c in PROFILES.items():
        bulk = median_ms(lambda c=c: coverage.Analyser(engine.index, communes).nearest(c, 1), runs)
        loop = median_ms(lambda c=c: _loop(engine, communes, c), max(1, runs // 3))
        print(f"  {name:45s} bulk {bulk:7.1f} ms   per-commune index loop {loop:7.1f} ms   ratio {loop / bulk:4.1f}×")
    a = coverage.Analyser(engine.index, communes)
    c = Criteria(level=2)
    crit = median_ms(lambda: planning.criticality(coverage.Analyser(engine.index, communes), c, 20), runs)
    sugg = median_ms(lambda: planning.suggest(a, c, 20, 5), runs)
    print(f"  criticality (level 2, 20 km) {crit:.1f} ms; suggest k=5 (level 2, 20 km) {sugg:.1f} ms")


def _loop(engine, communes, c: Criteria) -> None:
    for com, keys in zip(communes.items, communes.keys):
        engine.index.nearest(com.ref_lat, com.ref_lon, c, 1, None, keys)


def bench_web(client, runs: int) -> None:
    print("Web (in-process test client, server time):")
    for url in (
        "/api/v1/coverage?level=2&max_km=20",
        "/couverture?level=2&max_km=20",
        "/couverture?level=2&max_km=20&department=15",
        "/couverture/export.csv?level=2&max_km=20",
        "/couverture/planification?level=2&max_km=20&k=5",
        "/bilan",
    ):
        size = len(client.get(url).data)  # warms caches (simplified polygons, templates)
        ms = median_ms(lambda url=url: client.get(url), runs)
        print(f"  {url:52s} {ms:7.1f} ms  {size / 1e6:5.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE": str(Path(tmp) / "bench.sqlite3")})
        with app.app_context():
            engine = state().engine
        bench_core(engine, args.runs)
        bench_web(app.test_client(), args.runs)


if __name__ == "__main__":
    main()
