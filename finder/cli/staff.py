"""Field-staff commands of ``spro-finder``: coverage, suggest, critical.

Profile options are those of ``nearest``; ``--department`` restricts the communes analysed.
Long tasks show progress on standard error (finder.cli.progress.Bar).
"""

from __future__ import annotations

import sys

from finder.cli.common import add_options, as_args, print_table
from finder.cli.progress import Bar
from finder.service import coverage, params, planning


def add_commands(sub, catalog_of) -> None:
    """Add the commands to an argparse subparsers object; catalog_of(args) gives the served Catalog."""
    c = sub.add_parser("coverage", help="couverture territoriale d'un profil (CSV ou GeoJSON)")
    add_options(c, params.COVERAGE)
    c.add_argument("--format", choices=["summary", "csv", "geojson"], default="summary")
    c.add_argument("--output", "-o", help="fichier de sortie (défaut : sortie standard)")
    c.set_defaults(func=lambda a: cmd_coverage(a, catalog_of(a)))
    s = sub.add_parser("suggest", help="où labelliser : communes qui gagneraient le plus de population couverte")
    add_options(s, params.PLANNING)
    s.set_defaults(func=lambda a: cmd_suggest(a, catalog_of(a)))
    k = sub.add_parser("critical", help="lieux irremplaçables : population hors seuil s'ils fermaient")
    add_options(k, params.CRITICAL)
    k.set_defaults(func=lambda a: cmd_critical(a, catalog_of(a)))


def _parsed(args, catalog, endpoint):
    return endpoint.parse(as_args(args, endpoint), catalog.geo)


def cmd_coverage(args, catalog) -> int:
    answer = coverage.answer(catalog, _parsed(args, catalog, params.COVERAGE))
    if args.format == "summary":
        _print_summary(answer.coverage, catalog.engine, answer.mask)
        return 0
    progress = Bar().stage("Export des communes")
    text = answer.csv(progress) if args.format == "csv" else answer.geojson(progress)
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


def cmd_suggest(args, catalog) -> int:
    answer = planning.answer(catalog, _parsed(args, catalog, params.PLANNING))
    cov = answer.coverage
    before = cov.coverage.summary(cov.mask)
    print(f"Où labelliser ? Seuil {cov.max_km:g} km — couverture actuelle {100 * before.share_covered:.1f} %")
    rows = [("#", "Commune", "Dép.", "Population gagnée", "Communes", "Couverture après")]
    for n, st in enumerate(answer.steps, 1):
        c = cov.analyser.communes.items[st.commune]
        rows.append((str(n), f"{c.name} ({c.insee})", c.department, str(st.gained), str(st.communes_gained), _pct(st)))
    print_table(rows)
    if len(answer.steps) < answer.k:
        print("Plus aucune commune ne gagne de population : toute la population est couverte.")
    return 0


def cmd_critical(args, catalog) -> int:
    parsed = _parsed(args, catalog, params.CRITICAL)
    engine = catalog.engine
    ranked = planning.answer(catalog, parsed).critical
    rows = [("#", "Lieu", "Commune", "Population hors seuil s'il fermait", "Communes")]
    for n, cr in enumerate(ranked[: parsed["limit"]], 1):
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
