#!/usr/bin/env python3
"""Measure the offline geocoder on misspelt commune names, in one run.

Builds the deterministic table of tests/domain/misspellings.py (a stratified sample of the region's
communes, each misspelt in every way that applies) and prints:
- the share of misspellings whose first answer is the commune meant, per kind and overall;
- the share of exact names (every commune, then with each of its postcodes) answered first right;
- median and p95 time per query (in-process, OfflineGeocoder.search), wall clock and CPU time of the
  thread (the latter is what the machine's load does not inflate), and the time to build the geocoder.

With --words FILE (one word a line, e.g. /usr/share/dict/french from Debian's wfrench), also the share
of 2,000 of its words (not names of communes) that get an answer anyway: the price of tolerance.

Usage: python scripts/bench_geocode.py [--size 520] [--seed 13] [--misses 0] [--words FILE]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finder.domain import geography  # noqa: E402
from finder.domain.geocode import OfflineGeocoder  # noqa: E402
from finder.domain.textnorm import normalise  # noqa: E402
from tests.domain.misspellings import KINDS, SEED, exact_queries, right, table  # noqa: E402


def timed(geocoder, q: str, times: list[tuple[float, float]]):
    wall, cpu = time.perf_counter(), time.thread_time()
    found = geocoder.search(q)
    times.append((time.perf_counter() - wall, time.thread_time() - cpu))
    return found


def spread(label: str, times: list[tuple[float, float]]) -> str:
    parts = []
    for name, values in (("wall", sorted(t[0] for t in times)), ("CPU", sorted(t[1] for t in times))):
        median, p95 = statistics.median(values) * 1000, values[int(0.95 * len(values))] * 1000
        parts.append(f"{name} median {median:.2f} ms, p95 {p95:.2f} ms")
    return f"time per query, {label} ({len(times)}): " + "; ".join(parts)


def stray(geocoder, path: Path, seed: int, size: int = 2000) -> str:
    """Share of words of a word list, not names of communes, that get an answer."""
    found = [w.strip() for w in path.read_text(encoding="utf-8").splitlines()]
    found = [w for w in found if len(normalise(w)) >= 3 and normalise(w) not in geocoder.names]
    sample = random.Random(seed).sample(found, min(size, len(found)))
    scores = Counter()
    for w in sample:
        answer = geocoder.search(w)
        scores["none" if not answer else "prefix" if answer[0].score == 0.85 else "misspelling"] += 1
    return (
        f"{len(sample)} words of {path.name} (no commune's name): {scores['misspelling'] / len(sample):.1%} "
        f"answered as a misspelling, {scores['prefix'] / len(sample):.1%} as the start of a name"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=520, help="communes in the sample")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--misses", type=int, default=0, help="print this many wrong answers")
    p.add_argument("--words", type=Path, help="a word list: how many of its words (no commune's name) get an answer")
    args = p.parse_args()
    geo = geography.load()
    t = time.perf_counter()
    geocoder = OfflineGeocoder(geo)
    build = time.perf_counter() - t
    cases = table(geo, args.size, args.seed)
    times: list[tuple[float, float]] = []
    total, ok = Counter(), Counter()
    misses = []
    for case in cases:
        found = timed(geocoder, case.query, times)
        total[case.kind] += 1
        if right(found, case, geo):
            ok[case.kind] += 1
        else:
            misses.append((case, found[0].name if found else None))
    print(f"{len(cases)} misspellings of {args.size} communes (seed {args.seed})")
    print(f"{'kind':<10} {'cases':>6} {'right first':>12}")
    for kind in KINDS:
        if total[kind]:
            print(f"{kind:<10} {total[kind]:>6} {ok[kind] / total[kind]:>11.1%}")
    print(f"{'overall':<10} {sum(total.values()):>6} {sum(ok.values()) / sum(total.values()):>11.1%}")
    exact = exact_queries(geo)
    exact_times: list[tuple[float, float]] = []
    good = sum(bool(f) and f[0].insee == insee for q, insee in exact for f in [timed(geocoder, q, exact_times)])
    print(f"exact names (every commune, then with each postcode): {good}/{len(exact)} right first")
    print(spread("misspellings", times))
    print(spread("exact names", exact_times))
    print(spread("all", times + exact_times))
    print(f"geocoder built in {build * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.words:
        print(stray(geocoder, args.words, args.seed))
    for case, got in misses[: args.misses]:
        print(f"  {case.kind:<9} {case.query!r:<40} meant {case.name!r}, got {got!r}")


if __name__ == "__main__":
    main()
