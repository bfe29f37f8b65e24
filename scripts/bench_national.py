#!/usr/bin/env python3
"""Benchmark the exact core at national size, in one run: nearest and coverage over all of France.

Needs the national geography and the synthetic national directory (both git-ignored):
  python scripts/build_geodata.py --region all
  python scripts/generate_national.py

Prints, for 100,000 sites over metropolitan France, Corsica and the five overseas départements:
- index build time and the Python memory it holds (tracemalloc);
- nearest k=10, in process: median and p95 over random origins in communes of all France
  (drawn uniformly among communes, so rural and overseas origins weigh as much as cities),
  unfiltered and with a filter keeping about 1 % of the sites (view cached, and rebuilt at
  every query), against a numpy brute-force scan of every site (filter mask, chord
  distance to every site, top k, geodesic ranking of those); the ratio brute force / index;
- the same, per territory (origins in Corsica, Guadeloupe, Martinique, Guyane, La Réunion, Mayotte);
- coverage: nearest matching site of every commune of France for one profile (bulk engine,
  fresh Analyser each run), with and without ``territory=only``; criticality (2 nearest).

Usage: python scripts/bench_national.py [--queries 3000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finder.domain import coverage, geodesy, geography, planning  # noqa: E402
from finder.domain.criteria import Criteria  # noqa: E402
from finder.domain.index import SiteIndex  # noqa: E402
from finder.domain.model import Site, Structure  # noqa: E402

DIRECTORY = ROOT / "geodata" / "build" / "national" / "directory.json"
SELECTIVE = [
    Criteria(networks=frozenset({"apec"}), level=2),
    Criteria(networks=frozenset({"cap-emploi"}), level=2, age=30),
    Criteria(networks=frozenset({"universite"}), status="etudiants"),
    Criteria(networks=frozenset({"maison-emploi", "cap-emploi"})),
]
PROFILES = {
    "level 2": Criteria(level=2),
    "age 20, élève": Criteria(age=20, status="eleves"),
    "Mission locale, territory=only": Criteria(networks=frozenset({"mission-locale"}), territory_only=True),
}
PLACES = {"2A": "Corse-du-Sud", "2B": "Haute-Corse", **geography.OVERSEAS}


def load(geo):
    if not DIRECTORY.is_file():
        sys.exit(f"{DIRECTORY} is missing: run python scripts/generate_national.py")
    data = json.loads(DIRECTORY.read_text(encoding="utf-8"))
    structures = {d["id"]: Structure.from_dict(d) for d in data["structures"]}
    sites = sorted((Site.from_dict(d) for d in data["sites"]), key=lambda s: s.id)
    deps = [geo.communes[s.commune].department for s in sites]
    return sites, structures, deps


def origins(communes, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """Random points near the reference points of communes drawn uniformly."""
    out = []
    for c in rng.choices(communes, k=n):
        out.append((c.ref_lat + rng.gauss(0, 0.01), c.ref_lon + rng.gauss(0, 0.014)))
    return out


def _columns(idx: SiteIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECEF x, y, z of every site as three contiguous arrays (the scan's fastest layout), cached."""
    cols = getattr(idx, "_bench_columns", None)
    if cols is None:
        cols = idx._bench_columns = tuple(np.ascontiguousarray(idx.xyz[:, i]) for i in range(3))
    return cols


def brute_force(idx: SiteIndex, crit: Criteria, lat: float, lon: float, k: int):
    """Scan every site: filter and chord distance in numpy, then geodesic ranking of the top k."""
    x, y, z = geodesy.ecef1(lat, lon)
    cx, cy, cz = _columns(idx)
    d2 = (cx - x) ** 2 + (cy - y) ** 2 + (cz - z) ** 2
    if crit != Criteria():
        d2[~idx.mask(crit)] = np.inf
    kk = min(k + 6, len(d2))
    pos = np.argpartition(d2, kk - 1)[:kk]
    pos = pos[np.isfinite(d2[pos])]
    dist = geodesy.distances_km(lat, lon, idx.lats[pos], idx.lons[pos])
    return pos[np.argsort(dist)[:k]]


def times_us(fn, points) -> list[float]:
    out = []
    for lat, lon in points:
        t = time.perf_counter()
        fn(lat, lon)
        out.append((time.perf_counter() - t) * 1e6)
    return out


def report(label: str, times: list[float]) -> float:
    med = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"  {label:<46} median {med:8.1f} µs   p95 {p95:8.1f} µs")
    return med


def bench_nearest(idx: SiteIndex, communes, queries: int, rng: random.Random) -> None:
    points = origins(communes, queries, rng)
    crit = min(SELECTIVE, key=lambda c: abs(idx.mask(c).mean() - 0.01))
    share = idx.mask(crit).mean()
    print(f"Nearest k=10, {queries} origins in communes of all France")
    print(f"  selective filter: {crit.as_json()} keeps {share:.2%} ({int(share * idx.size)} sites)")
    un = report("index, unfiltered", times_us(lambda a, b: idx.nearest(a, b, Criteria(), 10), points))
    scan = times_us(lambda a, b: brute_force(idx, Criteria(), a, b, 10), points)
    bf_un = report("brute-force scan, unfiltered", scan)
    idx.nearest(45.0, 5.0, crit, 10)
    warm = report("index, ~1 % filter (view cached)", times_us(lambda a, b: idx.nearest(a, b, crit, 10), points))

    def cold(a, b):
        idx._views.clear()
        return idx.nearest(a, b, crit, 10)

    cold_med = report("index, ~1 % filter (view rebuilt)", times_us(cold, points[: max(100, queries // 10)]))
    bf = report("brute-force scan, ~1 % filter", times_us(lambda a, b: brute_force(idx, crit, a, b, 10), points))
    print(f"  view kinds: unfiltered {idx.view(Criteria()).kind}; filter {idx.view(crit).kind}")
    print(
        f"  ratios brute force / index: unfiltered {bf_un / un:.1f}x; ~1 % filter {bf / warm:.1f}x (view cached), "
        f"{bf / cold_med:.1f}x (view rebuilt at every query)"
    )
    print("  per territory (unfiltered, index / brute force):")
    for dep, name in PLACES.items():
        local = [c for c in communes if c.department == dep]
        pts = origins(local, max(200, queries // 10), rng)
        a = statistics.median(times_us(lambda a, b: idx.nearest(a, b, Criteria(), 10), pts))
        b = statistics.median(times_us(lambda a, b: brute_force(idx, Criteria(), a, b, 10), pts))
        print(f"    {dep:>3} {name:<18} median {a:7.1f} µs   brute force {b:8.1f} µs   ratio {b / a:5.1f}x")


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def bench_coverage(idx: SiteIndex, geo, runs: int) -> None:
    communes = coverage.Communes.of_region(geo)
    print(f"Coverage: {len(communes)} communes of France, {idx.size} sites (median of {runs} runs)")
    for name, c in PROFILES.items():
        ms = median_ms(lambda c=c: coverage.Analyser(idx, communes).nearest(c, 1), runs)
        print(f"  {name:<34} all communes {ms:8.1f} ms")
    c = Criteria(level=2)
    crit = median_ms(lambda: planning.criticality(coverage.Analyser(idx, communes), c, 20), runs)
    print(f"  criticality (level 2, 20 km)       {crit:8.1f} ms")
    loop = median_ms(lambda: [idx.nearest(x.ref_lat, x.ref_lon, c, 1) for x in communes.items], 1)
    bulk = median_ms(lambda: coverage.Analyser(idx, communes).nearest(c, 1), runs)
    print(f"  level 2: per-commune SiteIndex.nearest loop {loop:.0f} ms, bulk {bulk:.0f} ms: {loop / bulk:.1f}x")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--queries", type=int, default=3000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    rng = random.Random(args.seed)
    t = time.perf_counter()
    geo = geography.load(geography.ALL)
    print(f"Geography: {len(geo.communes)} communes and arrondissements loaded in {time.perf_counter() - t:.2f} s")
    sites, structures, deps = load(geo)
    tracemalloc.start()
    t = time.perf_counter()
    idx = SiteIndex(sites, structures, deps)
    built = time.perf_counter() - t
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"Index: {idx.size} sites, built in {built:.2f} s, {held / 2**20:.1f} MiB of Python allocations")
    bench_nearest(idx, geo.region_communes(), args.queries, rng)
    bench_coverage(idx, geo, args.runs)


if __name__ == "__main__":
    main()
