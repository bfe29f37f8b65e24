#!/usr/bin/env python3
"""In-process cost of the nearest API: the fast path, Flask alone, and /healthz, in one run.

Calls the WSGI application directly (no socket, no server) with prepared environments, the
rate limit checked but never reached:
``/healthz`` (whole stack), then ``/api/v1/sites/nearest`` with a new random origin of the
region for every call (answer cache off, so each answer is computed) through the fast path,
the same with the metrics recorder around it, and through Flask alone. Prints the median and
p95 CPU time per call (the thread's CPU clock, so other processes competing for the cores do
not inflate it) and the ratios.

Usage: python scripts/bench_api.py [--calls 3000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finder.web import create_app  # noqa: E402
from finder.web.fastpath import NearestFastPath  # noqa: E402

PROFILES = ["", "&age=22&status=demandeurs-emploi&level=2", "&network=mission-locale&territory=only", "&level=1"]


def environs(urls: list[str]) -> list[dict]:
    base = {"REMOTE_ADDR": "192.0.2.1"}
    return [
        EnvironBuilder(path=u.split("?")[0], query_string=u.partition("?")[2], environ_base=base).get_environ()
        for u in urls
    ]


def timed(app, envs: list[dict]) -> list[float]:
    def start_response(status, headers, exc_info=None):
        if not status.startswith("200"):
            raise SystemExit(f"unexpected {status}")

    out = []
    for env in envs:
        t = time.thread_time_ns()
        body = app(dict(env), start_response)
        b"".join(body)
        if hasattr(body, "close"):
            body.close()
        out.append((time.thread_time_ns() - t) / 1000)
    return out


def line(label: str, micros: list[float]) -> float:
    med = statistics.median(micros)
    p95 = statistics.quantiles(micros, n=20)[-1]
    print(f"  {label:<34} median {med:7.1f} µs CPU   p95 {p95:7.1f} µs CPU")
    return med


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=3000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE": str(Path(tmp) / "bench.sqlite3"),
                "ANSWER_CACHE_SIZE": 0,
                # the rate limit is checked (it is part of the path) but never reached
                "RATELIMIT_EXEMPT": "",
                "RATELIMIT_PER_MINUTE": 10**9,
                "RATELIMIT_BURST": 10**9,
            }
        )
        full = app.wsgi_app  # the metrics recorder around the fast path
        fast = full.wsgi_app
        assert isinstance(fast, NearestFastPath)
        urls = [
            f"/api/v1/sites/nearest?lat={rng.uniform(44.2, 46.5):.5f}&lon={rng.uniform(3.0, 7.0):.5f}"
            + rng.choice(PROFILES)
            for _ in range(args.calls)
        ]
        health = environs(["/healthz"] * args.calls)
        nearest = environs(urls)
        timed(fast, nearest[:200])  # warm the filter views and caches
        timed(fast.wsgi_app, nearest[:200])
        print(f"{args.calls} calls each, answer cache off, random origins, 4 profiles")
        h = line("/healthz", timed(full, health))
        line("nearest, fast path", timed(fast, nearest))
        f = line("nearest, fast path + metrics", timed(full, nearest))
        flask = line("nearest, Flask alone", timed(fast.wsgi_app, nearest))
        print(f"  ratio /healthz ÷ nearest: whole stack {h / f:.2f}, Flask alone {h / flask:.2f}")


if __name__ == "__main__":
    main()
