#!/usr/bin/env python3
"""Measure start-up: from launching gunicorn (as scripts/run does) to the first answer of /healthz.

Runs on a fresh temporary store (so the first-run initialisation is included) and on the
same store again (a normal restart). Loopback only; the server is stopped afterwards.

Usage: python scripts/bench_startup.py [--workers 4]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_and_wait(instance: Path, workers: int) -> float:
    port = free_port()
    env = dict(os.environ, SPRO_INSTANCE_PATH=str(instance))
    gunicorn = Path(sys.executable).parent / "gunicorn"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "--config",
            str(ROOT / "finder" / "web" / "gunicorn_conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "finder.web.wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - t0 < 30:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("no answer within 30 s")
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        first = start_and_wait(Path(tmp), args.workers)
        again = start_and_wait(Path(tmp), args.workers)
    print(
        f"start-up to first /healthz answer: {first:.2f} s (first run, store created), "
        f"{again:.2f} s (restart), {args.workers} workers"
    )


if __name__ == "__main__":
    main()
