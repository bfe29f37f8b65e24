"""The référents' space under /espace: login, invitation links, campaign links, their sites.

Every rule is in the core: ``finder.service.changes`` (edits, additions, closings, through
the import's validation, under ``finder.service.authz``), ``finder.service.referents``
(invitations), ``finder.service.campaigns`` (personal links). These views parse forms and
render. Login, lockout and CSRF are the staff's (``finder.web.security``); pages are
``no-store`` with a strict CSP (map tiles allowed for the position pin).
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from finder.directory import site_edit
from finder.domain import hours_form, vocab
from finder.errors import FinderError, NotFound
from finder.service import authz, campaigns, changes, referents
from finder.storage import accounts as account_rows
from finder.web import security, state
from finder.web.http import tiles_source

bp = Blueprint("espace", __name__, url_prefix="/espace")
PUBLIC = {"espace.login", "espace.invitation", "espace.campaign"}
MULTI = ("niveaux_service", "publics", "niveaux_qualification", "modes_accueil", "langues")
CHOICES = {
    "niveaux_service": [(t.code, t.label) for t in vocab.LEVELS],
    "publics": [(t.code, t.label) for t in vocab.STATUSES],
    "niveaux_qualification": [(t.code, t.label) for t in vocab.QUALIFICATIONS],
    "modes_accueil": [(t.code, t.label) for t in vocab.MODES],
    "langues": [(t.code, t.label) for t in vocab.LANGUAGES],
}


def principal() -> authz.Principal | None:
    return authz.principal(state().store, security.current_user())


@bp.before_request
def guard():
    """Public pages check CSRF on POST; the others need a login (302 for GET, 401 otherwise), then CSRF."""
    if request.endpoint in PUBLIC:
        security.check_csrf()
        return None
    user = security.current_user()
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if not security.accounts().session_valid(user, session.get("gen"), session.get("opened"), lifetime):
        session.clear()
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("espace.login", next=request.full_path.rstrip("?")))
        raise security.Unauthorized("Connexion requise : identifiez-vous sur /espace/connexion.")
    security.check_csrf()
    return None


@bp.after_request
def headers(response):
    security.staff_headers(response)
    csp = dict(security.STAFF_HEADERS)["Content-Security-Policy"]
    tiles = tiles_source(current_app.config["TILES_URL"])
    response.headers["Content-Security-Policy"] = csp.replace("img-src 'self' data:", f"img-src 'self' data: {tiles}")
    return response


def _next(default: str) -> str:
    target = request.args.get("next")
    return security.safe_next(target) if target else default


# -- login -----------------------------------------------------------------------------
@bp.route("/connexion", methods=["GET", "POST"])
def login():
    error, status, username = None, 200, ""
    if request.method == "POST":
        username = request.form.get("username", "")[:100]
        address = security.client()
        outcome = security.accounts().authenticate(username, request.form.get("password", ""), address)
        security.audit_login(username, address, outcome)
        if outcome.ok:
            name = username.strip().lower()
            security.log_in(name, outcome.generation)
            who = principal()
            home = url_for("admin.dashboard") if who and who.is_staff else url_for("espace.home")
            return redirect(_next(home))
        error, status = outcome.message, (429 if outcome.locked_seconds else 401)
    return render_template("espace/login.html", error=error, username=username), status


@bp.post("/deconnexion")
def logout():
    security.log_out()
    return redirect(url_for("espace.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    store = state().store
    try:
        found = referents.check_link(store, token)
    except referents.LinkGone as err:
        return render_template("espace/link_gone.html", message=err.message), 410
    error = None
    if request.method == "POST":
        try:
            name = referents.accept(
                store, token, request.form.get("password", ""), request.form.get("confirmation", "")
            )
        except referents.LinkGone as err:
            return render_template("espace/link_gone.html", message=err.message), 410
        except FinderError as err:
            error = err.message
        else:
            security.log_in(name, account_rows.access(store, name).generation)
            return redirect(url_for("espace.home", bienvenue=1), code=303)
    return render_template("espace/invitation.html", username=found["username"], error=error), 400 if error else 200


# -- campaign link -------------------------------------------------------------------------
@bp.route("/campagne/<token>", methods=["GET", "POST"])
def campaign(token: str):
    st = state()
    try:
        target = campaigns.open_link(st.store, token)
    except referents.LinkGone as err:
        return render_template("espace/link_gone.html", message=err.message), 410
    if request.method == "POST":
        try:
            version = campaigns.confirm(st.store, token)
        except referents.LinkGone as err:
            return render_template("espace/link_gone.html", message=err.message), 410
        st.refresh()
        return render_template("espace/confirmed.html", target=target, version=version)
    directory = st.engine.directory
    structure = directory.structures.get(target["structure_id"])
    sites = sorted((s for s in directory.sites if s.structure_id == target["structure_id"]), key=lambda s: s.id)
    return render_template(
        "espace/campaign.html", target=target, structure=structure, sites=sites, describe=hours_form.describe
    )


# -- the référent's sites ----------------------------------------------------------------------
@bp.get("/")
def home():
    st = state()
    who = principal()
    if who.is_staff:
        return redirect(url_for("admin.review"))
    directory = st.engine.directory
    mine = sorted(who.structures)
    structures = [directory.structures[s] for s in mine if s in directory.structures]
    sites = {s.id: [x for x in directory.sites if x.structure_id == s.id] for s in structures}
    return render_template(
        "espace/home.html",
        who=who,
        structures=structures,
        sites=sites,
        trail=changes.trail(st.store, who, limit=30),
        labels=site_edit.GROUP_LABELS,
    )


def _site_and_structure(site_id: str):
    engine = state().engine
    site = engine.site(site_id)  # 404 page when unknown
    return site, engine.structures[site.structure_id]


def _values(form, current_hours: str | None = None) -> tuple[dict, dict]:
    """Form → import cells (column → text), and the hours grid's errors. A grid meaning the same week as
    ``current_hours`` keeps its text (a form sent back unchanged changes nothing)."""
    values = {}
    for col in site_edit.EDITABLE:
        if col in MULTI:
            values[col] = ",".join(form.getlist(col))
        elif col != "horaires_accueil":
            values[col] = form.get(col, "")
    errors: dict = {}
    if form.get("hours_mode", "grille") == "grille":
        text, errors = hours_form.from_form(form)
        keep = text is not None and current_hours and hours_form.equivalent(text, current_hours)
        values["horaires_accueil"] = current_hours if keep else text or ""
    else:
        values["horaires_accueil"] = form.get("horaires_accueil", "")
    return values, errors


def _policy_marks(who) -> dict[str, bool]:
    policy = current_app.config["EDIT_POLICY"]
    return {g: (not who.is_staff and policy.get(g) == "review") for g in site_edit.GROUP_LABELS}


def _render_edit(site, structure, values, errors, grid, status=200, **extra):
    who = principal()
    expression = values.get("horaires_accueil") or ""
    return (
        render_template(
            "espace/edit.html",
            site=site,
            structure=structure,
            values=values,
            errors=errors,
            grid=grid,
            days=list(zip(hours_form.CODES, hours_form.NAMES)),
            slots=range(1, hours_form.SLOTS + 1),
            field=hours_form.field,
            preview=hours_form.describe(expression) if expression else "Horaires non renseignés.",
            choices=CHOICES,
            review=_policy_marks(who),
            labels=site_edit.GROUP_LABELS,
            tiles=current_app.config["TILES_URL"],
            **extra,
        ),
        status,
    )


@bp.route("/lieux/<site_id>", methods=["GET", "POST"])
def edit(site_id: str):
    st = state()
    site, structure = _site_and_structure(site_id)
    who = principal()
    authz.require(who, "site.edit", site.structure_id, site_id)
    if request.method == "GET":
        values = site_edit.form_values(site, structure, st.geo)
        grid = hours_form.to_form(site.opening_hours)
        return _render_edit(site, structure, values, {}, grid)
    values, errors = _values(request.form, site.opening_hours)
    grid = {k: v for k, v in request.form.items() if k.startswith("h_")}
    grid.update(ph_off=bool(request.form.get("ph_off")), simple=request.form.get("hours_mode", "grille") == "grille")
    action = request.form.get("action", "save")
    if action == "locate":
        found = _locate(values)
        if isinstance(found, str):
            errors["adresse"] = found
        else:
            values["latitude"], values["longitude"] = found
        return _render_edit(site, structure, values, errors, grid, 200, located=not isinstance(found, str))
    if errors or action == "preview":
        return _render_edit(site, structure, values, errors, grid, 400 if errors else 200)
    cfg = current_app.config
    try:
        out = changes.edit(
            st.store, st.geo, who, site_id, values, cfg["EDIT_POLICY"], tolerance_m=cfg["IMPORT_COMMUNE_TOLERANCE_M"]
        )
    except site_edit.Invalid as err:
        return _render_edit(site, structure, values, err.errors, grid, 400)
    st.refresh()
    return redirect(
        url_for("espace.done", site_id=site_id, publie=len(out.published), attente=len(out.queued)), code=303
    )


def _locate(values: dict) -> tuple[str, str] | str:
    """(lat, lon) of the address through the geocoder (the BAN when configured), or a French message."""
    st = state()
    commune = st.geo.communes.get((values.get("code_insee") or "").strip())
    if commune is None:
        return "Code INSEE inconnu : corrigez-le avant de localiser l'adresse."
    query = f"{values.get('adresse', '')} {values.get('code_postal', '')} {commune.name}".strip()
    for place in st.geocoder.search(query, 5):
        if place.kind == "address" and place.insee in (commune.insee, commune.parent):
            return f"{place.lat:.6f}", f"{place.lon:.6f}"
    return "Adresse introuvable dans la Base Adresse Nationale : placez le lieu sur la carte ou saisissez sa position."


@bp.get("/lieux/<site_id>/enregistre")
def done(site_id: str):
    site, _ = _site_and_structure(site_id)
    authz.require(principal(), "site.edit", site.structure_id, site_id)
    return render_template(
        "espace/done.html",
        site=site,
        published=request.args.get("publie", 0, int),
        queued=request.args.get("attente", 0, int),
    )


@bp.route("/structures/<structure_id>/nouveau-lieu", methods=["GET", "POST"])
def add(structure_id: str):
    st = state()
    who = principal()
    authz.require(who, "site.add", structure_id, structure_id)
    structure = st.engine.structures.get(structure_id)
    if structure is None:
        raise NotFound(f"Aucune structure ne porte l'identifiant « {structure_id} ».", field="structure")
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values, errors = _values(request.form)
        if not errors:
            cfg = current_app.config
            try:
                out = changes.add(st.store, st.geo, who, structure_id, values, cfg["EDIT_POLICY"],
                                  tolerance_m=cfg["IMPORT_COMMUNE_TOLERANCE_M"])  # fmt: skip
            except site_edit.Invalid as err:
                errors = err.errors
            else:
                st.refresh()
                return render_template("espace/added.html", structure=structure, out=out)
        status = 400
    return render_template(
        "espace/add.html", structure=structure, values=values, errors=errors, choices=CHOICES
    ), status


@bp.post("/lieux/<site_id>/fermer")
def close(site_id: str):
    st = state()
    site, _ = _site_and_structure(site_id)
    who = principal()
    out = changes.close(st.store, who, site_id, request.form.get("reason", ""), current_app.config["EDIT_POLICY"])
    st.refresh()
    return redirect(url_for("espace.home", ferme=site.id, attente=len(out.queued)), code=303)
