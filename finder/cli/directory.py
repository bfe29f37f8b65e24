"""Command line for directory management: import, export, versions, publish, rollback, user.

Registered on the ``spro-finder`` parser by finder.cli. Exit codes: 0 done, 1 the file has
errors (nothing stored), 2 bad usage or an error of the store.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from finder.cli.common import print_table
from finder.cli.context import open_store, settings
from finder.cli.progress import Bar
from finder.directory import export, importer, versions
from finder.domain import geography
from finder.errors import InvalidParameter
from finder.service import opendata, referents
from finder.service.accounts import Accounts


def _author(args) -> str:
    return args.author or os.environ.get("SPRO_AUTHOR") or getpass.getuser()


def cmd_import(args) -> int:
    cfg = settings(args)
    store = open_store(cfg)
    paths = [Path(f) for f in [args.file, args.more] if f]
    limits = importer.Settings.from_config(cfg)
    try:
        data = []
        for p in paths:
            with p.open("rb") as fh:
                data.append(fh.read(limits.max_bytes + 1))  # one byte more than allowed: refused, with its report
    except OSError as err:
        raise InvalidParameter(f"Fichier illisible : {err.filename} ({err.strerror}).", field="file") from None
    path = paths[0]
    result = importer.run(
        data if len(data) > 1 else data[0],
        store,
        geography.load(cfg["REGION"], Path(cfg["GEODATA_DIR"])),
        limits,
        author=_author(args),
        filename=path.name,
        dry_run=args.dry_run,
        publish=not args.no_publish,
        demo=args.demo,
        progress=Bar(),
    )
    sys.stdout.write(result.report.to_text())
    if not result.report.ok:
        print("Rien n'a été enregistré : l'annuaire publié est inchangé.")
        return 1
    print(f"Différences avec la version publiée : {result.diff.summary()}")
    if args.dry_run:
        print("Essai à blanc : rien n'a été enregistré.")
    elif result.published:
        print(f"Version {result.version} enregistrée et publiée.")
    else:
        print(f"Version {result.version} enregistrée, non publiée (spro-finder publish {result.version}).")
    return 0


def cmd_export(args) -> int:
    cfg = settings(args)
    store = open_store(cfg)
    directory = store.load(args.version)
    if args.format == "data-inclusion":
        counts = opendata.write(
            directory, geography.load(cfg["REGION"], Path(cfg["GEODATA_DIR"])), Path(args.file), cfg["OPENDATA_SOURCE"],
            cfg.get("PUBLIC_URL"),
        )  # fmt: skip
        print(
            f"Version {directory.info.version} exportée au format data·inclusion (licence etalab-2.0) "
            f"dans {args.file} : {counts[0]} structures, {counts[1]} services."
        )
        return 0
    count = export.write(
        directory, geography.load(cfg["REGION"], Path(cfg["GEODATA_DIR"])), Path(args.file), args.separator
    )
    print(f"Version {directory.info.version} exportée : {count} lieux dans {args.file}.")
    return 0


def cmd_versions(args) -> int:
    store = open_store(settings(args))
    rows = [("", "version", "créée le", "par", "source", "lieux", "structures")]
    for v in store.versions():
        mark = "*" if v["published"] else ""
        rows.append(
            (mark, str(v["id"]), v["created_at"], v["author"], v["source"], str(v["sites"]), str(v["structures"]))
        )
    print_table(rows, max_width=None)
    print("\n* version publiée. Dernières publications :")
    for entry in store.publish_log(limit=args.log):
        print(f"  {entry['at']} {entry['by']} ({entry['action']}) : {entry['summary']}")
    return 0


def cmd_publish(args, action: str = "publish") -> int:
    store = open_store(settings(args))
    change = versions.publish(store, args.version, _author(args), action=action)
    verb = "Retour à la version" if action == "rollback" else "Version publiée :"
    print(f"{verb} {args.version}. {change.summary()}")
    return 0


def cmd_rollback(args) -> int:
    return cmd_publish(args, action="rollback")


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmation : ") != password:
        raise InvalidParameter("Les deux saisies diffèrent.", field="password")
    return password


def cmd_user_add(args) -> int:
    cfg = settings(args)
    if args.role == "referent" or args.structure or args.email:
        return _add_with_invitation(args, cfg)
    name = Accounts(open_store(cfg)).add(args.username, _password(args))
    print(f"Compte « {name} » créé.")
    return 0


def cmd_user_reset_password(args) -> int:
    cfg = settings(args)
    name = Accounts(open_store(cfg)).reset_password(args.username, _password(args))
    print(f"Mot de passe de « {name} » changé ; ses sessions ouvertes sont closes.")
    return 0


def cmd_user_disable(args, disabled: bool = True) -> int:
    name = Accounts(open_store(settings(args))).disable(args.username, disabled)
    print(
        f"Compte « {name} » désactivé ; ses sessions ouvertes sont closes."
        if disabled
        else f"Compte « {name} » réactivé."
    )
    return 0


def _link(cfg: dict, path: str) -> str:
    return (cfg.get("PUBLIC_URL") or "") + path


def _add_with_invitation(args, cfg) -> int:
    """A référent (or staff member) invited by a link: no password on the command line."""
    store = open_store(cfg)
    structures = [s for value in args.structure or () for s in value.split(",")]
    invitation = referents.create_account(
        store, None, args.username, args.role or "referent", structures, store.load().structures, args.email,
        cfg["INVITATION_DAYS"],
    )  # fmt: skip
    print(f"Compte « {invitation.username} » créé ({args.role or 'referent'}).")
    print(f"Lien d'invitation, valable une fois jusqu'au {invitation.expires_at[:10]} :")
    print(_link(cfg, invitation.path))
    return 0


def cmd_user_invite(args) -> int:
    cfg = settings(args)
    invitation = referents.invite(open_store(cfg), None, args.username, cfg["INVITATION_DAYS"])
    print(
        f"Nouveau lien pour « {invitation.username} » (le précédent ne marche plus), "
        f"jusqu'au {invitation.expires_at[:10]} :"
    )
    print(_link(cfg, invitation.path))
    return 0


def cmd_user_list(args) -> int:
    for u in Accounts(open_store(settings(args))).list():
        state = "  (désactivé)" if u["disabled"] else ""
        print(f"{u['username']}  créé le {u['created_at']}  dernière connexion : {u['last_login'] or 'jamais'}{state}")
    return 0


def register(sub) -> None:
    """Add the directory-management commands to the ``spro-finder`` subparsers."""
    i = sub.add_parser("import", help="valider un fichier CSV ou XLSX et le publier comme nouvelle version")
    i.add_argument("file", help="fichier CSV (UTF-8 ou Windows-1252, « , » ou « ; ») ou XLSX")
    i.add_argument("more", nargs="?", default=None, help="format data·inclusion : le second fichier (services.json)")
    i.add_argument("--dry-run", action="store_true", help="valider seulement, ne rien enregistrer")
    i.add_argument("--no-publish", action="store_true", help="enregistrer la version sans la publier")
    i.add_argument("--demo", action="store_true", help="marquer la version comme fictive (démonstration)")
    i.add_argument("--author", help="auteur enregistré (défaut : utilisateur du système)")
    i.set_defaults(func=cmd_import)
    e = sub.add_parser("export", help="exporter l'annuaire publié au format d'import (.csv ou .xlsx) ou data·inclusion")
    e.add_argument("file", help="fichier .csv ou .xlsx ; dossier avec --format data-inclusion")
    e.add_argument(
        "--format", choices=["table", "data-inclusion"], default="table",
        help="data-inclusion : structures.json, services.json et metadata.json dans le dossier FILE",
    )  # fmt: skip
    e.add_argument("--version", type=int, help="version à exporter (défaut : la version publiée)")
    e.add_argument("--separator", choices=[",", ";"], default=";", help="séparateur CSV (défaut : ;)")
    e.set_defaults(func=cmd_export)
    v = sub.add_parser("versions", help="versions de l'annuaire et journal des publications")
    v.add_argument("--log", type=int, default=10, help="nombre de publications affichées")
    v.set_defaults(func=cmd_versions)
    for name, func, text in (
        ("publish", cmd_publish, "publier une version enregistrée"),
        ("rollback", cmd_rollback, "revenir à une version antérieure"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("version", type=int)
        p.add_argument("--author")
        p.set_defaults(func=func)
    u = sub.add_parser("user", help="comptes du personnel (accès /admin)").add_subparsers(dest="user", required=True)
    a = u.add_parser("add", help="créer un compte")
    a.add_argument("username")
    a.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    a.add_argument(
        "--role", choices=["staff", "referent"], help="staff (défaut) ou referent ; referent : invité par lien"
    )
    a.add_argument(
        "--structure", action="append", help="structure d'un référent (répétable, ou séparées par des virgules)"
    )
    a.add_argument("--email", help="courriel (obligatoire pour un référent : invitations et campagnes)")
    a.set_defaults(func=cmd_user_add)
    r = u.add_parser("reset-password", help="changer le mot de passe d'un compte (ferme ses sessions)")
    r.add_argument("username")
    r.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    r.set_defaults(func=cmd_user_reset_password)
    d = u.add_parser("disable", help="désactiver un compte (ferme ses sessions)")
    d.add_argument("username")
    d.set_defaults(func=cmd_user_disable)
    e = u.add_parser("enable", help="réactiver un compte désactivé")
    e.add_argument("username")
    e.set_defaults(func=lambda args: cmd_user_disable(args, disabled=False))
    n = u.add_parser("invite", help="nouveau lien d'invitation (le précédent ne marche plus)")
    n.add_argument("username")
    n.set_defaults(func=cmd_user_invite)
    u.add_parser("list", help="lister les comptes").set_defaults(func=cmd_user_list)
