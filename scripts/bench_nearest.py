#!/usr/bin/env python3
"""Benchmark filtered k-nearest: the index against a numpy brute-force scan, in one run.

For the demo directory and for N synthetic sites (default 100,000: demo sites' profiles
copied at random points around the region's communes, weighted by population), prints
median and p95 time per query for:
- unfiltered k=10;
- a filter combination keeping about 1 % of the sites (chosen and printed by the script),
  with the criteria's view cached (warm) and rebuilt at every query (cold);
- the brute-force scan of every site: the filter evaluated on every site with numpy
  (same precomputed columns as the index), chord distance to every site, top k of the
  matching ones, then exact geodesic ranking of those k.

For all of France (overseas included), see scripts/bench_national.py.

Usage: python scripts/bench_nearest.py [--sites 100000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finder.domain import geodesy, geography  # noqa: E402
from finder.domain.criteria import Criteria  # noqa: E402
from finder.domain.index import SiteIndex  # noqa: E402
from finder.storage.store import Store  # noqa: E402

CANDIDATE_FILTERS = [
    Criteria(networks=frozenset({"apec"}), level=2),
    Criteria(networks=frozenset({"cap-emploi"}), level=2, age=30),
    Criteria(age=30, status="cadres", qualification="niveau-7", level=2, networks=frozenset({"apec", "cep"})),
    Criteria(networks=frozenset({"universite"}), status="etudiants"),
    Criteria(networks=frozenset({"maison-emploi", "cap-emploi"})),
]


def load_demo(tmp: Path):
    store = Store(tmp / "bench.sqlite3")
    store.initialise(ROOT / "geodata" / "demo" / "directory.json")
    return store.load()


def synthetic(directory, geo, n: int, rng: random.Random):
    communes = geo.region_communes()
    weights = [c.population + 50 for c in communes]
    picks = rng.choices(communes, weights, k=n)
    sites, deps = [], []
    for i, c in enumerate(picks):
        proto = rng.choice(directory.sites)
        lat = c.ref_lat + rng.gauss(0, 0.02)
        lon = c.ref_lon + rng.gauss(0, 0.028)
        sites.append(replace(proto, id=f"syn-{i:06d}", lat=lat, lon=lon, commune=c.insee))
        deps.append(c.department)
    return sites, deps


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


def timeit(fn, origins) -> list[float]:
    out = []
    for lat, lon in origins:
        t = time.perf_counter()
        fn(lat, lon)
        out.append((time.perf_counter() - t) * 1e6)
    return out


def report(label: str, times: list[float]) -> float:
    med = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"  {label:<44} median {med:8.1f} µs   p95 {p95:8.1f} µs")
    return med


def bench(name: str, sites, structures, deps, queries: int, rng: random.Random) -> None:
    t = time.perf_counter()
    idx = SiteIndex(sites, structures, deps)
    print(f"\n{name}: {len(sites):,} sites (index built in {time.perf_counter() - t:.2f} s)")
    origins = [(rng.uniform(44.2, 46.7), rng.uniform(2.3, 7.0)) for _ in range(queries)]
    shares = [(abs(idx.mask(c).mean() - 0.01), c) for c in CANDIDATE_FILTERS]
    crit = min(shares, key=lambda s: s[0])[1]
    share = idx.mask(crit).mean()
    print(f"  selective filter: {crit.as_json()} keeps {share:.2%} ({int(share * idx.size)} sites)")
    un = report("index, unfiltered k=10", timeit(lambda a, b: idx.nearest(a, b, Criteria(), 10), origins))
    bf_un = report(
        "brute-force scan, unfiltered k=10", timeit(lambda a, b: brute_force(idx, Criteria(), a, b, 10), origins)
    )
    idx.nearest(45.0, 5.0, crit, 10)  # build the criteria's view once
    warm = report("index, ~1 % filter k=10 (view cached)", timeit(lambda a, b: idx.nearest(a, b, crit, 10), origins))

    def cold(a, b):
        idx._views.clear()
        return idx.nearest(a, b, crit, 10)

    cold_med = report("index, ~1 % filter k=10 (view rebuilt)", timeit(cold, origins[: max(100, queries // 10)]))
    bf = report("brute-force scan, ~1 % filter k=10", timeit(lambda a, b: brute_force(idx, crit, a, b, 10), origins))
    print(f"  view kind for the filter: {idx.view(crit).kind}")
    print(
        f"  ratios (brute force / index): unfiltered {bf_un / un:.1f}x; ~1 % filter {bf / warm:.1f}x "
        f"with the view cached, {bf / cold_med:.1f}x with the view rebuilt at every query"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, default=100_000)
    p.add_argument("--queries", type=int, default=2000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    import tempfile

    rng = random.Random(args.seed)
    geo = geography.load()
    with tempfile.TemporaryDirectory() as tmp:
        directory = load_demo(Path(tmp))
    deps = [geo.communes[s.commune].department for s in directory.sites]
    bench("demo directory", directory.sites, directory.structures, deps, args.queries, rng)
    sites, sdeps = synthetic(directory, geo, args.sites, rng)
    bench("synthetic", sites, directory.structures, sdeps, args.queries, rng)


if __name__ == "__main__":
    main()
