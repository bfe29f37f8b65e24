"""Freshness campaigns: staff ask the référents of chosen structures to confirm or correct their sites.

Each référent of each structure gets an e-mail with a personal link
``/espace/campagne/<token>`` (256 random bits; only the SHA-256 is stored; it works until the
campaign's end and once: the answer spends it; a reminder sends a new link and cancels the
old one). Through it, "rien n'a changé" marks every site of the structure checked today
(``changes.confirm``: a new published version); "corriger" leads to the editing pages,
and the first change published or queued by that référent answers the campaign. Structures
without a référent are listed as unreachable on the dashboard.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from finder.domain.model import Directory
from finder.errors import InvalidParameter, NotFound
from finder.service import authz, changes
from finder.service.mail import Mailer, Message
from finder.service.referents import LinkGone, iso, token_hash, utcnow
from finder.storage import audit, roles
from finder.storage import campaigns as rows
from finder.storage.store import Store

LINK_PATH = "/espace/campagne/"
GONE = "Ce lien n'est pas valable : la réponse a déjà été donnée, la campagne est terminée ou le lien a été remplacé."


@dataclass
class Sending:
    campaign_id: int
    sent: list[str] = field(default_factory=list)  # e-mail addresses
    failed: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # structures without a référent
    links: dict[str, str] = field(default_factory=dict)  # username -> link, when no mailer is configured


def _message(link: str, structure, sites: list, campaign: dict, reminder: bool) -> str:
    names = "\n".join(f"  – {s.name}, {s.address} {s.postcode}" for s in sites[:30])
    more = f"\n  … et {len(sites) - 30} autre(s)" if len(sites) > 30 else ""
    head = "Rappel : nous n'avons pas encore reçu votre réponse.\n\n" if reminder else ""
    return (
        f"{head}Bonjour,\n\nLe Service public régional de l'orientation vérifie les informations de ses lieux "
        f"d'accueil. Pour {structure.name}, l'annuaire publie :\n\n{names}{more}\n\n"
        f"Merci de confirmer qu'elles sont à jour (« rien n'a changé ») ou de les corriger avec ce lien personnel :\n\n"
        f"{link}\n\nCe lien est valable jusqu'au {campaign['expires_at'][:10]} et ne sert qu'une fois. "
        "Ne le transmettez pas.\n\nSPRO Auvergne-Rhône-Alpes\n"
    )


def _send(store, targets, directory: Directory, campaign: dict, mailer, base_url: str, reminder: bool, out: Sending):
    messages = []
    for target in targets:
        token = secrets.token_urlsafe(32)
        rows.set_token(store, target["id"], token_hash(token), reminder)
        link = f"{base_url}{LINK_PATH}{token}"
        structure = directory.structures[target["structure_id"]]
        sites = sorted((s for s in directory.sites if s.structure_id == structure.id), key=lambda s: s.id)
        subject = ("Rappel – " if reminder else "") + f"Vos lieux d'accueil SPRO sont-ils à jour ? ({structure.name})"
        if mailer is None:
            out.links[target["username"]] = link
        else:
            messages.append(Message(target["email"], subject, _message(link, structure, sites, campaign, reminder)))
    failed = mailer.send(messages) if mailer else []
    out.failed = failed
    out.sent = [m.to for m in messages if m.to not in failed]


def start(
    store: Store,
    who: authz.Principal,
    title: str,
    structure_ids: list[str],
    directory: Directory,
    mailer: Mailer | None,
    base_url: str,
    days: int = 30,
    now: dt.datetime | None = None,
) -> Sending:
    """Create a campaign for these structures and write to their référents."""
    authz.require(who, "campaign.manage")
    title = (title or "").strip() or f"Campagne de vérification du {(now or utcnow()).date():%d/%m/%Y}"
    if len(title) > 200:
        raise InvalidParameter("Titre trop long : 200 caractères au plus.", field="title")
    wanted = list(dict.fromkeys(s.strip() for s in structure_ids if s and s.strip()))
    if not wanted:
        raise InvalidParameter("Choisissez au moins une structure.", field="structure")
    unknown = [s for s in wanted if s not in directory.structures]
    if unknown:
        raise InvalidParameter(f"Structure(s) inconnue(s) : {', '.join(unknown[:10])}.", field="structure")
    targets = []
    for structure_id in wanted:
        people = [(u, e) for u, e in roles.referents_of(store, structure_id) if e]
        targets += [(structure_id, u, e) for u, e in people] or [(structure_id, None, None)]
    expires = iso((now or utcnow()) + dt.timedelta(days=days))
    campaign_id = rows.create(store, title, who.username, expires, targets)
    audit.event("campaign_start", campaign=campaign_id, structures=len(wanted), by=who.username)
    out = Sending(campaign_id)
    campaign = rows.get(store, campaign_id)
    reachable = [t for t in rows.targets(store, campaign_id) if t["username"]]
    out.unreachable = sorted({t["structure_id"] for t in rows.targets(store, campaign_id) if not t["username"]})
    _send(store, reachable, directory, campaign, mailer, base_url, False, out)
    return out


def remind(
    store: Store, who: authz.Principal, campaign_id: int, directory: Directory, mailer: Mailer | None, base_url: str
) -> Sending:
    """Write again to the référents who have not answered (new links; the old ones stop working)."""
    authz.require(who, "campaign.manage")
    campaign = rows.get(store, campaign_id)
    if campaign is None:
        raise NotFound(f"Aucune campagne n° {campaign_id}.", field="campaign")
    out = Sending(campaign_id)
    if campaign["expires_at"] <= iso(utcnow()):
        raise InvalidParameter("Cette campagne est terminée : lancez-en une nouvelle.", field="campaign")
    waiting = [
        t
        for t in rows.targets(store, campaign_id)
        if t["username"] and t["answer"] is None and t["structure_id"] in directory.structures
    ]
    _send(store, waiting, directory, campaign, mailer, base_url, True, out)
    audit.event("campaign_remind", campaign=campaign_id, sent=len(out.sent) + len(out.links), by=who.username)
    return out


def open_link(store: Store, token: str, now: dt.datetime | None = None) -> dict:
    """The target behind a personal link, or LinkGone (unknown, answered, replaced or expired)."""
    target = rows.by_token(store, token_hash(token)) if token else None
    if target is None or target["answer"] or target["expires_at"] <= iso(now or utcnow()):
        raise LinkGone(GONE, field="token")
    return target


def confirm(store: Store, token: str, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """ "Rien n'a changé" through a personal link: the structure's sites are marked checked; the version."""
    target = open_link(store, token, now)
    who = authz.principal(store, target["username"])
    authz.require(who, "site.confirm", target["structure_id"], f"campagne {target['campaign_id']}")
    if not rows.answer(store, target["id"], "confirmed", who.username, None):
        raise LinkGone(GONE, field="token")
    try:
        version = changes.confirm(store, who, target["structure_id"], today)
    except Exception:
        rows.reopen(store, target["id"])
        raise
    rows.set_version(store, target["id"], version)
    audit.event("campaign_answer", target=target["id"], answer="confirmed", user=who.username, version=version)
    return version


def dashboard(store: Store, who: authz.Principal, campaign_id: int, directory: Directory) -> dict:
    """A campaign and its targets with structure names (staff)."""
    authz.require(who, "campaign.manage")
    campaign = rows.get(store, campaign_id)
    if campaign is None:
        raise NotFound(f"Aucune campagne n° {campaign_id}.", field="campaign")
    targets = rows.targets(store, campaign_id)
    for t in targets:
        structure = directory.structures.get(t["structure_id"])
        t["structure_name"] = structure.name if structure else t["structure_id"]
        t["state"] = t["answer"] or ("sans référent" if not t["username"] else "en attente")
    return {"campaign": campaign, "targets": targets}


def listing(store: Store, who: authz.Principal) -> list[dict]:
    authz.require(who, "campaign.manage")
    return rows.all_campaigns(store)
