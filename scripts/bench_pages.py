#!/usr/bin/env python3
"""Measure the citizen pages: HTML size (raw and gzipped as sent) and median server time (in-process
WSGI call, gzip included as a phone's browser asks for it).

Usage: python scripts/bench_pages.py [--runs 200]
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

from finder.web import create_app  # noqa: E402

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
PAGES = [
    ("results, commune + profile", "/?q=Grenoble&age=22&status=demandeurs-emploi&level=2"),
    ("results, own office first", "/?q=La+Clusaz&age=19&status=demandeurs-emploi&level=2"),
    ("results, position", "/?lat=45.7667&lon=4.88"),
    ("results, address", "/?q=12+rue+Félix+Poulat+38000+Grenoble"),
    ("commune choice", "/?q=Saint-Martin"),
    ("site page", "/lieux/lieu-0001"),
    ("empty form", "/"),
]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=200)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE": str(Path(tmp) / "bench.sqlite3")})
        client = app.test_client()
        print(f"{'page':<28} {'HTML':>9} {'gzipped':>9} {'median':>9} {'p95':>9}")
        for label, url in PAGES:
            raw = len(client.get(url).data)  # also warms the caches
            times, size = [], 0
            for _ in range(args.runs):
                t = time.perf_counter()
                r = client.get(url, headers=GZIP)
                times.append((time.perf_counter() - t) * 1000)
                size = len(r.data)
            p95 = statistics.quantiles(times, n=20)[-1]
            median = statistics.median(times)
            print(f"{label:<28} {raw / 1024:6.1f} KB {size / 1024:6.1f} KB {median:6.1f} ms {p95:6.1f} ms")


if __name__ == "__main__":
    main()
