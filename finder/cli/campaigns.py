"""``spro-finder campaign start | remind | list``: freshness campaigns from the command line.

The same core as the staff pages (``finder.service.campaigns``), acting as a staff member
named by ``--author`` (default: the system user); e-mail through the configured SMTP server,
or the links printed when SMTP_HOST is not set. ``remind`` can run from cron: there is no
background scheduler.
"""

from __future__ import annotations

import getpass
import os

from finder.cli.common import print_table
from finder.cli.context import open_store, settings
from finder.service import authz, campaigns
from finder.service.mail import Mailer


def _staff(args) -> authz.Principal:
    return authz.Principal(args.author or os.environ.get("SPRO_AUTHOR") or getpass.getuser(), authz.STAFF)


def _report(sending) -> None:
    print(f"Campagne n° {sending.campaign_id} : {len(sending.sent)} courriel(s) envoyé(s).")
    for address in sending.failed:
        print(f"  échec de l'envoi à {address}")
    if sending.unreachable:
        print(f"  {len(sending.unreachable)} structure(s) sans référent : {', '.join(sending.unreachable[:20])}")
    for user, link in sending.links.items():
        print(f"  {user} : {link}")


def cmd_start(args) -> int:
    cfg = settings(args)
    store = open_store(cfg)
    directory = store.load()
    wanted = sorted(directory.structures) if args.all else [s for v in args.structure or () for s in v.split(",")]
    sending = campaigns.start(
        store, _staff(args), args.title or "", wanted, directory, Mailer.from_config(cfg),
        cfg.get("PUBLIC_URL") or "", cfg["CAMPAIGN_DAYS"],
    )  # fmt: skip
    _report(sending)
    return 0


def cmd_remind(args) -> int:
    cfg = settings(args)
    store = open_store(cfg)
    sending = campaigns.remind(
        store, _staff(args), args.id, store.load(), Mailer.from_config(cfg), cfg.get("PUBLIC_URL") or ""
    )
    _report(sending)
    return 0


def cmd_list(args) -> int:
    store = open_store(settings(args))
    rows = [("n°", "titre", "fin", "référents", "confirmé", "corrigé", "en attente", "sans référent")]
    for c in campaigns.listing(store, _staff(args)):
        rows.append(
            (str(c["id"]), c["title"], c["expires_at"][:10], str(c["targets"] - (c["unreachable"] or 0)),
             str(c["confirmed"] or 0), str(c["corrected"] or 0), str(c["waiting"] or 0), str(c["unreachable"] or 0))
        )  # fmt: skip
    print_table(rows)
    return 0


def register(sub) -> None:
    c = sub.add_parser("campaign", help="campagnes de vérification auprès des référents").add_subparsers(
        dest="campaign", required=True
    )
    s = c.add_parser("start", help="lancer une campagne (courriel à chaque référent)")
    s.add_argument("--structure", action="append", help="structure (répétable, ou séparées par des virgules)")
    s.add_argument("--all", action="store_true", help="toutes les structures")
    s.add_argument("--title")
    s.add_argument("--author")
    s.set_defaults(func=cmd_start)
    r = c.add_parser("remind", help="relancer ceux qui n'ont pas répondu (nouveaux liens)")
    r.add_argument("id", type=int)
    r.add_argument("--author")
    r.set_defaults(func=cmd_remind)
    ls = c.add_parser("list", help="campagnes et réponses")
    ls.add_argument("--author")
    ls.set_defaults(func=cmd_list)
