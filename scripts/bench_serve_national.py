#!/usr/bin/env python3
"""Serve the synthetic national directory (100,000 sites, REGION=all) with gunicorn and measure, in one run:

- start-up: from launching gunicorn (as scripts/run does) to the first /healthz answer, twice: a
  first start with an empty cache folder (the catalog and geocoder files are built), then a
  restart reading them (finder.service.catalog_cache);
- memory: proportional set size (PSS, /proc/PID/smaps_rollup: pages shared after fork split
  between the processes) of the master and of each worker, after start-up and after a publish;
- the default /api/v1/sites pages (bytes of the first, plain and gzipped; the largest of all of them,
  followed by ``next``) and the dump /api/v1/sites.geojson.gz;
- the /couverture page (field staff) for one département: bytes, plain and gzipped, and time;
- throughput (``--throughput`` seconds per run, wrk, two alternating rounds): nearest from a new random
  origin in a commune of France per request (answer cache off) against /healthz, req/s and ratio;
- a publish under load: client threads ask /api/v1/sites/nearest from random communes of France
  (answer cache off) while a new 100,000-site version is published; failed answers, latency
  p50 / p99 / max before and after the publish, and when the last answer from the old version
  came (after it, every worker serves the new one). Every answer names one version (its
  ``dataset``); the script counts answers by version.

Needs the national geography and directory (git-ignored):
  python scripts/build_geodata.py --region all && python scripts/generate_national.py
In-process nearest p50 and its ratio to a brute-force scan: scripts/bench_national.py.

Usage: python scripts/bench_serve_national.py [--workers 2] [--clients 4] [--seconds 40] [--db PATH]
       [--wait-prepared SECONDS]
(``--db``: keep the store there and reuse it on the next run; versions 1 and 2, 1 published first.)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "scripts"))

import bench_load  # noqa: E402

from finder.domain import geography  # noqa: E402
from finder.domain.model import Site, Structure  # noqa: E402
from finder.storage.store import Store  # noqa: E402

DIRECTORY = ROOT / "geodata" / "build" / "national" / "directory.json"
VERSION = re.compile(rb'"dataset":\{"version":(\d+)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(db: Path) -> tuple[int, int, float]:
    """Two stored versions of the national directory (the second with every site renamed): (v1, v2, seconds)."""
    data = json.loads(DIRECTORY.read_text(encoding="utf-8"))
    structures = [Structure.from_dict(s) for s in data["structures"]]
    t0 = time.perf_counter()
    store = Store(str(db))
    store.migrate()
    v1 = store.add_version(structures, [Site.from_dict(s) for s in data["sites"]], True, "national", "bench")
    store.publish(v1, "bench")
    renamed = [Site.from_dict({**s, "name": s["name"] + " ·"}) for s in data["sites"]]
    v2 = store.add_version(structures, renamed, True, "national v2", "bench")
    return v1, v2, time.perf_counter() - t0


def get(url: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def pss_mib(pid: int, field: str = "Pss") -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pss_text(pid: int) -> str:
    """PSS, and its anonymous (heap) and file-backed (catalog files, code) parts."""
    return f"{pss_mib(pid):.0f} ({pss_mib(pid, 'Pss_Anon'):.0f} anon + {pss_mib(pid, 'Pss_File'):.0f} file)"


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def memory(master: int) -> str:
    workers = children(master)
    total = pss_mib(master) + sum(pss_mib(p) for p in workers)
    return (
        f"master {pss_text(master)} MiB, workers " + ", ".join(pss_text(p) for p in workers) + " MiB "
        f"(total {total:.0f} MiB)"
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def load(base: str, communes: list[str], stop: threading.Event, out: list, seed: int) -> None:
    rnd = random.Random(seed)
    while not stop.is_set():
        url = f"{base}/api/v1/sites/nearest?commune={rnd.choice(communes)}&limit=10"
        t0 = time.perf_counter()
        try:
            status, body, _ = get(url)
        except OSError:
            status, body = 0, b""
        t1 = time.perf_counter()
        m = VERSION.search(body)
        out.append((t0, t1 - t0, status, int(m.group(1)) if m else None))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--seconds", type=float, default=40.0)
    p.add_argument("--db", type=Path, help="store to create once and reuse")
    p.add_argument(
        "--wait-prepared",
        type=float,
        default=0.0,
        help="wait up to this many seconds for version 2's catalog file (prepared ahead) before the load",
    )
    p.add_argument("--throughput", type=int, default=10, help="seconds per wrk run (0: no throughput runs)")
    p.add_argument("--departments", default="62,69,13,974", help="/couverture pages to measure")
    args = p.parse_args()
    if not DIRECTORY.is_file():
        sys.exit(f"{DIRECTORY} is missing: run python scripts/generate_national.py")
    geo = geography.load(geography.ALL)
    communes = sorted(geo.communes)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "spro.sqlite3"
        if db.is_file():
            v1, v2 = 1, 2
            Store(str(db)).publish(v1, "bench", action="rollback")
        else:
            v1, v2, stored = prepare(db)
            print(f"stored two versions of 100,000 sites in {stored:.1f} s (SQLite)")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = dict(
            os.environ,
            SPRO_INSTANCE_PATH=tmp,
            SPRO_DATABASE_URL=str(db),
            SPRO_REGION="all",
            SPRO_RATELIMIT_ENABLED="false",
            SPRO_ANSWER_CACHE_SIZE="0",
            SPRO_DEMAND_COUNTING="false",
        )
        first, seconds = start(port, env, args.workers, tmp)
        print(f"first start (empty cache) to first /healthz answer: {seconds:.2f} s ({args.workers} workers)")
        halt(first)
        proc, seconds = start(port, env, args.workers, tmp)
        print(f"restart (cache files present) to first /healthz answer: {seconds:.2f} s ({args.workers} workers)")
        try:
            for _ in range(20):
                get(f"{base}/healthz")
            print(f"PSS after start-up: {memory(proc.pid)}")
            status, body, _ = get(f"{base}/api/v1/sites")
            print(
                f"default /api/v1/sites page: {len(body) / 1e6:.2f} MB, "
                f"{len(gzip.compress(body, 6)) / 1e6:.2f} MB gzipped ({json.loads(body)['page_size']} sites)"
            )
            pages(json.loads(body)["next"], len(body))
            for dep in args.departments.split(","):
                coverage_page(base, dep)
            if args.throughput:
                throughput(base, geo, proc.pid, args.throughput, tmp)
            t = time.perf_counter()
            status, dump, headers = get(f"{base}/api/v1/sites.geojson.gz")
            first = time.perf_counter() - t
            t = time.perf_counter()
            again = get(f"{base}/api/v1/sites.geojson.gz", {"If-None-Match": headers["ETag"]})[0]
            print(
                f"dump: {len(dump) / 1e6:.1f} MB gzip, first answer {first:.2f} s (built on first use), "
                f"revalidation {again} in {(time.perf_counter() - t) * 1000:.1f} ms"
            )

            t = time.perf_counter()
            while args.wait_prepared and time.perf_counter() - t < args.wait_prepared:
                if len(list((Path(tmp) / "cache").glob("catalog-*.bin"))) >= 2:
                    print(f"version 2 prepared ahead {time.perf_counter() - t:.1f} s after these requests")
                    break
                time.sleep(1)
            results: list = []
            stop = threading.Event()
            threads = [
                threading.Thread(target=load, args=(base, communes, stop, results, i)) for i in range(args.clients)
            ]
            for th in threads:
                th.start()
            time.sleep(args.seconds / 3)
            files = sorted(p.name for p in (Path(tmp) / "cache").glob("catalog-*.bin"))
            print(f"catalog files in the cache folder at the publish: {len(files)} (2: version 2 prepared ahead)")
            published_at = time.perf_counter()
            Store(str(db)).publish(v2, "bench")
            time.sleep(args.seconds * 2 / 3)
            stop.set()
            for th in threads:
                th.join()
            report(results, published_at, v1, v2)
            print(f"PSS after the publish: {memory(proc.pid)}")
        finally:
            halt(proc)


def pages(url: str | None, first: int) -> None:
    """Follow ``next`` from the first default page; print how many pages and the largest."""
    sizes, t = [first], time.perf_counter()
    while url:
        status, body, _ = get(url)
        assert status == 200, (url, status)
        sizes.append(len(body))
        url = json.loads(body)["next"]
    print(
        f"default pages followed by next: {len(sizes)} pages in {time.perf_counter() - t:.1f} s, "
        f"largest {max(sizes) / 1e6:.3f} MB"
    )


def coverage_page(base: str, dep: str) -> None:
    t = time.perf_counter()
    status, body, _ = get(f"{base}/couverture?department={dep}&level=2")
    print(
        f"/couverture?department={dep}&level=2: {status}, {len(body) / 1e6:.2f} MB, "
        f"{len(gzip.compress(body, 6)) / 1e6:.2f} MB gzipped, {time.perf_counter() - t:.2f} s"
    )


def throughput(base: str, geo, master: int, seconds: int, tmp: str) -> None:
    """wrk, alternating: /healthz, then nearest from 4,000 random origins in communes of France (cycled;
    the answer cache is off, so every answer is computed)."""
    rng = random.Random(11)
    points = rng.choices(list(geo.communes.values()), k=4000)
    paths = [
        f"/api/v1/sites/nearest?lat={c.ref_lat + rng.gauss(0, 0.01):.5f}&lon={c.ref_lon + rng.gauss(0, 0.014):.5f}"
        for c in points
    ]
    folder = Path(tmp)
    scripts = {
        "healthz": bench_load.lua_script(["/healthz"], False, folder, "healthz"),
        "nearest": bench_load.lua_script(paths, False, folder, "national"),
    }
    runs: dict = {name: [] for name in scripts}
    for _ in range(2):
        for name, script in scripts.items():
            runs[name].append(bench_load.run_wrk(base, script, seconds, 8, master))
    got = {name: bench_load.summary(r) for name, r in runs.items()}
    for name, r in got.items():
        print(
            f"throughput {name}: {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
            f"{r['requests']} requests, {r['non2xx']} non-2xx"
        )
    print(f"throughput nearest / healthz: {got['nearest']['rps'] / got['healthz']['rps']:.2f} (goal >= 0.70)")


def start(port: int, env: dict, workers: int, tmp: str) -> tuple[subprocess.Popen, float]:
    """Launch gunicorn as scripts/run does; (process, seconds to the first /healthz answer)."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    conf = ROOT / "finder" / "web" / "gunicorn_conf.py"
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    cmd = [str(gunicorn), "--config", str(conf), "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    proc = subprocess.Popen(
        [*cmd, "finder.web.wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(tmp) / "gunicorn.log", "ab"),
    )
    while True:
        if time.perf_counter() - t0 > 300 or proc.poll() is not None:
            halt(proc)
            sys.exit("no answer within 300 s:\n" + (Path(tmp) / "gunicorn.log").read_text()[-3000:])
        try:
            if get(f"{base}/healthz")[0] == 200:
                return proc, time.perf_counter() - t0
        except OSError:
            time.sleep(0.02)


def halt(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def report(results: list, published_at: float, v1: int, v2: int) -> None:
    failed = [r for r in results if r[2] != 200]
    before = [r[1] for r in results if r[0] < published_at]
    after = [r[1] for r in results if r[0] >= published_at]
    every = [r[1] for r in results]
    versions = {v: sum(1 for r in results if r[3] == v) for v in (v1, v2)}
    old_after = [r[0] + r[1] for r in results if r[3] == v1 and r[0] + r[1] >= published_at]
    last_old = max(old_after) - published_at if old_after else 0.0
    first_new = min((r[0] + r[1] for r in results if r[3] == v2), default=float("nan")) - published_at
    print(
        f"publish under load: {len(results)} answers, {len(failed)} failed, by version {versions} "
        f"(none other: {versions[v1] + versions[v2] == len(results) - len(failed)})"
    )
    print(
        f"  latency ms before the publish p50 {pct(before, 0.5):.1f} p99 {pct(before, 0.99):.1f} "
        f"max {max(before) * 1000:.1f}; after p50 {pct(after, 0.5):.1f} p99 {pct(after, 0.99):.1f} "
        f"max {max(after) * 1000:.1f}; all p99 {pct(every, 0.99):.1f} ms, median {statistics.median(every) * 1000:.1f}"
    )
    print(
        f"  first answer from the new version {first_new:.1f} s after the publish; last from the old one "
        f"{last_old:.1f} s after (then every worker serves the new one)"
    )


if __name__ == "__main__":
    main()
