"""Staff access and pages: login, CSRF, cookies, lockout, upload → report → publish, versions, closures."""

from __future__ import annotations

import io
import re

import pytest

from finder.directory import export
from finder.service.accounts import Accounts
from finder.storage import widget_loads
from finder.storage.store import Store
from tests.import_helpers import demo_rows, geo, settle, to_csv
from tests.web.staff_login import PASSWORD, login, signed_in, staff_app, token


@pytest.fixture()
def app(tmp_path):
    return staff_app(tmp_path)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def staff(client):
    return signed_in(client)


def _fill(path: str, values: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)


def admin_rules(app, method: str):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.") and method in r.methods]


def test_staff_pages_need_login(app, client):
    gets = [r for r in admin_rules(app, "GET") if r.endpoint != "admin.login"]
    posts = [r for r in admin_rules(app, "POST") if r.endpoint != "admin.login"]
    assert len(gets) >= 10 and len(posts) >= 5
    for rule in gets:
        values = {"version": 1, "report_id": 1, "fmt": "csv", "name": "schema.json", "campaign_id": 1, "job_id": 1}
        r = client.get(_fill(rule.rule, values))
        assert r.status_code == 302 and r.location.startswith("/admin/login?next="), rule.rule
    for rule in posts:
        r = client.post(
            _fill(rule.rule, {"version": 1, "change_id": 1, "campaign_id": 1, "username": "x", "fmt": "csv"}),
            data={"csrf_token": "x"},
        )
        assert r.status_code == 401, rule.rule
        assert "Connexion requise" in r.text


def test_citizen_and_api_pages_stay_public(client):
    for url in ("/", "/healthz", "/api/v1/sites", "/api/v1/vocabularies", "/lieux/lieu-0001"):
        assert client.get(url).status_code == 200, url


def test_login_sets_a_secure_session_cookie_and_renews_the_csrf_token(client):
    before = token(client.get("/admin/login").text)
    r = login(client)
    assert r.status_code == 302 and r.location == "/admin/"
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/admin/")
    assert page.status_code == 200 and "alice" in page.text
    assert token(page.text) != before
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_csrf_is_enforced_on_every_form(app, staff):
    for rule in admin_rules(app, "POST"):
        url = _fill(rule.rule, {"version": 1, "change_id": 1, "campaign_id": 1, "username": "x", "fmt": "csv"})
        for data in ({}, {"csrf_token": "faux"}):
            r = staff.post(url, data=data)
            assert r.status_code == 400 and "Jeton de sécurité" in r.text, (url, data)
    assert staff.get("/admin/").status_code == 200  # still logged in: nothing was done


def test_login_form_needs_its_csrf_token(client):
    r = client.post("/admin/login", data={"username": "alice", "password": PASSWORD})
    assert r.status_code == 400


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    a = login(client, password="pas le bon mot de passe")
    b = login(client, username="mallory")
    assert a.status_code == b.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in a.text and "Identifiant ou mot de passe incorrect" in b.text


def test_lockout_after_repeated_failures(client):
    for _ in range(5):
        assert login(client, password="mauvais mot de passe").status_code == 401
    r = login(client)  # even the right password is refused for a while
    assert r.status_code == 429 and "Trop de tentatives" in r.text
    assert client.get("/admin/").status_code == 302


def test_lockout_expires_and_success_resets(tmp_path):
    now = [1000.0]
    store = Store(tmp_path / "s.sqlite3")
    store.migrate()
    users = Accounts(store, max_failures=3, lock_seconds=60, clock=lambda: now[0])
    users.add("bob", PASSWORD)
    for _ in range(3):
        assert not users.authenticate("bob", "mauvais", "10.0.0.1").ok
    locked = users.authenticate("bob", PASSWORD, "10.0.0.2")
    assert not locked.ok and locked.locked_seconds == 60
    now[0] += 61
    assert users.authenticate("bob", PASSWORD, "10.0.0.2").ok
    assert not users.authenticate("bob", "mauvais", "10.0.0.2").ok  # counting starts again
    assert users.authenticate("Bob", PASSWORD, "10.0.0.2").ok


def test_passwords_are_stored_as_argon2id_hashes(app):
    import sqlite3

    with sqlite3.connect(app.config["DATABASE"]) as con:
        (digest,) = con.execute("SELECT password_hash FROM users WHERE username='alice'").fetchone()
    assert digest.startswith("$argon2id$") and PASSWORD not in digest


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x"])
def test_login_never_redirects_off_site(client, target):
    r = login(client, next_url=target)
    assert r.status_code == 302 and r.location == "/admin/"


def test_login_returns_to_the_page_asked(client):
    assert client.get("/admin/versions").location == "/admin/login?next=/admin/versions"
    assert login(client, next_url="/admin/versions").location == "/admin/versions"


def test_logout(staff):
    assert staff.post("/admin/logout", data={"csrf_token": staff.csrf}).status_code == 302
    assert staff.get("/admin/").status_code == 302


def upload(staff, data: bytes, name="annuaire.csv", dry_run=False):
    form = {"csrf_token": staff.csrf, "fichier": (io.BytesIO(data), name)}
    if dry_run:
        form["essai"] = "1"
    return staff.post("/admin/import", data=form, content_type="multipart/form-data")


def test_upload_report_publish_and_rollback(app, staff):
    data = export.to_bytes(Store(app.config["DATABASE"]).load(), geo()).replace(b"Aurillac", b"Aurillac (15)")
    r = upload(staff, data)
    assert r.status_code == 303 and r.location.startswith("/admin/travaux/")
    report = settle(staff, r.location)
    assert "0 erreur(s)" in report.text and "Publier la version 2" in report.text
    assert staff.get("/healthz").get_json()["dataset"]["version"] == 1  # stored, not yet served
    r = staff.post("/admin/versions/2/publier", data={"csrf_token": staff.csrf, "action": "publish"})
    assert r.status_code == 303
    assert staff.get("/healthz").get_json()["dataset"]["version"] == 2
    versions = staff.get("/admin/versions").text
    assert "Revenir à cette version" in versions and "modifié(s)" in versions and "alice" in versions
    staff.post("/admin/versions/1/publier", data={"csrf_token": staff.csrf, "action": "rollback"})
    assert staff.get("/healthz").get_json()["dataset"]["version"] == 1
    assert "retour arrière" in staff.get("/admin/versions").text


def test_bad_upload_gets_a_report_with_csv_and_nothing_changes(app, staff):
    rows = demo_rows(3)
    rows[1]["telephone"] = "12"
    r = upload(staff, to_csv(rows))
    page = settle(staff, r.location)
    assert "Import refusé" in page.text and "Téléphone invalide" in page.text and "Publier" not in page.text
    csv = staff.get(page.url + "/rapport.csv")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "ligne;champ;gravite;code;message;valeur"
    assert lines[1].startswith("3;telephone;erreur;invalid_phone;")
    assert [v["id"] for v in Store(app.config["DATABASE"]).versions()] == [1]


def test_dry_run_upload_stores_no_version(app, staff):
    r = upload(staff, to_csv(demo_rows(3)), dry_run=True)
    page = settle(staff, r.location).text
    assert "essai à blanc" in page and "Publier" not in page
    assert len(Store(app.config["DATABASE"]).versions()) == 1


def test_upload_errors(app, staff):
    assert upload(staff, b"", name="").status_code == 400
    app.config["IMPORT_MAX_MB"] = 0.001
    r = upload(staff, b"x" * 100_000)  # beyond the limit and the form's envelope: never received
    assert r.status_code == 413 and "trop volumineux" in r.text
    r = upload(staff, b"x" * 5000)  # received (within the envelope), refused by the import's own check
    assert "trop volumineux" in settle(staff, r.location).text


def test_a_file_too_large_to_receive_is_kept_in_the_import_log(app, staff):
    from finder.storage import import_log

    app.config["IMPORT_MAX_MB"] = 0.001
    assert upload(staff, b"x" * 100_000).status_code == 413
    (last,) = import_log.recent(Store(app.config["DATABASE"]), limit=1)
    assert last["errors"] == 1 and last["author"] == "alice" and last["version"] is None
    assert "trop volumineux" in staff.get(f"/admin/imports/{last['id']}").text


def exported(staff, url: str):
    """Start an export job from its button, wait for it, download its file."""
    r = staff.post(url, data={"csrf_token": staff.csrf})
    assert r.status_code == 303 and r.location.startswith("/admin/travaux/"), r.status_code
    page = settle(staff, r.location)
    link = re.search(r'href="(/admin/travaux/\d+/fichier)"', page.text)
    assert link, page.text
    return staff.get(link.group(1))


def test_exports_and_schema_downloads(staff):
    csv = exported(staff, "/admin/export.csv")
    assert csv.mimetype == "text/csv" and csv.headers["X-Content-Type-Options"] == "nosniff"
    assert csv.data.startswith(b"\xef\xbb\xbfid;nom;structure_id")
    assert exported(staff, "/admin/versions/1/export.xlsx").data.startswith(b"PK")
    assert staff.get("/admin/export.pdf").status_code == 404
    assert staff.post("/admin/export.pdf", data={"csrf_token": staff.csrf}).status_code == 404
    assert staff.get("/admin/schema/schema.json").get_json()["primaryKey"] == "id"
    assert staff.get("/admin/schema/autre.json").status_code == 404
    assert "structure_zone_eligibilite" in staff.get("/admin/schema").text


def test_quality_page_lists_stale_sites(staff):
    page = staff.get("/admin/qualite").text
    assert "Lieux à vérifier" in page and "lieu-" in page
    csv = staff.get("/admin/qualite/a-verifier.csv").data.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("id;nom;structure") and len(csv) > 100


def test_closure_recorded_shown_to_citizens_and_removed(app, staff):
    form = {"csrf_token": staff.csrf, "site": "lieu-0001", "start": "2020-01-01", "end": "2099-12-31"}
    r = staff.post("/admin/fermetures", data={**form, "reason": "Travaux"})
    assert r.status_code == 303
    assert staff.get("/healthz").get_json()["dataset"]["version"] == 2
    site = staff.get("/lieux/lieu-0001").text
    assert "Fermé temporairement" in site and "Travaux" in site and "Ouvert maintenant" not in site
    assert "Travaux" in staff.get("/admin/fermetures").text
    bad = staff.post("/admin/fermetures", data={**form, "end": "2019-01-01"})
    assert bad.status_code == 400 and "précède" in bad.text
    unknown = staff.post("/admin/fermetures", data={**form, "site": "lieu-inconnu"})
    assert unknown.status_code == 404
    later = {**form, "start": "2099-01-01", "end": "2099-01-02", "reason": "Inventaire"}
    assert staff.post("/admin/fermetures", data=later).status_code == 303
    assert "Fermeture prévue du 1er janvier 2099 au 2 janvier 2099 : Inventaire" in staff.get("/lieux/lieu-0001").text
    removal = {"csrf_token": staff.csrf, "site": "lieu-0001", "start": "2020-01-01", "end": "2099-12-31"}
    assert staff.post("/admin/fermetures/supprimer", data=removal).status_code == 303
    assert "Fermé temporairement" not in staff.get("/lieux/lieu-0001").text
    log = staff.get("/admin/versions").text
    assert "Publication de la version 4" in log


def test_dashboard_shows_widget_loads(app, staff):
    import datetime

    db = Store(app.config["DATABASE"])
    for _ in range(7):
        assert widget_loads.record(db, "https://mairie.example", datetime.date(2026, 11, 20))
    for _ in range(3):
        assert widget_loads.record(db, "https://mairie.example", datetime.date(2020, 1, 1))
    page = staff.get("/admin/").text
    assert "Chargements du widget partenaire" in page and "https://mairie.example" in page
    rows = widget_loads.summary(db, today=datetime.date(2026, 11, 28))
    assert rows == [{"origin": "https://mairie.example", "recent": 7, "total": 10, "last_day": "2026-11-20"}]


def test_dashboard_lists_the_first_origins_and_sums_up_the_rest(app, staff):
    import datetime

    db = Store(app.config["DATABASE"])
    today = datetime.date.today()
    for i in range(30):
        for _ in range(30 - i):  # site00 most loaded, site29 least
            widget_loads.record(db, f"https://site{i:02d}.example", today)
    page = staff.get("/admin/").text
    assert "https://site19.example" in page and "https://site20.example" not in page
    assert "10 autre(s) origine(s)</td><td>55</td><td>55</td>" in page  # 10 + 9 + … + 1 loads
    assert "Ces nombres sont indicatifs" in page
