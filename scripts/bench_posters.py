#!/usr/bin/env python3
"""Cost of the print kit, in process: one poster, one site sheet, the ZIP of a département.

A poster is one live search + one QR code (segno tries the eight masks: most of the cost)
+ the commune outline + the template. The ZIP of a département makes one per commune; QR
codes are memoised per URL, so a second ZIP of the same area and profile costs less. Prints
medians (CPU of this thread: other processes do not inflate it) and the ZIP times and sizes.

Usage: python scripts/bench_posters.py [--department 38] [--posters 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finder.present import qr  # noqa: E402
from finder.web import create_app, state  # noqa: E402


def cpu_ms(client, url: str) -> float:
    start = time.thread_time()
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return (time.thread_time() - start) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--department", default="38")
    ap.add_argument("--posters", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    app = create_app({"TESTING": True, "DATABASE": str(Path(tempfile.mkdtemp()) / "spro.sqlite3")})
    client = app.test_client()
    with app.app_context():
        communes = sorted(state(app).geo.communes)
        sites = [s.id for s in state(app).engine.sites]
    rng = random.Random(args.seed)
    client.get("/affiche/15014")  # warm-up (templates compiled)
    qr.svg.cache_clear()
    posters = [cpu_ms(client, f"/affiche/{rng.choice(communes)}?limit=8") for _ in range(args.posters)]
    sheets = [cpu_ms(client, f"/lieux/{rng.choice(sites)}/fiche") for _ in range(args.posters)]
    print(f"poster (8 places, QR not cached): median {statistics.median(posters):.1f} ms CPU over {args.posters}")
    print(f"site sheet:                       median {statistics.median(sheets):.1f} ms CPU over {args.posters}")
    qr.svg.cache_clear()
    url = f"/affiches/departement/{args.department}.zip"
    for label in ("cold QR cache", "warm QR cache"):
        start, cpu = time.perf_counter(), time.thread_time()
        body = client.get(url).data
        wall, cpu = time.perf_counter() - start, time.thread_time() - cpu
        print(f"ZIP {args.department} ({label}): {wall:.2f} s wall, {cpu:.2f} s CPU, {len(body) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
