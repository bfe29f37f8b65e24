"""Staff pages for the directory: upload → import job → validation report (HTML, CSV) → publish;
versions, rollback and exports (jobs too). Routes of the ``admin`` blueprint.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, url_for

from finder.directory import columns, report, tablefile, versions
from finder.errors import InvalidParameter, NotFound
from finder.service import jobs
from finder.storage import import_log
from finder.web import security, state
from finder.web.admin.jobs import started
from finder.web.admin.views import bp
from finder.web.downloads import download

SHOWN_ISSUES = 500  # per severity on the page; the CSV has them all


def _filename(name: str | None) -> str:
    """The uploaded file's base name, for the log and the page (never used as a path)."""
    base = re.split(r"[\\/]", name or "")[-1]
    return re.sub(r"[^\w.() -]", "_", base)[:120] or "fichier"


@bp.get("/schema")
def schema_doc():
    return render_template("admin/schema.html", columns=columns.COLUMNS)


@bp.get("/schema/<name>")
def schema_file(name: str):
    files = {"schema.json": "application/json", "exemple-valide.csv": "text/csv"}
    if name not in files:
        abort(404)
    data = (Path(current_app.config["GEODATA_DIR"]) / "schema" / name).read_bytes()
    return download(data, name, files[name])


@bp.get("/import")
def import_form():
    return render_template("admin/import.html", error=None)


@bp.post("/import")
def import_upload():
    """Queue the file as an import job (read, validate, geocode, store) and show its progress page."""
    uploads = [f for f in request.files.getlist("fichier") if f.filename]  # size limited by the blueprint's guard
    dry_run = request.form.get("essai") == "1"
    if not uploads or len(uploads) > 2:
        message = "Choisissez un fichier CSV ou XLSX (ou les deux fichiers JSON data·inclusion)."
        return render_template("admin/import.html", error=message), 400
    name = " + ".join(_filename(u.filename) for u in uploads)
    job_id = jobs.start_import(state().store, [u.read() for u in uploads], name, security.current_user(), dry_run)
    return started(job_id)


def _logged(report_id: int) -> tuple[dict, report.Report]:
    found = import_log.get(state().store, report_id)
    if found is None:
        abort(404)
    meta, text = found
    return meta, report.Report.from_json(text)


@bp.get("/imports/<int:report_id>")
def import_report(report_id: int):
    meta, rep = _logged(report_id)
    published = state().store.published_version()
    return render_template(
        "admin/report.html",
        meta=meta,
        report=rep,
        errors=rep.errors[:SHOWN_ISSUES],
        warnings=rep.warnings[:SHOWN_ISSUES],
        shown=SHOWN_ISSUES,
        can_publish=meta["version"] is not None and meta["version"] != published,
        published=published,
    )


@bp.get("/imports/<int:report_id>/rapport.csv")
def import_report_csv(report_id: int):
    meta, rep = _logged(report_id)
    data = tablefile.write_csv(list(report.CSV_HEADER), rep.as_rows())
    return download(data, f"rapport-import-{report_id}.csv", "text/csv")


@bp.get("/versions")
def versions_page():
    st = state()
    rows = list(reversed(st.store.versions()))
    return render_template(
        "admin/versions.html",
        versions=rows,
        published=st.store.published_version(),
        log=st.store.publish_log(limit=50),
    )


@bp.post("/versions/<int:version>/publier")
def publish(version: int):
    st = state()
    action = request.form.get("action", "publish")
    if action not in ("publish", "rollback"):
        raise InvalidParameter("Action inconnue.", field="action")
    versions.publish(st.store, version, security.current_user(), action=action)
    st.refresh()
    return redirect(url_for("admin.versions_page", publiee=version), code=303)


@bp.get("/export.<fmt>")
@bp.get("/versions/<int:version>/export.<fmt>")
def export_form(fmt: str, version: int | None = None):
    """The export as a button (a job is started by POST only): the links of older pages land here."""
    _exportable(fmt, version)
    return render_template("admin/export.html", fmt=fmt, version=version)


@bp.post("/export.<fmt>")
@bp.post("/versions/<int:version>/export.<fmt>")
def export_file(fmt: str, version: int | None = None):
    """Queue the export (CSV, XLSX) of the published version or of ``version``; show its progress page."""
    _exportable(fmt, version)
    return started(jobs.start_export(state().store, fmt, version, security.current_user()))


def _exportable(fmt: str, version: int | None) -> None:
    if fmt not in jobs.MEDIA:
        abort(404)
    if version is not None and version not in {v["id"] for v in state().store.versions()}:
        raise NotFound(f"La version {version} n'existe pas.", field="version")
