"""Command line: ``spro-finder COMMAND``.

Commands: init (create the store with the demo directory), nearest (find sites from a
commune or a position), info (the served dataset); field-staff commands coverage, suggest
and critical live in cli.staff; directory management (import, export, versions, publish,
rollback, user) in cli.directory; migrate, backup, restore and prune in cli.database. Every
command reads the settings through cli.context. The audit trail goes to standard error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from finder import config
from finder.cli import campaigns as cli_campaigns
from finder.cli import context
from finder.cli import database as cli_database
from finder.cli import directory as cli_directory
from finder.cli import jobs as cli_jobs
from finder.cli import staff as cli_staff
from finder.cli.common import add_options, as_args, print_table
from finder.errors import FinderError
from finder.service import nearest, params
from finder.storage import audit, database
from finder.storage.store import Store


def cmd_init(args) -> int:
    cfg = context.settings(args)
    loaded = Store(cfg["DATABASE_URL"]).initialise(Path(cfg["DEMO_DIRECTORY"]))
    where = database.redacted(cfg["DATABASE_URL"])
    print(f"Base {where} : " + ("annuaire de démonstration chargé." if loaded else "déjà initialisée."))
    return 0


def cmd_nearest(args) -> int:
    catalog = context.load_catalog(args)
    engine = catalog.engine
    found = nearest.answer(catalog, params.NEAREST.parse(as_args(args, params.NEAREST), catalog.geo))
    origin, results = found.origin, found.results()
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
    d = context.load_catalog(args).dataset_json()
    print(
        f"Version {d['version']} — {d['structures']} structures, {d['sites']} lieux"
        + (" (démonstration)" if d["demo"] else "")
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="spro-finder", description="Lieux d'accueil du SPRO Auvergne-Rhône-Alpes")
    p.add_argument(
        "--database",
        help="fichier SQLite ou URL postgresql://… (défaut : DATABASE_URL configuré, sinon instance/spro.sqlite3)",
    )
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="créer la base et charger l'annuaire de démonstration").set_defaults(func=cmd_init)
    sub.add_parser("info", help="version servie de l'annuaire").set_defaults(func=cmd_info)
    n = sub.add_parser("nearest", help="lieux d'accueil les plus proches")
    add_options(n, params.NEAREST)
    n.set_defaults(func=cmd_nearest)
    cli_staff.add_commands(sub, context.load_catalog)
    cli_directory.register(sub)
    cli_database.register(sub)
    cli_campaigns.register(sub)
    cli_jobs.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    audit.to_stream("stderr")
    try:
        return args.func(args)
    except FinderError as err:
        print(f"Erreur ({err.field or 'entrée'}) : {err.message}", file=sys.stderr)
        return 2
    except config.ConfigError as err:
        print(f"Erreur (configuration) : {err}", file=sys.stderr)
        return 2
    except database.driver_errors() as err:  # the database failed during the command
        print(f"Erreur (base de données) : {database.first_line(err)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
