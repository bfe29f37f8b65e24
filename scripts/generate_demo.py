#!/usr/bin/env python3
"""Generate the embedded demo SPRO directory (fictional structures and sites).

Deterministic: the same seed and geodata give byte-identical output. Writes
geodata/demo/directory.json. Every name, address, phone number (ARCEP range reserved
for fiction) and e-mail is invented; the file carries "demo": true.

Usage: python scripts/generate_demo.py [--seed N] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finder.domain import geography  # noqa: E402
from finder.domain.geography import LYON  # noqa: E402

SEED = 2023
STRUCTURES_TOTAL = 566  # SPRO 2023 key figure
TODAY = "2026-11-01"  # reference date for date_maj (fixed for determinism)

STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "place de la Mairie",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "rue du Marché",
    "rue des Écoles",
    "avenue de la Gare",
    "rue Pasteur",
    "place du Champ de Foire",
    "rue de la Liberté",
    "allée des Tilleuls",
    "rue Jean Moulin",
    "avenue du Général de Gaulle",
    "rue du Stade",
    "rue des Artisans",
    "quai des Célestins",
    "rue de l'Industrie",
    "chemin des Vignes",
    "rue Émile Zola",
]

SCHOOL = ["eleves", "etudiants", "apprentis"]
WORKERS = ["salaries", "cadres", "independants", "agents-publics"]
ALL_STATUSES = SCHOOL + ["demandeurs-emploi"] + WORKERS + ["sans-activite", "personnes-en-situation-de-handicap"]
HIGHER = ["niveau-5", "niveau-6", "niveau-7", "niveau-8"]

# Opening hours by kind of place (OpenStreetMap opening_hours). Each expression says what it
# means: no rule replaces the hours of an earlier one (a later rule wins on the days it names),
# exceptions come last, and public holidays are stated ("PH off": public offices close then).
# Keep each list's length: rng.choice draws the same numbers, so only the hours change.
HOURS = {
    "mission-locale": [
        "Mo-Fr 08:30-12:30,13:30-17:30; PH off",
        "Mo-Th 08:30-12:00,13:30-17:30; Fr 08:30-12:00; PH off",
    ],
    "mission-locale-antenne": [
        "Tu,Th 09:00-12:00,13:30-17:00; PH off",
        "We 09:00-12:00,14:00-17:00; PH off",
        "Mo,Fr 09:00-12:00; PH off",
    ],
    "cio": [
        "Mo-Fr 09:00-12:30,13:30-17:30; PH off",
        "Mo-Fr 09:00-12:30,13:30-17:30; Sa 09:00-12:00; PH off",
    ],
    "france-travail": [
        "Mo-We 08:30-16:30; Th 08:30-12:30; Fr 08:30-15:30; PH off",
        "Mo-We 08:30-12:30,13:30-16:30; Th,Fr 08:30-12:30; PH off",
    ],
    "cap-emploi": ["Mo-Fr 09:00-12:00,14:00-17:00; PH off"],
    "apec": ["Mo-Fr 09:00-12:30,14:00-18:00; PH off"],
    "reseau-information-jeunesse": [
        "Tu,Th,Fr 13:30-18:00; We 10:00-12:00,13:30-18:00; Sa 10:00-12:00; PH off",
        "Mo-Fr 10:00-12:30,13:30-18:00; PH off",
        "We 10:00-18:00; Sa 10:00-13:00; PH off",
    ],
    "cep": ["Mo-Fr 09:00-12:30,13:30-18:00; PH off", "Tu,Th 09:00-12:00,13:30-17:30; PH off"],
    "chambre-consulaire": ["Mo-Fr 08:30-12:00,13:30-17:00; PH off"],
    "universite": ["Mo-Fr 09:00-17:00; Jul 15-Aug 20 off; PH off", "Mo-Fr 09:00-12:30,13:30-16:30; PH off"],
    "commune-labellisee": [
        "Mo,Tu,Th,Fr 09:00-12:00; We 09:00-12:00,14:00-17:00; PH off",
        "Mo,Tu,Th,Fr 08:30-12:00,13:30-17:00; PH off",
        "Tu,Th 14:00-18:00; Sa 09:00-12:00; PH off",
    ],
    "association-labellisee": ["Mo-Th 09:00-12:30,13:30-17:00; PH off", "Tu-Fr 09:00-12:00,14:00-17:30; PH off"],
    "maison-emploi": ["Mo-Fr 08:30-12:00,13:30-17:00; PH off"],
    "relais-partenaire": ["Mo-Fr 09:00-12:00,13:30-17:00; PH off", "Tu-Sa 09:00-12:30; PH off"],
}


class Generator:
    def __init__(self, geo: geography.Geography, seed: int):
        self.geo = geo
        self.rng = random.Random(seed)
        self.structures: list[dict] = []
        self.sites: list[dict] = []
        # Communes where a site can stand: Lyon through its arrondissements.
        self.placeable = [c for c in geo.region_communes()]
        self.by_dep: dict[str, list] = {}
        for c in self.placeable:
            self.by_dep.setdefault(c.department, []).append(c)
        self.deps = sorted(geo.departments)
        self.used_points: set[tuple[float, float]] = set()

    # -- helpers ----------------------------------------------------------------
    def dep_population(self, dep: str) -> int:
        return sum(c.population for c in self.by_dep[dep])

    def allocate(self, total: int, minimum: int = 1) -> dict[str, int]:
        """Split total between départements by population (largest remainder), each >= minimum."""
        pops = {d: self.dep_population(d) for d in self.deps}
        rest = total - minimum * len(self.deps)
        whole = sum(pops.values())
        raw = {d: rest * pops[d] / whole for d in self.deps}
        out = {d: minimum + int(raw[d]) for d in self.deps}
        for d in sorted(self.deps, key=lambda d: raw[d] - int(raw[d]), reverse=True)[: total - sum(out.values())]:
            out[d] += 1
        return out

    def weighted_pick(self, communes, k: int, power: float = 1.0, exclude=()) -> list:
        """k distinct communes, drawn with probability ~ population**power."""
        pool = [c for c in communes if c.insee not in exclude and c.population > 0]
        chosen = []
        for _ in range(min(k, len(pool))):
            weights = [c.population**power for c in pool]
            c = self.rng.choices(pool, weights)[0]
            chosen.append(c)
            pool.remove(c)
        return chosen

    def spread_pick(self, communes, k: int) -> list:
        """k communes both populous and far apart: greedy on population**0.5 x distance."""
        chosen = [max(communes, key=lambda c: c.population)]
        while len(chosen) < k:

            def score(c):
                d = min(_km(c, o) for o in chosen)
                return math.sqrt(c.population) * d

            chosen.append(max((c for c in communes if c not in chosen), key=score))
        return chosen

    def point_in(self, commune) -> tuple[float, float]:
        """A point inside the commune polygon near its reference point, as (lat, lon)."""
        poly = self.geo.polygons[commune.insee]
        radius = 150 + 25 * math.sqrt(commune.population)  # metres, wider in big towns
        for _ in range(200):
            r = radius * math.sqrt(self.rng.random())
            a = self.rng.uniform(0, 2 * math.pi)
            lat = round(commune.ref_lat + r * math.sin(a) / 111_320, 6)
            lon = round(commune.ref_lon + r * math.cos(a) / (111_320 * math.cos(math.radians(lat))), 6)
            if (lat, lon) not in self.used_points and poly.contains(shapely.Point(lon, lat)):
                self.used_points.add((lat, lon))
                return lat, lon
            radius *= 0.97
        raise RuntimeError(f"no point found in {commune.insee}")

    def new_structure(self, network: str, cercle: int, name: str, dep: str, territory=None) -> dict:
        sid = f"str-{len(self.structures) + 1:04d}"
        slug = f"{network}-{len(self.structures) + 1:04d}"
        s = {
            "id": sid,
            "name": f"{name} (démo)",
            "network": network,
            "cercle": cercle,
            "department": dep,
            "website": f"https://{slug}.example.org/",
            "territory": sorted(territory) if territory else None,
        }
        self.structures.append(s)
        return s

    def new_site(
        self,
        structure: dict,
        commune,
        name: str,
        hours_key: str,
        publics: dict,
        levels,
        modes=("en-presentiel",),
        appointment=False,
        description="",
    ) -> dict:
        lat, lon = self.point_in(commune)
        n = len(self.sites) + 1
        postcode = self.rng.choice(commune.postcodes) if commune.postcodes else ""
        accessible = self.rng.choices([True, False, None], [85, 10, 5])[0]
        age_days = self.rng.randint(0, 600)
        site = {
            "id": f"lieu-{n:04d}",
            "structure_id": structure["id"],
            "name": name,
            "address": f"{self.rng.randint(1, 120)} {self.rng.choice(STREETS)}",
            "postcode": postcode,
            "commune": commune.insee,
            "lat": lat,
            "lon": lon,
            "phone": f"04 65 71 {n // 100 % 100:02d} {n % 100:02d}",
            "email": f"accueil-{n:04d}@example.org",
            "website": structure["website"],
            "opening_hours": self.rng.choice(HOURS[hours_key]),
            "accessible": accessible,
            "modes": list(modes),
            "appointment": appointment,
            "levels": list(levels),
            "age_min": publics.get("age_min"),
            "age_max": publics.get("age_max"),
            "statuses": list(publics.get("statuses", [])),
            "qualifications": list(publics.get("qualifications", [])),
            "description": description,
            "date_maj": _days_before(TODAY, age_days),
            "closures": [],
        }
        self.sites.append(site)
        return site

    def partition(self, dep: str, seats: list, lyon_whole: bool) -> dict[str, set[str]]:
        """Assign every commune of dep to its nearest seat: territories that partition dep."""
        out: dict[str, set[str]] = {s.insee: set() for s in seats}
        units = list(self.by_dep[dep])
        if dep == "69":
            units.append(self.geo.communes[LYON])
        for c in units:
            if lyon_whole and c.parent == LYON:
                continue
            seat = min(seats, key=lambda s: _km(c, s))
            out[seat.insee].add(c.insee)
            if lyon_whole and c.insee == LYON:
                out[seat.insee].update(x.insee for x in self.by_dep[dep] if x.parent == LYON)
        return out

    # -- networks ---------------------------------------------------------------
    def missions_locales(self, count=40, sites_total=290):
        per_dep = self.allocate(count)
        groups = []
        for dep in self.deps:
            seats = self.spread_pick(
                [c for c in self.by_dep[dep] if c.parent is None] + ([self.geo.communes[LYON]] if dep == "69" else []),
                per_dep[dep],
            )
            for seat, terr in self.partition(dep, seats, lyon_whole=True).items():
                groups.append((dep, self.geo.communes[seat], terr))
        pops = [sum(self.geo.communes[i].population for i in t if i != LYON) for _, _, t in groups]
        antennas = _largest_remainder([p for p in pops], sites_total - len(groups))
        publics = {"age_min": 16, "age_max": 25}
        for (dep, seat, terr), n_ant in zip(groups, antennas):
            label = f"Mission locale {seat.name}" if seat.insee != LYON else "Mission locale de Lyon"
            s = self.new_structure("mission-locale", 1, label, dep, terr)
            home = self._home(seat)
            self.new_site(
                s,
                home,
                f"{label} – siège",
                "mission-locale",
                publics,
                [1, 2],
                ("en-presentiel", "a-distance"),
                False,
                "Accueil, information, orientation et accompagnement des jeunes de 16 à 25 ans.",
            )
            places = [self.geo.communes[i] for i in sorted(terr) if i != LYON]
            for c in self.weighted_pick(places, n_ant, 0.8, exclude={home.insee}):
                self.new_site(
                    s,
                    c,
                    f"{label} – antenne de {c.name}",
                    "mission-locale-antenne",
                    publics,
                    [1, 2],
                    appointment=True,
                    description="Permanence de proximité de la Mission locale.",
                )

    def _home(self, commune):
        """Where a seat's site stands: Lyon's seats go to an arrondissement."""
        if commune.insee != LYON:
            return commune
        arms = [c for c in self.placeable if c.parent == LYON]
        return self.weighted_pick(arms, 1)[0]

    def cio(self, count=60):
        per_dep = self.allocate(count, minimum=2)
        publics = {"age_min": 11, "statuses": SCHOOL + ["demandeurs-emploi", "sans-activite"]}
        for dep in self.deps:
            seats = self.spread_pick(self.by_dep[dep], per_dep[dep])
            for seat_code, terr in self.partition(dep, seats, lyon_whole=False).items():
                seat = self.geo.communes[seat_code]
                s = self.new_structure("cio", 1, f"CIO {_de(seat.name)}", dep, terr)
                self.new_site(
                    s,
                    seat,
                    f"CIO {_de(seat.name)}",
                    "cio",
                    publics,
                    [1, 2],
                    ("en-presentiel", "a-distance"),
                    description="Information et conseil sur les études, les formations et les métiers.",
                )

    def france_travail(self, agencies=130):
        per_dep = self.allocate(agencies, minimum=4)
        publics = {
            "age_min": 16,
            "statuses": [
                "demandeurs-emploi",
                "sans-activite",
                "personnes-en-situation-de-handicap",
                "salaries",
                "cadres",
                "independants",
                "apprentis",
            ],
        }
        for dep in self.deps:
            s = self.new_structure(
                "france-travail",
                1,
                f"France Travail – direction territoriale {_de(self.geo.department_name(dep))}",
                dep,
            )
            for c in self._towns(dep, per_dep[dep], per_town=60_000):
                self.new_site(
                    s,
                    c,
                    f"Agence France Travail {c.name}",
                    "france-travail",
                    publics,
                    [1, 2],
                    ("en-presentiel", "a-distance"),
                    True,
                    "Inscription, indemnisation, conseil en évolution professionnelle des demandeurs d'emploi.",
                )

    def _towns(self, dep: str, k: int, per_town: int) -> list:
        """k places by population; a large town may hold one place per per_town inhabitants."""
        slots = []
        for c in self.by_dep[dep]:
            slots += [c] * max(1, min(4, c.population // per_town))
        slots.sort(key=lambda c: -c.population)
        picked, seen = [], {}
        for c in slots:
            if len(picked) == k:
                break
            if seen.get(c.insee, 0) < max(1, c.population // per_town):
                picked.append(c)
                seen[c.insee] = seen.get(c.insee, 0) + 1
        return picked

    def cap_emploi(self, antennas_per_dep=1):
        publics = {"age_min": 16, "statuses": ["personnes-en-situation-de-handicap"]}
        for dep in self.deps:
            terr = {c.insee for c in self.by_dep[dep]} | ({LYON} if dep == "69" else set())
            s = self.new_structure("cap-emploi", 1, f"Cap emploi {self.geo.department_name(dep)}", dep, terr)
            towns = self._towns(dep, 1 + antennas_per_dep, per_town=10**9)
            for i, c in enumerate(towns):
                kind = "siège" if i == 0 else f"antenne de {c.name}"
                self.new_site(
                    s,
                    c,
                    f"Cap emploi {self.geo.department_name(dep)} – {kind}",
                    "cap-emploi",
                    publics,
                    [1, 2],
                    ("en-presentiel", "a-distance"),
                    True,
                    "Accompagnement vers l'emploi des personnes en situation de handicap (RQTH).",
                )

    def apec(self):
        cities = []
        for dep in self.deps:
            top = max(self.by_dep[dep], key=lambda c: c.population)
            if top.population >= 50_000 or top.parent == LYON:
                cities.append(top)
        s = self.new_structure("apec", 1, "Apec Auvergne-Rhône-Alpes", "69")
        publics = {
            "age_min": 18,
            "statuses": ["cadres", "salaries", "demandeurs-emploi", "etudiants"],
            "qualifications": HIGHER,
        }
        for c in cities:
            name = _short(c)
            self.new_site(
                s,
                c,
                f"Apec {name}",
                "apec",
                publics,
                [1, 2],
                ("en-presentiel", "a-distance"),
                True,
                "Conseil en évolution professionnelle des cadres et jeunes diplômés.",
            )

    def information_jeunesse(self, count=160):
        per_dep = self.allocate(count - 1, minimum=5)
        publics = {"age_min": 11, "age_max": 30}
        crij = self.new_structure("reseau-information-jeunesse", 1, "Centre régional Information Jeunesse", "69")
        for c in [self._home(self.geo.communes[LYON]), max(self.by_dep["63"], key=lambda c: c.population)]:
            self.new_site(
                crij,
                c,
                f"CRIJ – accueil de {_short(c)}",
                "reseau-information-jeunesse",
                publics,
                [1],
                ("en-presentiel", "a-distance"),
                description="Information des jeunes : études, métiers, logement, mobilité, santé.",
            )
        for dep in self.deps:
            for c in self.weighted_pick(self.by_dep[dep], per_dep[dep], 0.6):
                kind = "Bureau" if c.population > 20_000 else "Point"
                s = self.new_structure("reseau-information-jeunesse", 1, f"{kind} Information Jeunesse {c.name}", dep)
                self.new_site(
                    s,
                    c,
                    f"{kind} Information Jeunesse {c.name}",
                    "reseau-information-jeunesse",
                    publics,
                    [1],
                    description="Information des jeunes en accès libre et anonyme.",
                )

    def cep(self, per_dep=4):
        s = self.new_structure("cep", 1, "Opérateur régional du Conseil en évolution professionnelle", "69")
        publics = {"age_min": 18, "statuses": WORKERS}
        for dep in self.deps:
            for c in self._towns(dep, per_dep, per_town=150_000):
                self.new_site(
                    s,
                    c,
                    f"CEP – point conseil {_short(c)}",
                    "cep",
                    publics,
                    [2],
                    ("en-presentiel", "a-distance"),
                    True,
                    "Conseil en évolution professionnelle gratuit et confidentiel pour les actifs en emploi.",
                )

    def chambres(self):
        kinds = [
            ("Chambre de commerce et d'industrie", SCHOOL + ["demandeurs-emploi", "salaries", "independants"], [1]),
            (
                "Chambre de métiers et de l'artisanat",
                ["eleves", "apprentis", "demandeurs-emploi", "salaries", "independants"],
                [1, 2],
            ),
            ("Chambre d'agriculture", ["eleves", "apprentis", "demandeurs-emploi", "independants", "salaries"], [1]),
        ]
        for dep in self.deps:
            towns = self._towns(dep, 3, per_town=10**9)
            for (label, statuses, levels), c in zip(kinds, towns + towns[:1] * 3):
                name = f"{label} – {self.geo.department_name(dep)}"
                s = self.new_structure("chambre-consulaire", 1, name, dep)
                self.new_site(
                    s,
                    c,
                    name,
                    "chambre-consulaire",
                    {"age_min": 14, "statuses": statuses},
                    levels,
                    description="Information sur les métiers, l'apprentissage et la création d'entreprise.",
                )

    # University orientation services and their campuses (real university towns).
    UNIVERSITIES = [
        ("Lyon 1", "69", ["69266", "69388"]),
        ("Lyon 2", "69", ["69387", "69029"]),
        ("Lyon 3", "69", ["69388"]),
        ("Grenoble Alpes", "38", ["38185", "38421", "26362"]),
        ("Clermont Auvergne", "63", ["63113", "15014", "03310"]),
        ("Saint-Étienne", "42", ["42218", "42187"]),
        ("Savoie Mont Blanc", "73", ["73065", "74010", "73051"]),
    ]

    def universites(self):
        publics = {"age_min": 15, "statuses": ["eleves", "etudiants", "salaries", "demandeurs-emploi"]}
        for label, dep, campuses in self.UNIVERSITIES:
            name = f"Service universitaire d'orientation – université {label}"
            s = self.new_structure("universite", 1, name, dep)
            for code in campuses:
                c = self.geo.communes[code]
                self.new_site(
                    s,
                    c,
                    f"{name} – campus {_short(c)}",
                    "universite",
                    publics,
                    [1, 2],
                    ("en-presentiel", "a-distance"),
                    description="Orientation, réorientation et insertion des étudiants.",
                )

    def maisons_emploi(self, count=10):
        publics = {"age_min": 16, "statuses": ["demandeurs-emploi", "salaries", "sans-activite", "independants"]}
        deps = self.rng.sample(self.deps, count)
        for dep in sorted(deps):
            towns = self._towns(dep, 6, per_town=10**9)[1:]
            home = self.rng.choice(towns[:3])
            s = self.new_structure("maison-emploi", 2, f"Maison de l'emploi {_de(home.name)}", dep)
            extra = [c for c in towns if c != home][: self.rng.randint(0, 1)]
            for c in [home] + extra:
                self.new_site(
                    s,
                    c,
                    f"Maison de l'emploi {home.name} – {c.name}",
                    "maison-emploi",
                    publics,
                    [1, 2],
                    description="Accueil emploi-formation de proximité.",
                )

    def associations(self, count=80, sites_total=140):
        profiles = [
            ({}, [1], "Accueil et information sur les métiers et la formation."),
            ({"statuses": ["demandeurs-emploi", "sans-activite"]}, [1, 2], "Accompagnement vers l'emploi."),
            ({"age_min": 16, "age_max": 30}, [1, 2], "Accompagnement des jeunes."),
            (
                {"statuses": ["personnes-en-situation-de-handicap", "demandeurs-emploi"]},
                [1, 2],
                "Accompagnement des personnes en situation de handicap.",
            ),
            (
                {"age_min": 45, "statuses": ["salaries", "demandeurs-emploi", "sans-activite"]},
                [2],
                "Bilan et reconversion des actifs de plus de 45 ans.",
            ),
            ({"qualifications": ["sans-diplome", "niveau-3"]}, [1, 2], "Remobilisation et accès à la qualification."),
        ]
        names = ["Avenir", "Tremplin", "Passerelle", "Horizons", "Cap Métiers", "Trajectoires", "Boussole", "Élan"]
        extra = sites_total - count
        for i in range(count):
            dep = self.rng.choices(self.deps, [self.dep_population(d) for d in self.deps])[0]
            home = self.weighted_pick(self.by_dep[dep], 1, 0.7)[0]
            publics, levels, desc = profiles[i % len(profiles)]
            label = f"Association {self.rng.choice(names)} {_short(home)}"
            s = self.new_structure("association-labellisee", 2, label, dep)
            places = [home] + (self.weighted_pick(self.by_dep[dep], 1, 0.7, exclude={home.insee}) if i < extra else [])
            for c in places:
                self.new_site(
                    s,
                    c,
                    f"{label} – {c.name}",
                    "association-labellisee",
                    publics,
                    levels,
                    ("en-presentiel", "a-distance") if 2 in levels else ("en-presentiel",),
                    description=desc,
                )

    def relais(self, count=45):
        per_dep = self.allocate(count, minimum=3)
        for dep in self.deps:
            small = [c for c in self.by_dep[dep] if 800 <= c.population <= 8000]
            for c in self.weighted_pick(small, per_dep[dep], 0.5):
                s = self.new_structure("relais-partenaire", 3, f"France services {c.name}", dep)
                self.new_site(
                    s,
                    c,
                    f"France services {c.name}",
                    "relais-partenaire",
                    {},
                    [1],
                    ("en-presentiel", "a-distance"),
                    description="Premier accueil et mise en relation avec les opérateurs du SPRO.",
                )

    def communes(self, count):
        taken = {s["commune"] for s in self.sites}
        for dep, n in self.allocate(count).items():
            pool = [c for c in self.by_dep[dep] if c.insee not in taken and 1500 <= c.population <= 40_000]
            for c in self.weighted_pick(pool, n, 0.5):
                s = self.new_structure(
                    "commune-labellisee", 2, f"Point accueil orientation – mairie {_de(c.name)}", dep
                )
                self.new_site(
                    s,
                    c,
                    f"Point accueil orientation {_de(c.name)}",
                    "commune-labellisee",
                    {},
                    [1],
                    description="Premier accueil et information sur l'orientation, la formation et l'emploi.",
                )

    def run(self) -> dict:
        self.missions_locales()
        self.cio()
        self.france_travail()
        self.cap_emploi()
        self.apec()
        self.information_jeunesse()
        self.cep()
        self.chambres()
        self.universites()
        self.maisons_emploi()
        self.associations()
        self.relais()
        self.communes(STRUCTURES_TOTAL - len(self.structures))
        assert len(self.structures) == STRUCTURES_TOTAL, len(self.structures)
        assert 1000 <= len(self.sites) <= 1200, len(self.sites)
        return {
            "demo": True,
            "source": "Annuaire de démonstration SPRO Auvergne-Rhône-Alpes (structures fictives)",
            "generator": "scripts/generate_demo.py",
            "structures": self.structures,
            "sites": self.sites,
        }


def _de(name: str) -> str:
    """French "de" before a name, elided before a vowel: "d'Aurillac", "de Vienne"."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    return ("d'" if name[:1].upper() in "AEIOUYÉÈÂÎ" else "de ") + name


def _short(c) -> str:
    """Commune name for labels: Lyon's arrondissements become "Lyon"."""
    return "Lyon" if c.parent == LYON else c.name


def _km(a, b) -> float:
    """Approximate distance in km between two communes' reference points (for placement only)."""
    dx = (a.ref_lon - b.ref_lon) * 111.32 * math.cos(math.radians((a.ref_lat + b.ref_lat) / 2))
    dy = (a.ref_lat - b.ref_lat) * 111.32
    return math.hypot(dx, dy)


def _largest_remainder(weights: list[float], total: int) -> list[int]:
    whole = sum(weights) or 1
    raw = [total * w / whole for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def _days_before(iso: str, days: int) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso) - dt.timedelta(days=days)).isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=ROOT / "geodata" / "demo" / "directory.json")
    args = parser.parse_args()
    data = Generator(geography.load(), args.seed).run()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        fh.write('{"demo": true, "source": ' + json.dumps(data["source"], ensure_ascii=False) + ",\n")
        fh.write('"generator": "scripts/generate_demo.py", "seed": ' + str(args.seed) + ",\n")
        for key in ("structures", "sites"):
            fh.write(f'"{key}": [\n')
            fh.write(",\n".join(json.dumps(x, ensure_ascii=False) for x in data[key]))
            fh.write("\n]" + ("," if key == "structures" else "") + "\n")
        fh.write("}\n")
    by_net: dict[str, int] = {}
    for s in data["structures"]:
        by_net[s["network"]] = by_net.get(s["network"], 0) + 1
    print(f"{len(data['structures'])} structures, {len(data['sites'])} sites -> {args.out}")
    print(", ".join(f"{k}: {v}" for k, v in sorted(by_net.items())))


if __name__ == "__main__":
    main()
