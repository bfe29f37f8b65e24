"""Field-staff commands of ``spro-finder``: coverage, suggest, critical.

Profile options are those of ``nearest``; ``--department`` restricts the communes analysed.
Long tasks show progress on standard error (finder.cli.progress.Bar).
"""

from __future__ import annotations

import sys

from finder.cli.common import PROFILE_OPTIONS, add_profile_args, as_query, print_table
from finder.cli.progress import Bar
from finder.domain import coverage, planning
from finder.present.coverage_export import to_csv, to_geojson
from finder.service import query, staff_query

STAFF_OPTIONS = (*PROFILE_OPTIONS, "department", "max_km")


def add_commands(sub, engine_of) -> None:
    """Add the commands to an argparse subparsers object; engine_of(args) gives the Engine."""
    c = sub.add_parser("coverage", help="couverture territoriale d'un profil (CSV ou GeoJSON)")
    _profile(c)
    c.add_argument("--format", choices=["summary", "csv", "geojson"], default="summary")
    c.add_argument("--output", "-o", help="fichier de sortie (défaut : sortie standard)")
    c.set_defaults(func=lambda a: cmd_coverage(a, engine_of(a)))
    s = sub.add_parser("suggest", help="où labelliser : communes qui gagneraient le plus de population couverte")
    _profile(s)
    s.add_argument("-k", type=str, default=None, help="nombre de suggestions (1 à 20, défaut 5)")
    s.set_defaults(func=lambda a: cmd_suggest(a, engine_of(a)))
    k = sub.add_parser("critical", help="lieux irremplaçables : population hors seuil s'ils fermaient")
    _profile(k)
    k.add_argument("--limit", type=str, default=None, help="nombre de lieux affichés (défaut 10)")
    k.set_defaults(func=lambda a: cmd_critical(a, engine_of(a)))


def _profile(p) -> None:
    add_profile_args(p)
    p.add_argument("--department", help="code du département analysé")
    p.add_argument("--max-km", dest="max_km", type=str, help="seuil de distance en km (défaut 20)")


def _query(args, engine) -> staff_query.CoverageQuery:
    return staff_query.parse_coverage(as_query(args, STAFF_OPTIONS), engine.geo.departments)


def cmd_coverage(args, engine) -> int:
    q = _query(args, engine)
    a = coverage.analyser(engine)
    cov = a.coverage(q.criteria, q.max_km)
    mask = a.communes.mask(q.department)
    if args.format == "summary":
        _print_summary(cov, engine, mask)
        return 0
    progress = Bar().stage("Export des communes")
    if args.format == "csv":
        text = to_csv(cov, engine.sites, mask, progress)
    else:
        head = {"filters": q.filters_json(), "max_km": q.max_km, "dataset": engine.dataset_json()}
        text = to_geojson(cov, engine.sites, mask, engine.geo.polygons, head, progress)
    _write(text, args.output)
    return 0


def _write(text: str, path: str | None) -> None:
    if path:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        print(f"→ {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _print_summary(cov, engine, mask) -> None:
    rows = [("Territoire", "Communes", "Population", "Couverte", "Part", "Médiane km", "P90 km")]
    deps = [d for d in sorted(engine.geo.departments) if (mask & (cov.communes.departments == d)).any()]
    for name, m in [("Région" if mask.all() else "Sélection", mask)] + [
        (engine.geo.department_name(d), mask & (cov.communes.departments == d)) for d in deps
    ]:
        s = cov.summary(m)
        rows.append(
            (
                name,
                str(s.communes),
                str(s.population),
                str(s.population_covered),
                f"{100 * s.share_covered:.1f} %",
                _km(s.median_km),
                _km(s.p90_km),
            )
        )
    print_table(rows)
    white = cov.uncovered(mask)
    print(f"\nZones blanches (au-delà de {cov.max_km:g} km) : {len(white)} communes")
    for i in white[:10]:
        c = cov.communes.items[i]
        print(f"  {c.insee}  {c.name} ({c.department}) — {c.population} hab., {_km(cov.km[i])} km")


def cmd_suggest(args, engine) -> int:
    raw = query.Args({"k": [args.k]} if args.k is not None else {})
    k = staff_query.parse_k(raw)
    q = _query(args, engine)
    a = coverage.analyser(engine)
    steps = planning.suggest(a, q.criteria, q.max_km, k, a.communes.mask(q.department))
    before = a.coverage(q.criteria, q.max_km).summary(a.communes.mask(q.department))
    print(f"Où labelliser ? Seuil {q.max_km:g} km — couverture actuelle {100 * before.share_covered:.1f} %")
    rows = [("#", "Commune", "Dép.", "Population gagnée", "Communes", "Couverture après")]
    for n, st in enumerate(steps, 1):
        c = a.communes.items[st.commune]
        rows.append((str(n), f"{c.name} ({c.insee})", c.department, str(st.gained), str(st.communes_gained), _pct(st)))
    print_table(rows)
    if len(steps) < k:
        print("Plus aucune commune ne gagne de population : toute la population est couverte.")
    return 0


def cmd_critical(args, engine) -> int:
    limit = query.parse_int(query.Args({"limit": [args.limit]} if args.limit else {}), "limit", 1, 1000, 10)
    q = _query(args, engine)
    a = coverage.analyser(engine)
    ranked = planning.criticality(a, q.criteria, q.max_km, a.communes.mask(q.department))
    rows = [("#", "Lieu", "Commune", "Population hors seuil s'il fermait", "Communes")]
    for n, cr in enumerate(ranked[:limit], 1):
        site = engine.sites[cr.site_pos]
        commune = engine.geo.communes.get(site.commune)
        rows.append(
            (str(n), site.name, commune.name if commune else site.commune, str(cr.population), str(cr.communes))
        )
    print_table(rows)
    return 0


def _pct(step) -> str:
    return f"{100 * step.share_covered:.1f} %"


def _km(x) -> str:
    return "—" if x is None or x == float("inf") else f"{x:.1f}"
