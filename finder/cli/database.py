"""Commands on the database itself: migrate, backup, restore, prune.

``backup FILE`` takes a consistent copy while the app serves (SQLite's online backup API, or
``pg_dump``); ``restore FILE`` replaces the database's content by a backup's, then applies
the migrations the backup may lack; ``prune --keep N`` deletes old versions (never the
published one nor the one before it).
"""

from __future__ import annotations

from pathlib import Path

from finder.cli.context import open_store, settings
from finder.directory import versions
from finder.storage import audit, database
from finder.storage.store import Store


def _store(args) -> Store:
    return Store(settings(args)["DATABASE_URL"])


def cmd_migrate(args) -> int:
    store = _store(args)
    before, after = store.migrate()
    where = database.redacted(store.url)
    if before == after:
        print(f"Base {where} : schéma à jour (version {after}).")
    else:
        print(f"Base {where} : schéma passé de la version {before} à la version {after}.")
    return 0


def cmd_backup(args) -> int:
    store = _store(args)
    target = Path(args.file)
    if target.exists() and not args.force:
        print(f"{target} existe déjà : choisissez un autre nom ou ajoutez --force.")
        return 2
    if target.exists():
        target.unlink()
    store.db.backup(target)
    print(f"Sauvegarde de {database.redacted(store.url)} écrite dans {target}.")
    return 0


def cmd_restore(args) -> int:
    store = _store(args)
    store.db.restore(Path(args.file))
    store.migrate()
    audit.event("restore", file=str(args.file), version=store.published_version())
    print(f"Base {database.redacted(store.url)} restaurée depuis {args.file} : version {store.published_version()} "
          "publiée. Les serveurs la servent au prochain contrôle (ou redémarrez-les).")  # fmt: skip
    return 0


def cmd_prune(args) -> int:
    store = open_store(settings(args))
    result = versions.prune(store, args.keep)
    if not result.deleted:
        print(f"Rien à supprimer : versions gardées {', '.join(map(str, result.kept))}.")
        return 0
    rows = result.rows
    print(
        f"Versions supprimées : {', '.join(map(str, result.deleted))} ({rows['sites']} lignes de lieux, "
        f"{rows['structures']} de structures, {rows['import_reports']} rapports d'import). "
        f"Versions gardées : {', '.join(map(str, result.kept))}."
    )
    return 0


def register(sub) -> None:
    sub.add_parser("migrate", help="appliquer les migrations du schéma de la base").set_defaults(func=cmd_migrate)
    b = sub.add_parser("backup", help="sauvegarde cohérente de la base, à chaud (SQLite ou pg_dump)")
    b.add_argument("file")
    b.add_argument("--force", action="store_true", help="remplacer le fichier s'il existe")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="remplacer le contenu de la base par une sauvegarde")
    r.add_argument("file")
    r.set_defaults(func=cmd_restore)
    p = sub.add_parser("prune", help="supprimer les anciennes versions (jamais la publiée ni la précédente)")
    p.add_argument("--keep", type=int, required=True, help="nombre de versions récentes gardées")
    p.set_defaults(func=cmd_prune)
