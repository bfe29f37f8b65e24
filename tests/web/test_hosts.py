"""Several hosts on one database, on both backends: two apps (two "hosts") share versions, sessions,
lockouts and ETags; /readyz; clear start-up errors; the audit trail and JSON access logs."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time

import pytest

from finder import config
from finder.config import ROOT
from finder.directory import export
from finder.service.accounts import Accounts
from finder.storage import audit, import_log
from finder.storage.store import Store
from finder.web.access_log import ACCESS_FORMAT, JsonLogger
from tests.conftest import make_app
from tests.import_helpers import geo, settle
from tests.web.test_admin import PASSWORD, login, token

KEY = "une clé partagée par tous les serveurs"
NEAREST = "/api/v1/sites/nearest?commune=15014&limit=5"


def host(tmp_path, url: str, name: str):
    """One app server on the shared database (its own instance folder, the shared secret key)."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return make_app(folder, DATABASE_URL=url, SECRET_KEY=KEY, RELOAD_CHECK_SECONDS=0)


@pytest.fixture()
def hosts(tmp_path, demo_url):
    a, b = host(tmp_path, demo_url, "a"), host(tmp_path, demo_url, "b")
    Accounts(Store(demo_url)).add("alice", PASSWORD)
    yield a, b
    for app in (a, b):
        app.extensions["spro"].store.db.close()


def test_nearest_answers_the_same_on_both_backends(hosts, client):
    """``client``: the session's app on SQLite, the reference."""
    for query in (NEAREST, "/api/v1/sites/nearest?lat=45.76&lon=4.84&level=2&limit=8"):
        body = hosts[0].test_client().get(query).get_json()
        assert len(body["features"]) >= 5
        assert body["features"] == client.get(query).get_json()["features"]


def test_a_publish_through_one_host_is_served_by_the_other(hosts):
    a, b = hosts
    staff, other = a.test_client(), b.test_client()
    assert login(staff).status_code == 302
    csrf = token(staff.get("/admin/").text)
    data = export.to_bytes(Store(a.config["DATABASE_URL"]).load(), geo()).replace(b"Aurillac", b"Aurillac (15)")
    form = {"csrf_token": csrf, "fichier": (io.BytesIO(data), "annuaire.csv")}
    queued = staff.post("/admin/import", data=form, content_type="multipart/form-data")
    assert queued.status_code == 303
    assert "Publier la version 2" in settle(staff, queued.location).text  # the import job ran, its report shown
    assert staff.post("/admin/versions/2/publier", data={"csrf_token": csrf, "action": "publish"}).status_code == 303
    assert other.get("/healthz").get_json()["dataset"]["version"] == 2
    assert "Aurillac (15)" in json.dumps(other.get(NEAREST).get_json(), ensure_ascii=False)
    staff.post("/admin/versions/1/publier", data={"csrf_token": csrf, "action": "rollback"})
    assert other.get("/healthz").get_json()["dataset"]["version"] == 1


def test_etags_are_the_same_on_every_host_and_after_a_restart(hosts, tmp_path):
    a, b = hosts
    url = "/api/v1/sites?level=2"
    first = a.test_client().get(url)
    etag = first.headers["ETag"]
    assert b.test_client().get(url).headers["ETag"] == etag
    assert b.test_client().get(url, headers={"If-None-Match": etag}).status_code == 304
    restarted = host(tmp_path, a.config["DATABASE_URL"], "a")
    assert restarted.test_client().get(url, headers={"If-None-Match": etag}).status_code == 304
    assert a.test_client().get("/api/v1/sites?level=1").headers["ETag"] != etag
    store = Store(a.config["DATABASE_URL"])
    d = store.load()
    v2 = store.add_version(list(d.structures.values()), d.sites[:50], False, "t", "me")
    store.publish(v2, "me")
    changed = b.test_client().get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert a.test_client().get(url).headers["ETag"] == changed.headers["ETag"]
    restarted.extensions["spro"].store.db.close()
    store.db.close()


def test_a_session_made_on_one_host_works_on_the_other(hosts):
    a, b = hosts
    on_a, on_b = a.test_client(), b.test_client()
    assert login(on_a).status_code == 302
    cookie = on_a.get_cookie("spro_session")
    on_b.set_cookie("spro_session", cookie.value, domain=cookie.domain)
    page = on_b.get("/admin/")
    assert page.status_code == 200
    csrf = token(page.text)  # the CSRF token made on A is accepted by B
    assert on_b.post("/admin/logout", data={"csrf_token": csrf}).status_code == 302


def test_a_lockout_on_one_host_holds_on_the_other(hosts, caplog):
    a, b = hosts
    caplog.set_level(logging.INFO, logger=audit.LOGGER)
    for _ in range(5):
        assert login(a.test_client(), password="mauvais mot de passe").status_code == 401
    assert login(b.test_client()).status_code == 429
    events = [r.getMessage() for r in caplog.records if r.name == audit.LOGGER]
    assert events == ["login_failed"] * 5 + ["lockout", "login_refused"]


def test_readyz_is_200_when_the_database_answers(hosts):
    a, _ = hosts
    r = a.test_client().get("/readyz")
    assert r.status_code == 200 and r.get_json() == {
        "status": "ready",
        "database": "ok",
        "reload": "ok",
        "version": 1,
    }
    assert r.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_when_the_published_version_fails_to_load(hosts, monkeypatch):
    a, _ = hosts
    client = a.test_client()
    st = a.extensions["spro"]
    store = Store(a.config["DATABASE_URL"])
    d = store.load()
    store.publish(store.add_version(list(d.structures.values()), d.sites[:3], False, "t", "me"), "me")

    def broken(version=None):
        raise ValueError("ligne illisible")

    monkeypatch.setattr(st.store, "load_rows", broken)
    assert client.get("/healthz").get_json()["dataset"]["version"] == 1  # still serving what it has
    r = client.get("/readyz")
    assert r.status_code == 503 and r.get_json()["reload"] == "failed" and r.get_json()["database"] == "ok"
    monkeypatch.undo()
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz").get_json()["dataset"]["version"] == 2
    store.db.close()


def test_readyz_is_503_when_the_sqlite_file_cannot_be_opened(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    app = make_app(tmp_path, DATABASE_URL=str(folder / "spro.sqlite3"), RELOAD_CHECK_SECONDS=0)
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    folder.rename(tmp_path / "ailleurs")
    r = client.get("/readyz")
    assert r.status_code == 503 and r.get_json()["database"] == "unreachable"
    assert client.get(NEAREST).status_code == 200 and client.get("/healthz").status_code == 200
    (tmp_path / "ailleurs").rename(folder)
    assert client.get("/readyz").status_code == 200


# -- start-up errors: one French line naming the setting ------------------------------------
def test_postgresql_needs_a_secret_key(tmp_path, pg_server):
    url = pg_server.create_database()
    with pytest.raises(config.ConfigError, match="^SECRET_KEY est obligatoire avec une base PostgreSQL"):
        make_app(tmp_path, DATABASE_URL=url)
    make_app(tmp_path / "sqlite", DATABASE_URL=str(tmp_path / "s.sqlite3"))  # SQLite: generated as before


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgresql://postgres@127.0.0.1:1/spro", "DATABASE_URL : base PostgreSQL injoignable"),
        ("postgresql://127.0.0.1:99999/spro", "DATABASE_URL : port invalide"),
        ("postgresql://127.0.0.1:5432", "DATABASE_URL : nom de la base manquant"),
        ("mysql://h/spro", "DATABASE_URL : schéma « mysql » non pris en charge"),
        ("/proc/non/ecrivable/spro.sqlite3", "DATABASE_URL : impossible d'ouvrir la base SQLite"),
    ],
)
def test_a_wrong_database_url_is_one_french_line(tmp_path, url, expected, capsys):
    with pytest.raises(config.ConfigError) as err:
        make_app(tmp_path, DATABASE_URL=url, SECRET_KEY=KEY)
    assert str(err.value).startswith(expected) and "\n" not in str(err.value)
    from finder.cli import main as cli

    assert cli.main(["--database", url, "info"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]


def test_gunicorn_stops_on_a_wrong_database_url_without_a_traceback(tmp_path):
    env = dict(
        os.environ,
        SPRO_INSTANCE_PATH=str(tmp_path),
        SPRO_DATABASE_URL="postgresql://postgres@127.0.0.1:1/spro",
        SPRO_SECRET_KEY=KEY,
    )
    cmd = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "finder" / "web" / "gunicorn_conf.py")]
    cmd += ["--bind", "127.0.0.1:0", "--workers", "1", "finder.web.wsgi:app"]
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "DATABASE_URL : base PostgreSQL injoignable" in proc.stderr


# -- logs ------------------------------------------------------------------------------------
def test_the_audit_trail_is_json_lines(hosts, capsys):
    a, _ = hosts
    capsys.readouterr()
    audit.to_stream("stdout")
    client = a.test_client()
    login(client, password="mauvais mot de passe")
    assert login(client).status_code == 302
    store = Store(a.config["DATABASE_URL"])
    d = store.load()
    v2 = store.add_version(list(d.structures.values()), d.sites[:3], False, "t", "me")
    import_log.record(store, "{}", 0, 2, "bob", "annuaire.csv", False, v2)
    store.publish(v2, "bob")
    store.publish(1, "bob", action="rollback")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [(e["event"], e.get("user") or e.get("by")) for e in lines] == [
        ("login_failed", "alice"),
        ("login", "alice"),
        ("import", "bob"),
        ("publish", "bob"),
        ("rollback", "bob"),
    ]
    assert lines[2]["file"] == "annuaire.csv" and lines[2]["warnings"] == 2 and lines[2]["version"] == v2
    assert lines[3]["version"] == v2 and lines[4]["previous"] == v2 and "ts" in lines[0]
    store.db.close()


def test_access_log_lines_are_json_even_with_quotes_and_backslashes():
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", ACCESS_FORMAT)
    logger = JsonLogger(cfg)
    stream = io.StringIO()
    logger.access_log.handlers[0].stream = stream

    class Resp:
        status, sent, headers = "200 OK", 1234, [("Content-Type", "application/json")]

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": '/api/v1/sites?q="x"',
        "PATH_INFO": "/api/v1/sites",
        "QUERY_STRING": 'q="x"\\',
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": 'curl "quoted" \\ back\tslash',
    }

    class Delta:
        seconds, microseconds = 0, 2500

    logger.access(Resp(), [("X-Forwarded-For", "203.0.113.9")], environ, Delta())
    line = json.loads(stream.getvalue())
    assert line["status"] == 200 and line["duration_ms"] == 2 and line["bytes"] == "1234"
    assert line["user_agent"] == 'curl "quoted" \\ back\tslash' and line["query"] == 'q="x"\\'
    assert line["forwarded_for"] == "203.0.113.9" and line["path"] == "/api/v1/sites"


# -- PostgreSQL stopped and started again under a running app ---------------------------------
@pytest.mark.postgres
def test_stopping_postgresql_makes_readyz_503_and_restarting_recovers(pg_server, pg_demo_template, tmp_path):
    url = pg_server.create_database(template=pg_demo_template)
    app = host(tmp_path, url, "a")
    Accounts(Store(url)).add("alice", PASSWORD)
    client, staff = app.test_client(), app.test_client()
    assert login(staff).status_code == 302
    cached = client.get(NEAREST).get_json()
    assert client.get("/readyz").status_code == 200
    pg_server.stop()
    try:
        r = client.get("/readyz")
        assert r.status_code == 503 and r.get_json()["database"] == "unreachable"
        assert client.get(NEAREST).get_json() == cached  # searches keep answering from memory
        assert client.get("/api/v1/sites/nearest?lat=45.2&lon=5.7&limit=3").status_code == 200
        assert client.get("/healthz").status_code == 200
        page = staff.get("/admin/")
        assert page.status_code == 503 and "momentanément indisponible" in page.text
    finally:
        pg_server.resume()
    deadline = time.monotonic() + 10
    while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.get("/readyz").get_json()["status"] == "ready"
    assert staff.get("/admin/").status_code == 200
    store = Store(url)
    d = store.load()
    store.publish(store.add_version(list(d.structures.values()), d.sites[:9], False, "t", "me"), "me")
    assert client.get("/healthz").get_json()["dataset"]["sites"] == 9
    store.db.close()
    app.extensions["spro"].store.db.close()


def test_a_restore_that_reuses_a_version_number_is_served_with_its_own_content(demo_url, tmp_path):
    """A backup restored, then a new import given the number a lost version had: hosts compare content too."""
    from finder.cli import main as cli

    store = Store(demo_url)
    backup = tmp_path / "avant.bin"
    assert cli.main(["--database", demo_url, "backup", str(backup)]) == 0
    d = store.load()
    structures = list(d.structures.values())
    lost = store.add_version(structures, d.sites[:10], False, "perdue", "me")
    store.publish(lost, "me")
    app = make_app(tmp_path, DATABASE_URL=demo_url, SECRET_KEY=KEY, RELOAD_CHECK_SECONDS=3600)
    client = app.test_client()
    before = client.get(NEAREST).get_json()
    assert client.get("/healthz").get_json()["dataset"]["sites"] == 10
    assert cli.main(["--database", demo_url, "restore", str(backup)]) == 0
    again = store.add_version(structures, d.sites[10:30], False, "nouvelle", "me")
    store.publish(again, "me")
    assert again == lost, "the restored sequence gives the lost version's number again"
    assert app.extensions["spro"].refresh() is True
    assert client.get("/healthz").get_json()["dataset"]["sites"] == 20
    assert client.get(NEAREST).get_json() != before, "no answer cached from the lost version"
    app.extensions["spro"].store.db.close()
    store.db.close()
