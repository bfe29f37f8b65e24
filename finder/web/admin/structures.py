"""Staff pages for the structures' own upkeep: référents and invitations, the review queue with
its before/after diff, the audit trail of changes, freshness campaigns and their dashboard.
Routes of the ``admin`` blueprint; the rules are in ``finder.service`` (referents, changes,
campaigns), each checking ``authz`` itself.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for

from finder.directory import site_edit
from finder.domain.model import Site
from finder.errors import FinderError
from finder.service import authz, campaigns, changes, referents
from finder.service.mail import Mailer, Message
from finder.storage import roles
from finder.web import security, state
from finder.web.admin.views import bp


def _who() -> authz.Principal:
    return authz.principal(state().store, security.current_user())


def base_url() -> str:
    return current_app.config.get("PUBLIC_URL") or request.url_root.rstrip("/")


# -- accounts ------------------------------------------------------------------------------
@bp.get("/comptes")
def accounts(error: str | None = None, form: dict | None = None, created: dict | None = None, status: int = 200):
    st = state()
    authz.require(_who(), "user.manage")
    structures = st.engine.structures
    return render_template(
        "admin/accounts.html",
        referents=roles.referents(st.store),
        structures=structures,
        error=error,
        form=form or {},
        created=created,
        mail=bool(current_app.config.get("SMTP_HOST")),
    ), status


@bp.post("/comptes")
def account_add():
    st = state()
    form = {k: request.form.get(k, "").strip() for k in ("username", "role", "email", "structures")}
    wanted = [s for s in form["structures"].replace(";", ",").replace(" ", ",").split(",") if s]
    try:
        invitation = referents.create_account(
            st.store, _who(), form["username"], form["role"] or "referent", wanted, st.engine.structures,
            form["email"], current_app.config["INVITATION_DAYS"],
        )  # fmt: skip
    except FinderError as err:
        return accounts(error=err.message, form=form, status=err.status)
    return accounts(created=_deliver(invitation, form["email"]))


@bp.post("/comptes/<username>/invitation")
def account_invite(username: str):
    st = state()
    try:
        invitation = referents.invite(st.store, _who(), username, current_app.config["INVITATION_DAYS"])
    except FinderError as err:
        return accounts(error=err.message, status=err.status)
    found = roles.role_of(st.store, username)
    return accounts(created=_deliver(invitation, found[1] if found else None))


def _deliver(invitation: referents.Invitation, email: str | None) -> dict:
    """E-mail the link when SMTP is configured and the account has an address; the page shows it otherwise."""
    link = base_url() + invitation.path
    mailer = Mailer.from_config(current_app.config)
    sent = False
    if mailer and email:
        body = (
            f"Bonjour,\n\nUn compte « {invitation.username} » vous a été ouvert sur l'annuaire des lieux d'accueil du "
            f"Service public régional de l'orientation. Choisissez votre mot de passe avec ce lien personnel, valable "
            f"une seule fois jusqu'au {invitation.expires_at[:10]} :\n\n{link}\n\nSPRO Auvergne-Rhône-Alpes\n"
        )
        sent = not mailer.send([Message(email, "Votre accès à l'annuaire du SPRO", body)])
    return {"username": invitation.username, "link": None if sent else link, "sent_to": email if sent else None,
            "expires_at": invitation.expires_at}  # fmt: skip


# -- review queue and trail ------------------------------------------------------------------
def _with_diff(rows: list[dict]) -> list[dict]:
    st = state()
    structures = st.engine.structures
    out = []
    for row in rows:
        structure = structures.get(row["structure_id"])
        before = Site.from_dict(row["before"]) if row["before"] else None
        after = Site.from_dict(row["after"]) if row["after"] else None
        diff = site_edit.diff(before, after, structure, st.geo) if structure else []
        out.append(dict(row, diff=diff, structure_name=structure.name if structure else row["structure_id"]))
    return out


@bp.get("/revue")
def review(error: str | None = None, status: int = 200):
    st = state()
    pending = _with_diff(changes.queue(st.store, _who()))
    return render_template("admin/review.html", pending=pending, error=error, labels=site_edit.GROUP_LABELS), status


@bp.post("/revue/<int:change_id>")
def review_decide(change_id: int):
    st = state()
    who = _who()
    try:
        if request.form.get("decision") == "accept":
            version = changes.accept(st.store, who, change_id)
            st.refresh()
            return redirect(url_for("admin.review", acceptee=change_id, version=version), code=303)
        changes.refuse(st.store, who, change_id, request.form.get("reason", ""))
    except FinderError as err:
        if isinstance(err, authz.Forbidden):
            raise
        return review(error=err.message, status=err.status)
    return redirect(url_for("admin.review", refusee=change_id), code=303)


@bp.get("/journal")
def trail():
    st = state()
    site_id = request.args.get("lieu") or None
    rows = _with_diff(changes.trail(st.store, _who(), site_id=site_id, limit=300))
    return render_template("admin/trail.html", rows=rows, site_id=site_id)


# -- campaigns ---------------------------------------------------------------------------------
@bp.get("/campagnes")
def campaign_list(error: str | None = None, sending=None, status: int = 200):
    st = state()
    return render_template(
        "admin/campaigns.html",
        campaigns=campaigns.listing(st.store, _who()),
        structures=sorted(st.engine.structures.values(), key=lambda s: s.id),
        error=error,
        sending=sending,
        mail=bool(current_app.config.get("SMTP_HOST")),
    ), status


@bp.post("/campagnes")
def campaign_start():
    st = state()
    wanted = request.form.getlist("structures")
    if request.form.get("all") == "1":
        wanted = sorted(st.engine.structures)
    try:
        sending = campaigns.start(
            st.store, _who(), request.form.get("title", ""), wanted, st.engine.directory,
            Mailer.from_config(current_app.config), base_url(), current_app.config["CAMPAIGN_DAYS"],
        )  # fmt: skip
    except FinderError as err:
        if isinstance(err, authz.Forbidden):
            raise
        return campaign_list(error=err.message, status=err.status)
    return campaign_list(sending=sending)


@bp.get("/campagnes/<int:campaign_id>")
def campaign_board(campaign_id: int, sending=None):
    st = state()
    board = campaigns.dashboard(st.store, _who(), campaign_id, st.engine.directory)
    return render_template("admin/campaign.html", **board, sending=sending)


@bp.post("/campagnes/<int:campaign_id>/relancer")
def campaign_remind(campaign_id: int):
    st = state()
    sending = campaigns.remind(
        st.store, _who(), campaign_id, st.engine.directory, Mailer.from_config(current_app.config), base_url()
    )
    return campaign_board(campaign_id, sending=sending)
