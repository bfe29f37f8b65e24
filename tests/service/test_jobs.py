"""Jobs run by the runner: an export to done with its file and progress, an import stored and
published, failures recorded with a French message, a job taken from a runner stops."""

from __future__ import annotations

import io

import openpyxl
import pytest

from finder.directory import export
from finder.service import jobs as service
from finder.storage import jobs as rows
from tests.import_helpers import demo_rows, geo, to_csv


@pytest.fixture()
def runner(demo_store):
    steps = []
    config = {"IMPORT_MAX_ROWS": 100_000}
    r = service.Runner(service.Context(demo_store, geo(), config), on_progress=lambda *step: steps.append(step))
    r.steps = steps
    return r


def test_an_xlsx_export_job_ends_with_the_file_and_reports_its_progress(runner, demo_store):
    job_id = service.start_export(demo_store, "xlsx", None, "alice")
    job = runner.run_once()
    assert (job["id"], job["state"], job["created_by"]) == (job_id, "done", "alice")
    assert "1073 lieux" in job["message"] and job["outcome"]["version"] == 1
    data, name, media = rows.result(demo_store, job_id)
    assert name.startswith("annuaire-spro-v1-") and name.endswith(".xlsx") and media.endswith("sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows()) == 1074  # the header and every site
    writing = [s for s in runner.steps if s[0] == "Écriture du fichier XLSX"]
    assert writing[0][1] == 0 and writing[-1][1:] == (1, 1) and len(writing) >= 3
    stored = rows.get(demo_store, job_id)
    assert stored["stage"] == "Écriture du fichier XLSX" and stored["done"] == stored["total"]
    assert runner.run_once() is None  # nothing left


def test_a_csv_export_job_gives_the_same_bytes_as_the_export(runner, demo_store):
    job_id = service.start_export(demo_store, "csv", 1, "alice")
    runner.run_once()
    assert rows.result(demo_store, job_id)[0] == export.to_bytes(demo_store.load(1), geo(), "csv")


def test_an_import_job_stores_and_publishes(runner, demo_store):
    data = to_csv(demo_rows(5))
    service.start_import(demo_store, [data], "cinq.csv", "alice", publish=True)
    job = runner.run_once()
    assert job["state"] == "done" and job["outcome"]["published"] and job["outcome"]["errors"] == 0
    assert demo_store.published_version() == job["outcome"]["version"] == 2
    assert len(demo_store.load().sites) == 5
    assert "enregistrée et publiée" in job["message"]
    assert any(stage == "Validation" for stage, _, _ in runner.steps)


def test_an_import_job_with_errors_is_done_with_its_report_and_nothing_stored(runner, demo_store):
    bad = demo_rows(3)
    bad[1]["telephone"] = "12"
    service.start_import(demo_store, [to_csv(bad)], "faux.csv", "alice", publish=True)
    job = runner.run_once()
    assert job["state"] == "done" and job["outcome"]["errors"] == 1 and job["outcome"]["report_id"]
    assert "Fichier refusé" in job["message"] and demo_store.published_version() == 1


def test_a_failed_job_keeps_a_french_message(runner, demo_store):
    service.start_export(demo_store, "csv", 99, "alice")
    job = runner.run_once()
    assert job["state"] == "failed" and job["message"] == "La version 99 n'existe pas."


def test_an_unexpected_error_fails_the_job_without_details(demo_store, caplog):
    def broken(ctx, job, progress):
        raise RuntimeError("secret internals")

    runner = service.Runner(service.Context(demo_store, geo(), {}), kinds={"export": broken})
    job_id = service.start_export(demo_store, "csv", None, "alice")
    job = runner.run_once()
    assert job["state"] == "failed" and f"n° {job_id}" in job["message"] and "secret" not in job["message"]
    assert "secret internals" in caplog.text


def test_a_job_declared_dead_meanwhile_stops_without_writing(demo_store):
    reached = []

    def slow(ctx, job, progress):
        rows.reap(ctx.store, stale_seconds=-1)  # another worker decides this one is dead
        progress("Étape", 1, 1)  # stops the job: it is no longer ours
        reached.append("after")
        return service.Outcome("Fini.")

    runner = service.Runner(service.Context(demo_store, geo(), {}), kinds={"export": slow})
    service.start_export(demo_store, "csv", None, "alice")
    job = runner.run_once()
    assert reached == [] and job["state"] == "failed" and "interrompu" in job["message"]


def test_an_unknown_export_format_is_refused(demo_store):
    from finder.errors import InvalidParameter

    with pytest.raises(InvalidParameter, match="csv ou xlsx"):
        service.start_export(demo_store, "pdf", None, "alice")
