"""Staff pages under /admin: login, dashboard; the directory and quality views live in
admin.directory and admin.quality, on the same blueprint. Every page needs a login
(302 to the login page for GET, 401 otherwise) and every form carries a CSRF token.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from finder.config import import_max_bytes
from finder.directory import freshness, importer
from finder.service import authz, usage
from finder.storage import import_log
from finder.web import security, state

bp = Blueprint("admin", __name__, url_prefix="/admin")
PUBLIC_ENDPOINTS = {"admin.login"}
UPLOAD_ENVELOPE_BYTES = 64 * 1024  # the multipart form around the file(s): boundaries, token, checkbox
WIDGET_TOP = 20  # origins listed on the dashboard; the others are summed up


@bp.before_request
def guard():
    request.max_content_length = import_max_bytes(current_app.config) + UPLOAD_ENVELOPE_BYTES
    if request.endpoint in PUBLIC_ENDPOINTS:
        security.check_csrf()
        return None
    return security.require_login() or _staff_only()


def _staff_only():
    """Référents have their own space (/espace): staff pages refuse them (403, audited)."""
    who = authz.principal(state().store, security.current_user())
    authz.require(who, "directory.manage", target=request.path)


bp.after_request(security.staff_headers)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_err):
    message = f"Fichier trop volumineux : {_max_mb()} Mo au plus."
    user = security.current_user()  # checked by the guard before the body was read
    if request.endpoint == "admin.import_upload" and user:
        importer.refuse(state().store, message, user, "(fichier non reçu)")
    return render_template("admin/import.html", error=message), 413


def _max_mb() -> str:
    """The import size limit in MB as a French number (« 191,7 »)."""
    return f"{import_max_bytes(current_app.config) / (1024 * 1024):.1f}".replace(".", ",").removesuffix(",0")


@bp.context_processor
def _limits():
    return {"import_max_mb": _max_mb()}


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status = None, 200
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "")[:100]
        password = request.form.get("password", "")
        outcome = security.accounts().authenticate(username, password, security.client())
        security.audit_login(username, security.client(), outcome)
        if outcome.ok:
            target = security.safe_next(request.args.get("next"))
            security.log_in(username.strip().lower(), outcome.generation)
            return redirect(target)
        error, status = outcome.message, (429 if outcome.locked_seconds else 401)
    return render_template("admin/login.html", error=error, username=username), status


@bp.post("/logout")
def logout():
    security.log_out()
    return redirect(url_for("admin.login"))


@bp.get("/")
def dashboard():
    st = state()
    engine = st.engine
    directory = engine.directory
    today = dt.date.today()
    published = next((v for v in st.store.versions() if v["published"]), None)
    widgets, other_widgets = usage.dashboard(st.store, today, WIDGET_TOP)
    return render_template(
        "admin/dashboard.html",
        published=published,
        info=engine.dataset_json(),
        stale=len(freshness.stale_sites(directory, today)),
        approximate=sum(s.position_source == "commune" for s in directory.sites),
        closed=sum(freshness.active_closure(s, today) is not None for s in directory.sites),
        log=st.store.publish_log(limit=5),
        imports=import_log.recent(st.store, limit=5),
        widgets=widgets,
        other_widgets=other_widgets,
        widget_cap=current_app.config["WIDGET_NEW_ORIGINS_PER_DAY"],
    )
