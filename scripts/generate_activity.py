#!/usr/bin/env python3
"""Generate the demo activity table (bilan) for the demo directory: one row per structure and year.

Deterministic: the same seed and directory give byte-identical output. Writes
geodata/demo/activity.csv (UTF-8, comma-separated). The figures are **fictional**; the
2023 totals are calibrated to the SPRO 2023 key figures: 3,011,344 people received and
6,966 professionals trained, spread by network and size (number of sites, population
around them). 2021 and 2022 precede with a plausible drift; structures of cercle 2 and 3
were partly labelled in 2023, so a few have no row before 2023.

Usage: python scripts/generate_activity.py [--seed N] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finder.domain import bilan, geography  # noqa: E402

SEED = 2023
PEOPLE_2023 = 3_011_344  # SPRO 2023 key figure
PROFESSIONALS_2023 = 6_966  # SPRO 2023 key figure
YEAR_FACTOR = {2021: 0.912, 2022: 0.953, 2023: 1.0}  # regional totals relative to 2023 (latest bilan)
NEW_IN_2023 = 0.12  # share of cercle 2 and 3 structures labelled in 2023

# People received per site and year, and staff per site (professionals trained weight).
PER_SITE = {
    "france-travail": (10_000, 6.0),
    "mission-locale": (1_500, 2.5),
    "cio": (6_000, 4.0),
    "cap-emploi": (2_500, 3.0),
    "apec": (6_000, 3.0),
    "reseau-information-jeunesse": (1_500, 1.5),
    "cep": (1_500, 2.0),
    "chambre-consulaire": (2_500, 1.5),
    "universite": (5_000, 3.0),
    "commune-labellisee": (500, 1.0),
    "association-labellisee": (800, 1.5),
    "maison-emploi": (3_000, 2.0),
    "relais-partenaire": (700, 1.0),
}
# Shares: gender (women, men, unknown); age (<16, 16–25, 26–44, 45+, unknown).
GENDER = {
    "mission-locale": (0.48, 0.49, 0.03),
    "cap-emploi": (0.46, 0.52, 0.02),
    "apec": (0.45, 0.54, 0.01),
    "cio": (0.53, 0.45, 0.02),
}
GENDER_DEFAULT = (0.52, 0.44, 0.04)
AGE = {
    "mission-locale": (0.01, 0.96, 0.01, 0.0, 0.02),
    "cio": (0.55, 0.42, 0.01, 0.0, 0.02),
    "universite": (0.0, 0.93, 0.05, 0.01, 0.01),
    "reseau-information-jeunesse": (0.28, 0.62, 0.05, 0.01, 0.04),
    "apec": (0.0, 0.12, 0.55, 0.32, 0.01),
    "cap-emploi": (0.0, 0.08, 0.45, 0.45, 0.02),
    "france-travail": (0.0, 0.18, 0.46, 0.33, 0.03),
    "cep": (0.0, 0.1, 0.55, 0.33, 0.02),
}
AGE_DEFAULT = (0.06, 0.3, 0.36, 0.22, 0.06)
# Provenance: same EPCI, rest of the département, rest of the region, outside, unknown.
PROVENANCE = (0.62, 0.24, 0.07, 0.02, 0.05)


def largest_remainder(weights: list[float], total: int) -> list[int]:
    """Integers proportional to weights that add up exactly to total."""
    whole = sum(weights) or 1.0
    raw = [total * w / whole for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))[: total - sum(out)]:
        out[i] += 1
    return out


def jitter(rng: random.Random, shares, spread: float = 0.15) -> list[float]:
    return [s * math.exp(rng.gauss(0, spread)) if s > 0 else 0.0 for s in shares]


class ActivityGenerator:
    def __init__(self, directory: dict, geo: geography.Geography, seed: int):
        self.rng = random.Random(seed)
        self.geo = geo
        self.structures = sorted(directory["structures"], key=lambda s: s["id"])
        self.sites_of: dict[str, list[dict]] = {}
        for site in directory["sites"]:
            self.sites_of.setdefault(site["structure_id"], []).append(site)

    def size(self, structure: dict) -> tuple[float, float]:
        """(people weight, staff weight): per-site figures times a population factor and noise."""
        people, staff = PER_SITE[structure["network"]]
        sites = self.sites_of.get(structure["id"], [])
        pops = [self.geo.communes[s["commune"]].population for s in sites if s["commune"] in self.geo.communes]
        town = (sum(pops) / len(pops) if pops else 5_000) ** 0.15 / 5_000**0.15
        noise = math.exp(self.rng.gauss(0, 0.25))
        return people * len(sites) * town * noise, staff * len(sites) * math.exp(self.rng.gauss(0, 0.3))

    def run(self) -> list[dict]:
        sizes = [self.size(s) for s in self.structures]
        new_2023 = {s["id"] for s in self.structures if s["cercle"] > 1 and self.rng.random() < NEW_IN_2023}
        rows = []
        for year, factor in YEAR_FACTOR.items():
            present = [i for i, s in enumerate(self.structures) if year >= 2023 or s["id"] not in new_2023]
            drift = [math.exp(self.rng.gauss(0, 0.06)) for _ in present]
            people = largest_remainder([sizes[i][0] * d for i, d in zip(present, drift)], round(PEOPLE_2023 * factor))
            trained = largest_remainder(
                [sizes[i][1] * d for i, d in zip(present, drift)], round(PROFESSIONALS_2023 * factor)
            )
            for i, n, p in zip(present, people, trained):
                rows.append(self.row(self.structures[i], year, n, p))
        return rows

    def row(self, structure: dict, year: int, people: int, trained: int) -> dict:
        net = structure["network"]
        gender = largest_remainder(jitter(self.rng, GENDER.get(net, GENDER_DEFAULT), 0.05), people)
        age = largest_remainder(jitter(self.rng, AGE.get(net, AGE_DEFAULT)), people)
        prov = largest_remainder(jitter(self.rng, PROVENANCE, 0.2), people)
        values = [structure["id"], year, people, *gender, *age, *prov, trained]
        return dict(zip(bilan.COLUMNS, values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--directory", type=Path, default=ROOT / "geodata" / "demo" / "directory.json")
    parser.add_argument("--out", type=Path, default=ROOT / "geodata" / "demo" / "activity.csv")
    args = parser.parse_args()
    directory = json.loads(args.directory.read_text(encoding="utf-8"))
    rows = ActivityGenerator(directory, geography.load(), args.seed).run()
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=bilan.COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for year in YEAR_FACTOR:
        of_year = [r for r in rows if r["year"] == year]
        people = sum(r["people"] for r in of_year)
        trained = sum(r["professionals_trained"] for r in of_year)
        print(f"{year}: {len(of_year)} structures, {people} personnes, {trained} professionnels formés")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
