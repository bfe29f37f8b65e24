"""Staff pages of jobs: the progress page of one job (refreshed every few seconds, without
JavaScript), its result file, and the list of the last jobs. Routes of the ``admin`` blueprint,
behind its login and staff guard.

A finished import job's page leads to its report (303), the page staff knew before imports
became jobs; a finished export offers its file.
"""

from __future__ import annotations

import time

from flask import abort, current_app, redirect, render_template, url_for

from finder.service import jobs as service
from finder.storage import jobs as rows
from finder.web import jobs as threads
from finder.web import state
from finder.web.admin.views import bp
from finder.web.downloads import download

REFRESH_SECONDS = 2
SHORT_WAIT_SECONDS = 1.0  # a small job is often done within this: its page then shows the outcome at once
LISTED = 30


def started(job_id: int):
    """After queuing a job: make sure this process runs jobs, then go to the job's page."""
    threads.ensure_started(current_app)
    return redirect(url_for("admin.job_page", job_id=job_id), code=303)


def _job(job_id: int) -> dict:
    job = rows.get(state().store, job_id)
    if job is None:
        abort(404)
    return job


def _settled(job_id: int) -> dict:
    """The job, after waiting a little for a short one to finish (bounded)."""
    deadline = time.monotonic() + SHORT_WAIT_SECONDS
    job = _job(job_id)
    while job["state"] in (rows.QUEUED, rows.RUNNING) and time.monotonic() < deadline:
        time.sleep(0.1)
        job = _job(job_id)
    return job


@bp.get("/travaux/<int:job_id>")
def job_page(job_id: int):
    job = _settled(job_id)
    report = (job["outcome"] or {}).get("report_id")
    if job["state"] == rows.DONE and job["kind"] == "import" and report:
        return redirect(url_for("admin.import_report", report_id=report), code=303)
    running = job["state"] in (rows.QUEUED, rows.RUNNING)
    return render_template(
        "admin/job.html", job=job, title=service.TITLES.get(job["kind"], job["kind"]), running=running,
        refresh=REFRESH_SECONDS if running else None, share=_share(job),
    )  # fmt: skip


def _share(job: dict) -> int | None:
    return int(100 * job["done"] / job["total"]) if job["total"] else None


@bp.get("/travaux/<int:job_id>/fichier")
def job_file(job_id: int):
    found = rows.result(state().store, job_id)
    if found is None:
        abort(404)
    data, name, media = found
    return download(data, name, media)


@bp.get("/travaux")
def jobs_page():
    return render_template("admin/jobs.html", jobs=rows.recent(state().store, LISTED), titles=service.TITLES)
