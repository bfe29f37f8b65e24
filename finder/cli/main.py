"""Command line: ``spro-finder COMMAND``.

Commands: init (create the store with the demo directory), nearest (find sites from a
commune or a position), info (the served dataset); field-staff commands coverage, suggest
and critical live in cli.staff; directory management (import, export, versions, publish,
rollback, user) in cli.directory. Every command reads the settings through cli.context.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from finder import config
from finder.cli import context
from finder.cli import directory as cli_directory
from finder.cli import staff as cli_staff
from finder.cli.common import PROFILE_OPTIONS, add_profile_args, as_query, print_table
from finder.errors import FinderError
from finder.service import query
from finder.storage.store import Store


def cmd_init(args) -> int:
    cfg = context.settings(args)
    loaded = Store(cfg["DATABASE"]).initialise(Path(cfg["DEMO_DIRECTORY"]))
    print(f"Base {cfg['DATABASE']} : " + ("annuaire de démonstration chargé." if loaded else "déjà initialisée."))
    return 0


def cmd_nearest(args) -> int:
    engine = context.load_engine(args)
    raw = as_query(args, PROFILE_OPTIONS + ("commune", "lat", "lon", "limit", "max_km"))
    origin_q = query.parse_origin(raw)
    criteria = query.parse_criteria(raw)
    limit = query.parse_limit(raw)
    max_km = query.parse_max_km(raw)
    origin = (
        engine.origin_from_commune(origin_q.commune)
        if origin_q.commune
        else engine.origin_from_point(origin_q.lat, origin_q.lon)
    )
    results = engine.nearest(origin, criteria, limit, max_km)
    where = origin.commune.name if origin.commune else f"{origin.lat:.5f}, {origin.lon:.5f}"
    print(f"Origine : {where} — {len(results)} lieu(x) d'accueil")
    rows = [("#", "km", "Lieu", "Réseau", "Commune", "Compétent")]
    for i, r in enumerate(results, 1):
        s = r.site
        commune = engine.geo.communes.get(s.commune)
        comp = {True: "oui", False: "non", None: "—"}[r.in_territory]
        rows.append(
            (
                str(i),
                f"{r.distance_km:.1f}",
                s.name,
                engine.structures[s.structure_id].network,
                commune.name if commune else s.commune,
                comp,
            )
        )
    print_table(rows)
    return 0


def cmd_info(args) -> int:
    engine = context.load_engine(args)
    d = engine.dataset_json()
    print(
        f"Version {d['version']} — {d['structures']} structures, {d['sites']} lieux"
        + (" (démonstration)" if d["demo"] else "")
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spro-finder", description="Lieux d'accueil du SPRO Auvergne-Rhône-Alpes")
    p.add_argument("--database", help="fichier SQLite (défaut : DATABASE configuré, sinon instance/spro.sqlite3)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="créer la base et charger l'annuaire de démonstration").set_defaults(func=cmd_init)
    sub.add_parser("info", help="version servie de l'annuaire").set_defaults(func=cmd_info)
    n = sub.add_parser("nearest", help="lieux d'accueil les plus proches")
    n.add_argument("--commune", help="code INSEE de la commune d'origine")
    n.add_argument("--lat", type=str)
    n.add_argument("--lon", type=str)
    add_profile_args(n)
    n.add_argument("--limit", type=str)
    n.add_argument("--max-km", dest="max_km", type=str)
    n.set_defaults(func=cmd_nearest)
    cli_staff.add_commands(sub, context.load_engine)
    cli_directory.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FinderError as err:
        print(f"Erreur ({err.field or 'entrée'}) : {err.message}", file=sys.stderr)
        return 2
    except config.ConfigError as err:
        print(f"Erreur (configuration) : {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
