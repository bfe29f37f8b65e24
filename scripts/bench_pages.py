#!/usr/bin/env python3
"""Measure the citizen pages: HTML size (raw and gzipped as sent) and median server time (in-process
WSGI call, gzip included as a phone's browser asks for it): wall time, and the CPU time of the thread
(``time.thread_time``: what the page costs, whatever else the machine runs).

Then the cost of the unmet-demand counter: the search page on two apps, counting off and on
(DEMAND_COUNTING, flushed every DEMAND_FLUSH_SECONDS as in production), measured in
alternating rounds in one run; prints both medians and their ratio.

Then the results pages in every language and in the easy-to-read mode (FALC): size and median time.

Usage: python scripts/bench_pages.py [--runs 200] [--rounds 10] [--skip-counter]
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
    ("no result (why, relax links)", "/?commune=15014&age=40&level=2&network=apec&accessible=true"),
    ("commune choice", "/?q=Saint-Martin"),
    ("site page", "/lieux/lieu-0001"),
    ("empty form", "/"),
]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--rounds", type=int, default=10, help="alternating rounds of the counter comparison")
    p.add_argument("--skip-counter", action="store_true", help="leave out the counter comparison")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE": str(Path(tmp) / "bench.sqlite3")})
        client = app.test_client()
        print(f"{'page':<28} {'HTML':>9} {'gzipped':>9} {'median':>9} {'p95':>9} {'CPU median':>11}")
        for label, url in PAGES:
            measure(client, label, url, args.runs)
        print(f"\nresults page in every language, {PAGES[0][1]}")
        for mode in MODES:
            measure(client, mode, PAGES[0][1] + "&" + mode, args.runs)
        app.extensions["spro_demand"].flush()
        if not args.skip_counter:
            compare_counter(Path(tmp), args.runs, args.rounds)


MODES = ["lang=fr", "lang=en", "lang=ar", "lang=uk", "lang=es", "lang=pt", "falc=1", "falc=1&lang=ar"]


def measure(client, label: str, url: str, runs: int) -> None:
    """One line: HTML size raw and gzipped, median and p95 server time over ``runs`` requests."""
    raw = len(client.get(url).data)  # also warms the caches
    times, cpu, size = [], [], 0
    for _ in range(runs):
        t, c = time.perf_counter(), time.thread_time()
        r = client.get(url, headers=GZIP)
        cpu.append((time.thread_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
        size = len(r.data)
    p95 = statistics.quantiles(times, n=20)[-1]
    median = statistics.median(times)
    print(
        f"{label:<28} {raw / 1024:6.1f} KB {size / 1024:6.1f} KB {median:6.1f} ms {p95:6.1f} ms "
        f"{statistics.median(cpu):8.1f} ms"
    )


def compare_counter(tmp: Path, runs: int, rounds: int) -> None:
    """Median server time of the search page with the unmet-demand counter off and on, interleaved."""
    url = PAGES[0][1]
    clients = {
        flag: create_app({"DATABASE": str(tmp / f"demand-{flag}.sqlite3"), "DEMAND_COUNTING": flag}).test_client()
        for flag in (False, True)
    }
    times: dict[bool, list[float]] = {False: [], True: []}
    for client in clients.values():
        client.get(url)
    per_round = max(1, runs // rounds)
    for _ in range(rounds):
        for flag, client in clients.items():
            for _ in range(per_round):
                t = time.perf_counter()
                client.get(url)
                times[flag].append((time.perf_counter() - t) * 1000)
    clients[True].application.extensions["spro_demand"].flush()  # before the temporary folder goes
    off, on = statistics.median(times[False]), statistics.median(times[True])
    print(f"\nunmet-demand counter, {url} ({len(times[True])} requests each, {rounds} alternating rounds)")
    print(f"  counting off {off:6.2f} ms   counting on {on:6.2f} ms   ratio {on / off:.3f} (goal <= 1.05)")


if __name__ == "__main__":
    main()
