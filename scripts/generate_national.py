#!/usr/bin/env python3
"""Generate a synthetic national SPRO directory: 100,000 clearly fictional sites over all of France.

For benchmarks and scale tests only: never served by default, written to a git-ignored path
(geodata/build/national/directory.json). Same model and JSON format as
geodata/demo/directory.json, with ``"demo": true``; every structure name ends with
"(synthétique)" and every site name starts with "[synthétique]". No phone numbers; e-mails
and websites on example.org.

Deterministic: the same seed, site count and geography give byte-identical output. Needs
the national geography (``python scripts/build_geodata.py --region all``).

How sites are spread: every département (overseas included) gets a share of the sites
proportional to its population, with a floor (Mayotte has no population in the source);
within a département, networks follow the demo directory's mix, and each site stands at a
point inside a commune drawn by population. Site profiles (levels, publics, hours…) are
copied from demo sites of the same network. Missions locales and CIO have territories that
partition their département's communes; Cap emploi serves its whole département.

Usage: python scripts/generate_national.py [--sites 100000] [--seed 2024] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finder.domain import geography, vocab  # noqa: E402

SEED = 2024
SITES = 100_000
MIN_PER_DEPARTMENT = 40  # sites (fewer for small test directories, never fewer than the networks)
OUT = ROOT / "geodata" / "build" / "national" / "directory.json"
DEMO = ROOT / "geodata" / "demo" / "directory.json"
DATE = "2026-10-01"
PROFILE_FIELDS = (
    "opening_hours",
    "accessible",
    "modes",
    "appointment",
    "levels",
    "age_min",
    "age_max",
    "statuses",
    "qualifications",
    "description",
)
TERRITORIAL = {"mission-locale", "cio"}  # territories partition the département
WHOLE_DEPARTMENT = {"cap-emploi"}  # territory: every commune of the département
ONE_PER_DEPARTMENT = {"france-travail", "cap-emploi", "apec", "cep"}
TOWNS = {"apec": 1.4, "universite": 1.4, "chambre-consulaire": 1.2}  # population exponent (default 1)


def largest_remainder(weights: list[float], total: int) -> list[int]:
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))[: total - sum(out)]:
        out[i] += 1
    return out


class Generator:
    def __init__(self, geo: geography.Geography, demo: dict, seed: int):
        self.geo = geo
        self.seed = seed
        self.rng = random.Random(seed)
        structures = {s["id"]: s for s in demo["structures"]}
        self.protos: dict[str, list[dict]] = {}
        for site in demo["sites"]:
            self.protos.setdefault(structures[site["structure_id"]]["network"], []).append(site)
        self.mix = {net: len(sites) for net, sites in sorted(self.protos.items())}
        self.by_dep: dict[str, list] = {}
        for c in geo.region_communes():
            if c.postcodes:
                self.by_dep.setdefault(c.department, []).append(c)
        self.structures: list[dict] = []
        self.sites: list[dict] = []

    def run(self, total: int) -> dict:
        deps = sorted(self.by_dep)
        pops = [sum(c.population for c in self.by_dep[d]) for d in deps]
        least = max(len(self.mix), min(MIN_PER_DEPARTMENT, total // (2 * len(deps))))  # every network everywhere
        if total < least * len(deps):
            raise SystemExit(f"--sites must be at least {least * len(deps)}")
        counts = [least + n for n in largest_remainder(pops, total - least * len(deps))]
        for dep, count in zip(deps, counts):
            self.department(dep, count)
        return {
            "demo": True,
            "source": "Annuaire national synthétique du SPRO (structures et lieux fictifs, tests de charge)",
            "generator": "scripts/generate_national.py",
            "seed": self.seed,
            "structures": self.structures,
            "sites": self.sites,
        }

    def department(self, dep: str, count: int) -> None:
        nets = list(self.mix)
        per_net = [n + 1 for n in largest_remainder([self.mix[n] for n in nets], count - len(nets))]
        for net, n in zip(nets, per_net):
            communes = self.by_dep[dep]
            power = TOWNS.get(net, 1.0)
            weights = np.array([c.population + 50 for c in communes], dtype=float) ** power
            homes = self.rng.choices(communes, weights.tolist(), k=n)
            groups = self.structure_groups(net, homes)
            territories = self.territories(net, dep, [g[0] for g in groups])
            for group, territory in zip(groups, territories):
                self.structure(net, dep, group, territory)

    def structure_groups(self, net: str, homes: list) -> list[list]:
        """Split a network's sites in a département into structures (first site = seat)."""
        per = len(homes) if net in ONE_PER_DEPARTMENT else max(1, round(self.mix_ratio(net)))
        return [homes[i : i + per] for i in range(0, len(homes), per)]

    def mix_ratio(self, net: str) -> float:
        return {"mission-locale": 7.0, "reseau-information-jeunesse": 1.0, "association-labellisee": 1.75}.get(net, 1.0)

    def territories(self, net: str, dep: str, seats: list) -> list:
        communes = self.by_dep[dep]
        if net in WHOLE_DEPARTMENT:
            return [sorted(c.insee for c in communes)] * len(seats)
        if net not in TERRITORIAL:
            return [None] * len(seats)
        pts = np.array([c.ref_point for c in communes])
        seat_pts = np.array([c.ref_point for c in seats])
        nearest = np.argmin(((pts[:, None, :] - seat_pts[None, :, :]) ** 2).sum(axis=2), axis=1)
        return [sorted(communes[i].insee for i in np.flatnonzero(nearest == j)) for j in range(len(seats))]

    def structure(self, net: str, dep: str, homes: list, territory) -> None:
        sid = f"nstr-{len(self.structures) + 1:05d}"
        label = vocab.NETWORKS_BY_CODE[net].label
        name = f"{label} {homes[0].name} (synthétique)"
        website = f"https://{sid}.example.org/"
        self.structures.append(
            {
                "id": sid,
                "name": name,
                "network": net,
                "cercle": vocab.NETWORKS_BY_CODE[net].cercle,
                "department": dep,
                "website": website,
                "territory": territory,
            }
        )
        for i, commune in enumerate(homes):
            self.site(sid, net, commune, i, website)

    def site(self, sid: str, net: str, commune, i: int, website: str) -> None:
        n = len(self.sites) + 1
        lat, lon = self.point_in(commune)
        proto = self.rng.choice(self.protos[net])
        site = {
            "id": f"nat-{n:06d}",
            "structure_id": sid,
            "name": f"[synthétique] {vocab.NETWORKS_BY_CODE[net].label} – {commune.name}"
            + (" – siège" if i == 0 else f" – antenne {i}"),
            "address": f"{1 + n % 180} rue de l'Exemple",
            "postcode": commune.postcodes[0],
            "commune": commune.insee,
            "lat": lat,
            "lon": lon,
            "phone": None,
            "email": f"accueil-{n:06d}@example.org",
            "website": website,
        }
        site.update({k: proto[k] for k in PROFILE_FIELDS})
        site.update({"date_maj": DATE, "closures": []})
        self.sites.append(site)

    def point_in(self, commune) -> tuple[float, float]:
        """A point inside the commune's polygon around its reference point, as (lat, lon); 6 decimals."""
        poly = self.geo.polygons[commune.insee]
        minx, miny, maxx, maxy = poly.bounds
        for _ in range(8):
            lon = commune.ref_lon + self.rng.gauss(0, (maxx - minx) / 6)
            lat = commune.ref_lat + self.rng.gauss(0, (maxy - miny) / 6)
            lat, lon = round(lat, 6), round(lon, 6)
            if shapely.contains_xy(poly, lon, lat):
                return lat, lon
        return commune.ref_lat, commune.ref_lon


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, default=SITES)
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    started = time.perf_counter()
    geo = geography.load(geography.ALL)
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    data = Generator(geo, demo, args.seed).run(args.sites)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    deps = {s["department"] for s in data["structures"]}
    print(
        f"{args.out}: {len(data['structures'])} structures, {len(data['sites'])} sites in {len(deps)} départements "
        f"({time.perf_counter() - started:.1f} s)"
    )


if __name__ == "__main__":
    main()
