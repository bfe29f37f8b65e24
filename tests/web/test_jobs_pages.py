"""Staff jobs on the pages: start an export → its page (refreshed without JavaScript) → a valid
file; a failed job's French message; login required; gunicorn workers run queued jobs."""

from __future__ import annotations

import io
import re
import time

import openpyxl
import pytest

from finder.service import jobs as service
from finder.service.accounts import Accounts
from finder.storage import jobs as rows
from finder.storage.store import Store
from tests.conftest import make_app
from tests.import_helpers import settle
from tests.web.staff_login import PASSWORD, login, signed_in, staff_app, token
from tests.web.test_admin import exported


@pytest.fixture()
def app(tmp_path):
    return staff_app(tmp_path)


@pytest.fixture()
def staff(app):
    return signed_in(app.test_client())


def test_an_xlsx_export_runs_as_a_job_and_downloads_a_valid_workbook(staff):
    r = staff.get("/admin/export.xlsx")  # a link lands on a button: GET starts nothing
    assert r.status_code == 200 and 'method="post"' in r.text and "Préparer le fichier XLSX" in r.text
    data = exported(staff, "/admin/export.xlsx")
    assert data.mimetype.endswith("spreadsheetml.sheet") and "attachment" in data.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(data.data), read_only=True).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:3] == ("id", "nom", "structure_id") and len(table) == 1074
    listing = staff.get("/admin/travaux").text
    assert "Export de l&#39;annuaire (XLSX)" in listing and "terminé" in listing


def test_a_job_page_refreshes_itself_until_the_job_ends(app, staff):
    app.config["JOBS_THREADS"] = 0  # nobody runs it: it stays queued
    r = staff.post("/admin/export.csv", data={"csrf_token": staff.csrf})
    page = staff.get(r.location)
    assert '<meta http-equiv="refresh" content="2">' in page.text and "En attente" in page.text
    job_id = int(r.location.rsplit("/", 1)[1])
    assert staff.get(f"/admin/travaux/{job_id}/fichier").status_code == 404  # no file yet
    store = Store(app.config["DATABASE"])
    rows.claim(store, "w")
    rows.progress(store, job_id, "w", "Écriture du fichier CSV", 250, 1000)
    page = staff.get(r.location).text
    assert "Écriture du fichier CSV : 250 sur 1000 (25 %)" in page and 'value="25"' in page
    rows.fail(store, job_id, "w", "La version 7 n'existe pas.")
    page = staff.get(r.location).text
    assert "http-equiv" not in page and "Échec : La version 7 n&#39;existe pas." in page


def test_an_export_of_an_unknown_version_is_refused_before_queuing(app, staff):
    r = staff.post("/admin/versions/99/export.csv", data={"csrf_token": staff.csrf})
    assert r.status_code == 404 and "99" in r.text
    assert rows.recent(Store(app.config["DATABASE"])) == []


def test_job_pages_need_a_staff_login(app, staff):
    r = staff.post("/admin/export.csv", data={"csrf_token": staff.csrf})
    job_id = int(settle(staff, r.location).url.rsplit("/", 1)[1])
    anonymous = app.test_client()
    for url in (f"/admin/travaux/{job_id}", f"/admin/travaux/{job_id}/fichier", "/admin/travaux"):
        assert anonymous.get(url).status_code == 302
    assert anonymous.post("/admin/export.csv").status_code == 401
    assert staff.get("/admin/travaux/999").status_code == 404


def test_the_upload_limit_follows_import_max_rows(tmp_path):
    app = make_app(tmp_path, SECRET_KEY="k" * 32, IMPORT_MAX_ROWS=100)
    Accounts(Store(app.config["DATABASE"])).add("alice", PASSWORD)
    client = app.test_client()
    login(client)
    page = client.get("/admin/import").text
    assert "1,2 Mo et 100 lignes au plus" in page  # 100 rows × 2,000 bytes + 1 MiB
    form = {"csrf_token": token(page), "fichier": (io.BytesIO(b"x" * 1_400_000), "gros.csv")}
    r = client.post("/admin/import", data=form, content_type="multipart/form-data")
    assert r.status_code == 413 and "Fichier trop volumineux : 1,2 Mo au plus." in r.text


def test_gunicorn_workers_run_queued_jobs_without_any_request(tmp_path):
    from tests.live import gunicorn

    url = str(tmp_path / "spro.sqlite3")
    with gunicorn(tmp_path, {"SPRO_DATABASE_URL": url, "SPRO_JOBS_POLL_SECONDS": "0.2"}, workers=2):
        store = Store(url)
        job_id = service.start_export(store, "csv", None, "cli")
        deadline = time.monotonic() + 60
        while rows.get(store, job_id)["state"] != "done" and time.monotonic() < deadline:
            time.sleep(0.2)
        job = rows.get(store, job_id)
    assert job["state"] == "done", job
    assert rows.result(store, job_id)[0].startswith(b"\xef\xbb\xbfid;nom")
    assert re.search(r":\d+:\d+$", job["worker"])  # host:pid:thread of a worker
