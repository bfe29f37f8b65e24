"""Self-service editing: référents change their sites, staff review what the policy queues.

Every change goes through the import's validation (``finder.directory.site_edit``) and is
checked against ``finder.service.authz`` here, whatever the adapter. ``policy`` maps a field
group to ``publish`` (a new version is published at once) or ``review`` (the change waits in
the queue); staff changes are always published. Each change is a row of
``finder.storage.site_changes`` — who, when, the site before and after, the decision and its
reason, the version published — and a line of the audit trail. Publishing goes through the
atomic switch (``finder.directory.edits.publish_sites``): a change never erases one published
meanwhile, it is applied again on the newer version, field by field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from finder.directory import edits, site_edit
from finder.domain.geography import Geography
from finder.domain.model import Directory, Site
from finder.errors import FinderError, InvalidParameter, NotFound
from finder.service import authz
from finder.storage import audit, campaigns, site_changes
from finder.storage.store import Store

PUBLISHED, PENDING, ACCEPTED, REFUSED = "published", "pending", "accepted", "refused"


@dataclass
class Submitted:
    published: list[str] = field(default_factory=list)  # columns (or "add"/"close") published at once
    queued: list[str] = field(default_factory=list)  # waiting for staff
    version: int | None = None
    changes: list[int] = field(default_factory=list)  # ids of the rows recorded
    site_id: str | None = None


def _site(directory: Directory, site_id: str) -> Site:
    for s in directory.sites:
        if s.id == site_id:
            return s
    raise NotFound(f"Aucun lieu d'accueil ne porte l'identifiant « {site_id} ».", field="site")


def _needs_review(who: authz.Principal, policy: dict, group: str) -> bool:
    return not who.is_staff and policy.get(group, "review") == "review"


def _record(store, kind, site: Site, who, status, fields, before, after, version=None) -> int:
    change_id = site_changes.record(
        store,
        kind,
        site.id,
        site.structure_id,
        who.username,
        status,
        fields,
        before.to_dict() if before else None,
        after.to_dict() if after else None,
        version,
    )
    audit.event("site_change", id=change_id, kind=kind, status=status, site=site.id, user=who.username, fields=fields)
    return change_id


def _replace(site_id: str, make):
    """A ``publish_sites`` change replacing one site by ``make(current)`` (None removes it)."""

    def change(directory: Directory) -> list[Site]:
        current = _site(directory, site_id)
        out = []
        for s in directory.sites:
            if s is current:
                new = make(current)
                if new is not None:
                    out.append(new)
            else:
                out.append(s)
        return out

    return change


def edit(
    store: Store,
    geo: Geography,
    who: authz.Principal,
    site_id: str,
    values: dict,
    policy: dict,
    today: dt.date | None = None,
    tolerance_m: float = 500.0,
) -> Submitted:
    """Change a site from a form: allowed fields published at once, the others queued.

    Raises Forbidden (not the référent's structure), NotFound, site_edit.Invalid (French
    message per field).
    """
    today = today or dt.date.today()
    directory = store.load()
    site = _site(directory, site_id)
    authz.require(who, "site.edit", site.structure_id, site_id)
    new, changed = site_edit.apply(site, directory.structures[site.structure_id], values, geo, today, tolerance_m)
    out = Submitted(site_id=site_id)
    if not changed:
        return out
    now_cols = [c for c in changed if not _needs_review(who, policy, site_edit.BY_COLUMN[c].group)]
    later_cols = [c for c in changed if c not in now_cols]
    base = site
    if now_cols:
        kept: dict = {}

        def make(current: Site) -> Site:
            kept["before"] = current
            kept["after"] = site_edit.merge(current, new, now_cols, today)
            return kept["after"]

        summary = f"Modification de {site_id} par {who.username} : {', '.join(now_cols)}"
        out.version = edits.publish_sites(store, who.username, summary, _replace(site_id, make))
        out.changes.append(
            _record(store, "edit", site, who, PUBLISHED, now_cols, kept["before"], kept["after"], out.version)
        )
        out.published = now_cols
        base = kept["after"]
    if later_cols:
        after = site_edit.merge(base, new, later_cols, today)
        out.changes.append(_record(store, "edit", site, who, PENDING, later_cols, base, after))
        out.queued = later_cols
    _answer_campaigns(store, who, site.structure_id, today, out.version)
    return out


def add(
    store: Store,
    geo: Geography,
    who: authz.Principal,
    structure_id: str,
    values: dict,
    policy: dict,
    today: dt.date | None = None,
    tolerance_m: float = 500.0,
) -> Submitted:
    """A new site for a structure (queued unless the policy publishes additions at once)."""
    today = today or dt.date.today()
    directory = store.load()
    authz.require(who, "site.add", structure_id, structure_id)
    structure = directory.structures.get(structure_id)
    if structure is None:
        raise NotFound(f"Aucune structure ne porte l'identifiant « {structure_id} ».", field="structure")
    taken = {s.id for s in directory.sites} | _pending_ids(store)
    site = site_edit.new_site(structure, values, geo, today, taken, tolerance_m)
    out = Submitted(site_id=site.id)
    if _needs_review(who, policy, "add"):
        out.changes.append(_record(store, "add", site, who, PENDING, ["add"], None, site))
        out.queued = ["add"]
        return out
    out.version = _publish_addition(store, site, who.username)
    out.changes.append(_record(store, "add", site, who, PUBLISHED, ["add"], None, site, out.version))
    out.published = ["add"]
    return out


def _pending_ids(store: Store) -> set[str]:
    return {c["site_id"] for c in site_changes.listing(store, status=PENDING, limit=10_000) if c["kind"] == "add"}


def _publish_addition(store: Store, site: Site, author: str) -> int:
    def change(directory: Directory) -> list[Site]:
        if any(s.id == site.id for s in directory.sites):
            raise FinderError(f"Un lieu « {site.id} » existe déjà.", field="site", code="conflict")
        if site.structure_id not in directory.structures:
            raise NotFound(f"La structure « {site.structure_id} » n'existe plus.", field="structure")
        return [*directory.sites, site]

    return edits.publish_sites(store, author, f"Nouveau lieu {site.id} ({site.name})", change)


def close(store: Store, who: authz.Principal, site_id: str, reason: str, policy: dict) -> Submitted:
    """Close a site for good (it leaves the directory), queued unless the policy says otherwise."""
    text = (reason or "").strip()
    if not text:
        raise InvalidParameter("Indiquez le motif de la fermeture définitive.", field="reason")
    if len(text) > 500:
        raise InvalidParameter("Motif trop long : 500 caractères au plus.", field="reason")
    directory = store.load()
    site = _site(directory, site_id)
    authz.require(who, "site.close", site.structure_id, site_id)
    out = Submitted(site_id=site_id)
    if _needs_review(who, policy, "close"):
        change_id = _record(store, "close", site, who, PENDING, ["close"], site, None)
        site_changes.note(store, change_id, text)
        out.changes.append(change_id)
        out.queued = ["close"]
        return out
    summary = f"Fermeture définitive de {site_id} : {text}"
    out.version = edits.publish_sites(store, who.username, summary, _replace(site_id, lambda current: None))
    out.changes.append(_record(store, "close", site, who, PUBLISHED, ["close"], site, None, out.version))
    out.published = ["close"]
    return out


def accept(store: Store, who: authz.Principal, change_id: int, today: dt.date | None = None) -> int:
    """Publish a pending change (a new version); its version number."""
    authz.require(who, "review.decide", target=str(change_id))
    row = _pending(store, change_id)
    if not site_changes.decide(store, change_id, ACCEPTED, who.username, None):
        raise FinderError("Cette demande a déjà été traitée.", field="change", code="already_decided")
    try:
        version = _publish_row(store, row, who.username, today or dt.date.today())
    except Exception:
        site_changes.reopen(store, change_id)
        raise
    site_changes.set_version(store, change_id, version)
    audit.event("site_change_accepted", id=change_id, site=row["site_id"], by=who.username, version=version)
    return version


def _publish_row(store: Store, row: dict, author: str, today: dt.date) -> int:
    site_id = row["site_id"]
    label = f"demande n° {row['id']} de {row['author']}"
    if row["kind"] == "add":
        return _publish_addition(store, Site.from_dict(row["after"]), author)
    if row["kind"] == "close":
        return edits.publish_sites(
            store, author, f"Fermeture de {site_id} ({label})", _replace(site_id, lambda c: None)
        )
    after = Site.from_dict(row["after"])
    merge = lambda current: site_edit.merge(current, after, row["fields"], today)  # noqa: E731
    return edits.publish_sites(store, author, f"Modification de {site_id} ({label})", _replace(site_id, merge))


def refuse(store: Store, who: authz.Principal, change_id: int, reason: str) -> None:
    """Refuse a pending change with a reason (kept in the trail, shown to its author)."""
    authz.require(who, "review.decide", target=str(change_id))
    text = (reason or "").strip()
    if not text:
        raise InvalidParameter("Indiquez le motif du refus : il est montré à l'auteur de la demande.", field="reason")
    if len(text) > 500:
        raise InvalidParameter("Motif trop long : 500 caractères au plus.", field="reason")
    row = _pending(store, change_id)
    if not site_changes.decide(store, change_id, REFUSED, who.username, text):
        raise FinderError("Cette demande a déjà été traitée.", field="change", code="already_decided")
    audit.event("site_change_refused", id=change_id, site=row["site_id"], by=who.username)


def _pending(store: Store, change_id: int) -> dict:
    row = site_changes.get(store, change_id)
    if row is None:
        raise NotFound(f"Aucune demande n° {change_id}.", field="change")
    if row["status"] != PENDING:
        raise FinderError("Cette demande a déjà été traitée.", field="change", code="already_decided")
    return row


def queue(store: Store, who: authz.Principal) -> list[dict]:
    """The pending changes, oldest first (staff only)."""
    authz.require(who, "review.decide")
    return list(reversed(site_changes.listing(store, status=PENDING)))


def trail(store: Store, who: authz.Principal, site_id: str | None = None, limit: int = 200) -> list[dict]:
    """The changes ``who`` may see (staff: all; a référent: their structures'), newest first."""
    structures = None if who.is_staff else sorted(who.structures)
    return site_changes.listing(store, structures=structures, site_id=site_id, limit=limit)


def _answer_campaigns(store: Store, who: authz.Principal, structure_id: str, today: dt.date, version) -> None:
    """A référent who corrects a site has answered their open campaigns for its structure."""
    if who.is_staff:
        return
    for target in campaigns.open_targets_of(store, who.username, structure_id, today.isoformat()):
        if campaigns.answer(store, target, "corrected", who.username, version):
            audit.event("campaign_answer", target=target, answer="corrected", user=who.username)


def confirm(store: Store, who: authz.Principal, structure_id: str, today: dt.date | None = None) -> int:
    """ "Rien n'a changé": every site of the structure is marked checked today, in one new version."""
    today = today or dt.date.today()
    authz.require(who, "site.confirm", structure_id, structure_id)
    touched: list[tuple[Site, Site]] = []

    def change(directory: Directory) -> list[Site]:
        touched.clear()
        out = []
        for s in directory.sites:
            if s.structure_id == structure_id:
                new = dataclasses.replace(s, date_maj=today.isoformat())
                touched.append((s, new))
                out.append(new)
            else:
                out.append(s)
        if not touched:
            raise NotFound(f"La structure « {structure_id} » n'a aucun lieu publié.", field="structure")
        return out

    summary = f"Informations confirmées par {who.username} pour la structure {structure_id}"
    version = edits.publish_sites(store, who.username, summary, change)
    for before, after in touched:
        _record(store, "confirm", before, who, PUBLISHED, ["date_maj"], before, after, version)
    return version
