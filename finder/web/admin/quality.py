"""Staff pages for data quality: sites to check again (date_maj over a year old), approximate
positions, temporary closures (recorded here as a new published version). Routes of ``admin``.
"""

from __future__ import annotations

import datetime as dt

from flask import redirect, render_template, request, url_for

from finder.directory import edits, freshness, tablefile
from finder.errors import FinderError
from finder.web import security, state
from finder.web.admin.views import bp
from finder.web.downloads import download

SHOWN_ROWS = 500


def _commune_name(insee: str) -> str:
    commune = state().geo.communes.get(insee)
    return commune.name if commune else insee


def _rows(sites, structures) -> list[dict]:
    return [{"site": s, "structure": structures[s.structure_id], "commune": _commune_name(s.commune)} for s in sites]


@bp.get("/qualite")
def quality():
    engine = state().engine
    directory = engine.directory
    today = dt.date.today()
    stale = freshness.stale_sites(directory, today)
    approximate = sorted((s for s in directory.sites if s.position_source == "commune"), key=lambda s: s.id)
    return render_template(
        "admin/quality.html",
        stale=_rows(stale[:SHOWN_ROWS], directory.structures),
        stale_count=len(stale),
        approximate=_rows(approximate[:SHOWN_ROWS], directory.structures),
        approximate_count=len(approximate),
        shown=SHOWN_ROWS,
        today=today,
    )


@bp.get("/qualite/a-verifier.csv")
def stale_csv():
    directory = state().engine.directory
    header = ["id", "nom", "structure", "code_insee", "commune", "date_maj", "telephone", "courriel"]
    rows = [
        [s.id, s.name, directory.structures[s.structure_id].name, s.commune, _commune_name(s.commune)]
        + [s.date_maj or "", s.phone or "", s.email or ""]
        for s in freshness.stale_sites(directory, dt.date.today())
    ]
    return download(tablefile.write_csv(header, rows), "lieux-a-verifier.csv", "text/csv")


def _closures(directory, today: dt.date) -> list[dict]:
    out = []
    for s in directory.sites:
        for c in freshness.current_or_upcoming(s, today):
            out.append(
                {"site": s, "closure": c, "active": c.start <= today.isoformat(), "commune": _commune_name(s.commune)}
            )
    return sorted(out, key=lambda r: (r["closure"].start, r["site"].id))


@bp.get("/fermetures")
def closures(error: str | None = None, form: dict | None = None, status: int = 200):
    directory = state().engine.directory
    rows = _closures(directory, dt.date.today())
    return render_template("admin/closures.html", rows=rows, error=error, form=form or {}), status


@bp.post("/fermetures")
def closure_add():
    form = {k: request.form.get(k, "").strip() for k in ("site", "start", "end", "reason")}
    st = state()
    try:
        closure = edits.parse_closure(form["start"], form["end"], form["reason"], dt.date.today())
        version = edits.add_closure(st.store, form["site"], closure, security.current_user())
    except FinderError as err:
        return closures(error=err.message, form=form, status=err.status)
    st.refresh()
    return redirect(url_for("admin.closures", version=version), code=303)


@bp.post("/fermetures/supprimer")
def closure_remove():
    st = state()
    try:
        version = edits.remove_closure(
            st.store,
            request.form.get("site", ""),
            request.form.get("start", ""),
            request.form.get("end", ""),
            security.current_user(),
        )
    except FinderError as err:
        return closures(error=err.message, status=err.status)
    st.refresh()
    return redirect(url_for("admin.closures", version=version), code=303)
