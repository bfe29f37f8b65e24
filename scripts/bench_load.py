#!/usr/bin/env python3
"""Load test: the nearest-site API against /healthz, side by side, under scripts/run's gunicorn.

Starts ``scripts/run`` itself on a free loopback port with a temporary instance (so the
store, the workers and the gunicorn settings are exactly those of scripts/run), then runs
wrk (Debian package ``wrk``) in alternating rounds: /healthz, nearest, /healthz, nearest…
Two nearest workloads: "nearest" cycles through 240 distinct queries (random points and
commune codes of the region, six profiles), the kind of repeated queries partner widgets
and popular searches make, so after the first pass they are served from the answer cache
(ANSWER_CACHE_SIZE); "unique" gives every request a new random origin, so every answer
is computed (index, geodesics, JSON). Every request goes to 127.0.0.1; every run is bounded
by --duration and --rounds; the server is stopped at the end.

Rate limiting stays on for 127.0.0.1 (SPRO_RATELIMIT_EXEMPT="", so its check is part of
the measured path) with a limit no single client can reach during the run:
SPRO_RATELIMIT_PER_MINUTE / _BURST = 10^9.

Prints req/s, p50 and p99 latency, server CPU per request (gunicorn master and workers,
from /proc) and non-2xx answers for each endpoint (median over the rounds), and the ratio
nearest / healthz (goal ≥ 0.70, with 0 non-2xx). The CPU ratio tells the same story
when other processes compete for the cores.

Usage: python scripts/bench_load.py [--duration 10] [--rounds 3] [--connections 16] [--gzip]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PROFILES = [
    "",
    "&age=22&status=demandeurs-emploi&level=2",
    "&network=mission-locale&territory=only",
    "&level=1&accessible=true",
    "&network=cio,apec&limit=5",
    "&qualification=niveau-4&mode=a-distance",
]
COMMUNES = ["69123", "38185", "15014", "63113", "42218", "73065", "74010", "26362", "01053", "03185", "07186"]

LUA_UNIQUE = """
math.randomseed(%d)
local profiles = {%s}
local i = 0
request = function()
  i = i + 1
  local lat = 44.2 + math.random() * 2.3
  local lon = 2.6 + math.random() * 4.3
  local path = string.format("/api/v1/sites/nearest?lat=%%.6f&lon=%%.6f%%s", lat, lon, profiles[i %% #profiles + 1])
  return wrk.format("GET", path, %s)
end
"""

LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], %s)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def nearest_paths(n: int, rng: random.Random) -> list[str]:
    out = []
    for i in range(n):
        if i % 4 == 0:
            origin = f"commune={rng.choice(COMMUNES)}"
        else:
            origin = f"lat={rng.uniform(44.2, 46.5):.5f}&lon={rng.uniform(2.6, 6.9):.5f}"
        out.append(f"/api/v1/sites/nearest?{origin}{PROFILES[i % len(PROFILES)]}")
    return out


def lua_script(paths: list[str], gzip: bool, folder: Path, name: str) -> Path:
    quoted = ", ".join(f'"{p}"' for p in paths)
    headers = '{["Accept-Encoding"] = "gzip"}' if gzip else "nil"
    path = folder / f"{name}.lua"
    path.write_text(LUA % (quoted, headers), encoding="utf-8")
    return path


def lua_unique(seed: int, gzip: bool, folder: Path) -> Path:
    """Every request a new random origin (with the profiles in turn): nothing to reuse."""
    quoted = ", ".join(f'"{p}"' for p in PROFILES)
    headers = '{["Accept-Encoding"] = "gzip"}' if gzip else "nil"
    path = folder / "unique.lua"
    path.write_text(LUA_UNIQUE % (seed, quoted, headers), encoding="utf-8")
    return path


def start_server(port: int, instance: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        PORT=str(port),
        HOST=HOST,
        SPRO_INSTANCE_PATH=str(instance),
        SPRO_RATELIMIT_PER_MINUTE="1000000000",
        SPRO_RATELIMIT_BURST="1000000000",
        SPRO_RATELIMIT_EXEMPT="",  # loopback is exempt by default: make the load go through the limiter
    )
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "run")], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("server did not answer /healthz within 120 s")


def server_cpu_seconds(master: int) -> float:
    """User + system CPU of the gunicorn master and its workers (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [master] + [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def run_wrk(url: str, script: Path, duration: int, connections: int, master: int) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url]
    cpu = server_cpu_seconds(master)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=duration + 30).stdout
    result = parse_wrk(out)
    result["cpu_us"] = (server_cpu_seconds(master) - cpu) / max(1, result["requests"]) * 1e6
    return result


def parse_wrk(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": rps,
        "requests": total,
        "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def summary(runs: list[dict]) -> dict:
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "cpu_us": statistics.median(r["cpu_us"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "non2xx": sum(r["non2xx"] for r in runs),
        "socket_errors": sum(r["socket_errors"] for r in runs),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=int, default=10, help="seconds per wrk run (1-60)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds (1-10)")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--gzip", action="store_true", help="send Accept-Encoding: gzip")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    if not (1 <= args.duration <= 60 and 1 <= args.rounds <= 10 and 1 <= args.connections <= 256):
        sys.exit("bounds: --duration 1-60, --rounds 1-10, --connections 1-256")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    port = free_port()
    base = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory(prefix="spro-load-") as tmp:
        folder = Path(tmp)
        scripts = {
            "healthz": lua_script(["/healthz"], args.gzip, folder, "healthz"),
            "nearest": lua_script(nearest_paths(240, random.Random(args.seed)), args.gzip, folder, "nearest"),
            "unique": lua_unique(args.seed, args.gzip, folder),
        }
        proc = start_server(port, folder / "instance")
        try:
            results = {name: [] for name in scripts}
            for _ in range(args.rounds):
                for name, script in scripts.items():
                    results[name].append(run_wrk(base, script, args.duration, args.connections, proc.pid))
        finally:
            proc.terminate()
            proc.wait(15)
    report(results, args)


def report(results: dict, args) -> None:
    workers = os.environ.get("WORKERS") or (os.cpu_count() or 1) * 2
    print(
        f"gunicorn as scripts/run ({workers} workers), wrk -t1 -c{args.connections}, "
        f"{args.rounds} × {args.duration} s per endpoint{', Accept-Encoding: gzip' if args.gzip else ''}"
    )
    print(
        f"{'endpoint':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/req':>11} "
        f"{'requests':>9} {'non-2xx':>8} {'sock err':>8}"
    )
    rows = {name: summary(runs) for name, runs in results.items()}
    for name, s in rows.items():
        print(
            f"{name:<10} {s['rps']:>9.0f} {s['p50_ms']:>8.2f} {s['p99_ms']:>8.2f} {s['cpu_us']:>11.0f} "
            f"{s['requests']:>9} {s['non2xx']:>8} {s['socket_errors']:>8}"
        )
    bad = sum(r["non2xx"] + r["socket_errors"] for r in rows.values())
    for name in ("nearest", "unique"):
        ratio = rows[name]["rps"] / rows["healthz"]["rps"]
        cpu_ratio = rows["healthz"]["cpu_us"] / rows[name]["cpu_us"]
        verdict = "met" if ratio >= 0.70 and bad == 0 else "NOT met"
        print(
            f"ratio {name} / healthz: throughput {ratio:.2f}, server CPU per request {cpu_ratio:.2f} "
            f"(goal ≥ 0.70 with 0 non-2xx: {verdict})"
        )


if __name__ == "__main__":
    main()
