#!/usr/bin/env python3
"""Benchmark of the several-hosts deployment: nginx → two gunicorn hosts, PostgreSQL, the Redis rate limit.

Builds the topology of the tests (tests/topology.py: a throwaway PostgreSQL cluster with the demo
directory, redis-server, the two app servers of deploy/systemd/spro-finder.service, nginx with
deploy/nginx/spro-finder.conf over TLS), every process on 127.0.0.1 and stopped by its pid, then:

1. throughput through nginx with wrk (Debian package ``wrk``), alternating rounds of ``/healthz`` and
   nearest with a new random origin per request (every answer computed), the Redis limiter on and
   counting every request (``SPRO_RATELIMIT_EXEMPT=""``, a limit nobody reaches); req/s, latency, and
   CPU per request of the app servers and of the whole path (apps + nginx + Redis), from /proc;
2. the time from ``publish`` (committed) to every host serving the new version: each host is asked
   ``/healthz`` in a loop, the time is that of the last answer still giving the old version (or of
   the first new one), over ``--publishes`` alternating publishes and rollbacks;
3. in-process costs per request: the metrics recorder, a rate-limit check in shared memory and in Redis.

The machine is shared: the load average is printed with the figures; the CPU-per-request ratio tells
the same story when other processes compete for the cores.

Usage: python scripts/bench_hosts.py [--duration 10] [--rounds 3] [--connections 16] [--workers 2] [--publishes 6]
                                    [--storage redis|memory]
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import bench_load  # noqa: E402  (scripts/bench_load.py: wrk scripts and parsing)

from finder.storage.store import Store  # noqa: E402
from tests import topology  # noqa: E402
from tests.pg_server import PgServer  # noqa: E402

DEMO = ROOT / "geodata" / "demo" / "directory.json"


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def tree(pid: int) -> list[int]:
    """A process and its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def run_wrk(url: str, script: Path, args, topo) -> dict:
    apps = [p for h in topo.hosts for p in tree(h.proc.pid)]
    others = tree(topo.nginx.proc.pid) + [topo.redis.proc.pid]
    before = cpu_seconds(apps), cpu_seconds(others)
    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-s", str(script), url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=args.duration + 60).stdout
    result = bench_load.parse_wrk(out)
    n = max(1, result["requests"])
    result["app_us"] = (cpu_seconds(apps) - before[0]) / n * 1e6
    result["path_us"] = result["app_us"] + (cpu_seconds(others) - before[1]) / n * 1e6
    return result


def throughput(topo, args, folder: Path) -> dict:
    scripts = {
        "healthz": bench_load.lua_script(["/healthz"], False, folder, "healthz"),
        "unique": bench_load.lua_unique(args.seed, False, folder),
    }
    results = {name: [] for name in scripts}
    for _ in range(args.rounds):
        for name, script in scripts.items():
            results[name].append(run_wrk(topo.nginx.url, script, args, topo))
    return results


def report_throughput(results: dict, args) -> None:
    print(
        f"nginx (TLS) → 2 hosts × {args.workers} gunicorn workers, PostgreSQL, rate limit on every request; "
        f"wrk -t1 -c{args.connections}, {args.rounds} × {args.duration} s per endpoint"
    )
    head = f"{'endpoint':<9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'app CPU µs/req':>15} {'path CPU µs/req':>16}"
    print(head + f" {'requests':>9} {'non-2xx':>8} {'sock err':>8}")
    rows = {}
    for name, runs in results.items():
        rows[name] = row = {key: statistics.median(r[key] for r in runs) for key in ("rps", "p50_ms", "p99_ms")}
        row.update({key: statistics.median(r[key] for r in runs) for key in ("app_us", "path_us")})
        row.update({key: sum(r[key] for r in runs) for key in ("requests", "non2xx", "socket_errors")})
        print(
            f"{name:<9} {row['rps']:>7.0f} {row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f} {row['app_us']:>15.0f} "
            f"{row['path_us']:>16.0f} {row['requests']:>9} {row['non2xx']:>8} {row['socket_errors']:>8}"
        )
    h, u = rows["healthz"], rows["unique"]
    print(
        f"ratio unique nearest / healthz: throughput {u['rps'] / h['rps']:.2f}, "
        f"app CPU per request {h['app_us'] / u['app_us']:.2f}, whole-path CPU per request "
        f"{h['path_us'] / u['path_us']:.2f}"
    )


def answers_around(topo, sessions, act) -> tuple[float, list[tuple[float, int]]]:
    """Every host asked /healthz in a loop (a thread each) while ``act()`` runs: (its time, the answers)."""
    answers: list[tuple[float, int]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def poll(host, session):
        for _ in range(5000):  # bounded
            if stop.is_set():
                return
            version = session.get(host.url + "/healthz", timeout=5).json()["dataset"]["version"]
            with lock:
                answers.append((time.perf_counter(), version))

    threads = [threading.Thread(target=poll, args=pair) for pair in zip(topo.hosts, sessions)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    act()
    acted = time.perf_counter()
    time.sleep(3.0)
    stop.set()
    for t in threads:
        t.join(10)
    return acted, answers


def propagation(topo, publishes: int) -> list[float]:
    """Seconds from each publish to the last answer of any host still giving the old version."""
    store = Store(topo.database_url)
    d = store.load()
    other = store.add_version(list(d.structures.values()), d.sites[:-1], False, "bench", "bench")
    sessions = [topology.client() for _ in topo.hosts]
    delays = []
    for i in range(publishes):
        target = (other, 1)[i % 2]
        action = "publish" if target == other else "rollback"
        publish = functools.partial(store.publish, target, "bench", action=action)
        published, answers = answers_around(topo, sessions, publish)
        after = [(t, v) for t, v in answers if t >= published]
        stale = [t for t, v in after if v != target]
        first_new = min(t for t, v in after if v == target)
        delays.append((max(stale) if stale else first_new) - published)
    store.db.close()
    return delays


def in_process_costs(redis_url: str, n: int = 20000) -> dict:
    from finder.web.metrics import Recorder
    from finder.web.ratelimit import RateLimiter
    from finder.web.ratelimit_redis import RedisBuckets, RedisRateLimiter

    def app(environ, start_response):
        start_response("200 OK", [])
        return [b""]

    environ = {"REQUEST_METHOD": "GET", "spro.route": "/api/v1/sites/nearest"}
    recorded = Recorder(app)

    def per_call(fn) -> float:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - start) / n * 1e6

    plain = per_call(lambda: app(environ, lambda s, h, e=None: None))
    metered = per_call(lambda: recorded(environ, lambda s, h, e=None: None))
    local = RateLimiter(1e9, 10**9, 65536)
    shared = RedisRateLimiter(RedisBuckets(redis_url, 0.1, 1.0), "bench", 1e9, 10**9)
    return {
        "recorder_us": metered - plain,
        "local_limit_us": per_call(lambda: local.hit("198.51.100.1")),
        "redis_limit_us": per_call(lambda: shared.hit("198.51.100.1")),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=int, default=10, help="seconds per wrk run (1-60)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds (1-10)")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers per host (1-8)")
    p.add_argument("--publishes", type=int, default=6, help="publishes and rollbacks timed (1-20)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--storage", choices=["redis", "memory"], default="redis", help="rate-limit buckets (memory: per host)"
    )
    args = p.parse_args()
    if not (1 <= args.duration <= 60 and 1 <= args.rounds <= 10 and 1 <= args.connections <= 256):
        sys.exit("bounds: --duration 1-60, --rounds 1-10, --connections 1-256")
    if not (1 <= args.workers <= 8 and 1 <= args.publishes <= 20):
        sys.exit("bounds: --workers 1-8, --publishes 1-20")
    for binary in ("wrk", "nginx", "redis-server", "openssl"):
        if shutil.which(binary) is None:
            sys.exit(f"{binary} is missing: apt-get install -y wrk nginx redis-server openssl")
    settings = {
        "SPRO_RATELIMIT_EXEMPT": "",  # loopback too: every request goes through the Redis limiter
        "SPRO_RATELIMIT_PER_MINUTE": "1000000000",
        "SPRO_RATELIMIT_BURST": "1000000000",
        "SPRO_ACCESS_LOG": "off",
    }
    if args.storage == "memory":
        settings["SPRO_RATELIMIT_STORAGE_URL"] = ""  # each host's shared-memory table
    pg = PgServer().start()
    try:
        url = pg.create_database()
        store = Store(url)
        store.initialise(DEMO)
        store.db.close()
        template = url.rsplit("/", 1)[1]
        print(f"load average before: {loadavg()}")
        with topology.Topology(pg, template, settings, workers=args.workers) as topo:
            with tempfile.TemporaryDirectory(prefix="spro-bench-hosts-") as tmp:
                results = throughput(topo, args, Path(tmp))
            delays = propagation(topo, args.publishes)
            costs = in_process_costs(topo.redis.url)
        print(f"load average after: {loadavg()}")
    finally:
        pg.destroy()
    print(f"rate-limit buckets: {args.storage}")
    report_throughput(results, args)
    print(
        f"publish → every host serving it (RELOAD_CHECK_SECONDS 1.0, {len(delays)} publishes/rollbacks): "
        f"median {statistics.median(delays):.2f} s, max {max(delays):.2f} s"
    )
    print(
        f"in-process cost per request: metrics recorder {costs['recorder_us']:.1f} µs, rate-limit check in shared "
        f"memory {costs['local_limit_us']:.1f} µs, in Redis (loopback) {costs['redis_limit_us']:.1f} µs"
    )


if __name__ == "__main__":
    main()
