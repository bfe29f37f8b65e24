"""Staff sessions end on the server (logout, new password, disabled account, absolute lifetime),
the login answers as fast for an unknown name as for a real one, and the staff pages' own headers hold."""

from __future__ import annotations

import io
import statistics
import time
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher

from finder.cli import main as cli
from finder.service.accounts import Accounts
from finder.storage.store import Store
from tests.conftest import make_app
from tests.web.staff_login import PASSWORD, login, signed_in, staff_app, token

COOKIE = "spro_session"


@pytest.fixture()
def app(tmp_path):
    return staff_app(tmp_path)


@pytest.fixture()
def staff(app):
    return signed_in(app.test_client())


def test_logout_ends_the_session_on_the_server(staff):
    old = staff.get_cookie(COOKIE).value
    assert staff.post("/admin/logout", data={"csrf_token": staff.csrf}).status_code == 302
    staff.set_cookie(COOKIE, old)  # the cookie from before the logout, replayed
    assert staff.get("/admin/").status_code == 302
    publish = staff.post("/admin/versions/1/publier", data={"csrf_token": staff.csrf, "action": "rollback"})
    assert publish.status_code == 401 and "Connexion requise" in publish.text


def test_logout_ends_the_other_sessions_of_the_account_too(app, staff):
    other = app.test_client()
    assert login(other).status_code == 302
    other.post("/admin/logout", data={"csrf_token": token(other.get("/admin/").text)})
    assert staff.get("/admin/").status_code == 302


def test_a_session_ends_eight_hours_after_login_however_active(staff, monkeypatch):
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start + 4 * 3600)
    assert staff.get("/admin/").status_code == 200  # active in the meantime
    monkeypatch.setattr(time, "time", lambda: start + 8 * 3600 + 60)
    assert staff.get("/admin/").status_code == 302


def test_the_cookie_is_not_reissued_on_every_request(staff):
    assert "Set-Cookie" not in staff.get("/admin/").headers


def spro(app, *args) -> int:
    return cli.main(["--database", app.config["DATABASE"], "user", *args])


def test_command_line_reset_password_and_disable_end_the_sessions(app, staff, monkeypatch, capsys):
    new = "un tout autre mot de passe"
    monkeypatch.setattr("sys.stdin", io.StringIO(new + "\n"))
    assert spro(app, "reset-password", "Alice", "--password-stdin") == 0
    assert "sessions ouvertes sont closes" in capsys.readouterr().out
    assert staff.get("/admin/").status_code == 302
    assert login(staff).status_code == 401  # the old password
    assert login(staff, password=new).status_code == 302
    assert spro(app, "disable", "alice") == 0
    assert staff.get("/admin/").status_code == 302
    assert login(staff, password=new).status_code == 401
    assert spro(app, "list") == 0 and "(désactivé)" in capsys.readouterr().out
    assert spro(app, "enable", "alice") == 0
    assert login(staff, password=new).status_code == 302
    assert spro(app, "disable", "personne") == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("password1234\n"))
    assert spro(app, "reset-password", "alice", "--password-stdin") == 2
    assert "trop courant" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["/admin/versions\r\nX-Injected: oui", "/admin/\nx", "/admin/\x00", "/admin/\x7f"])
def test_login_next_with_control_characters_goes_to_the_dashboard(app, target):
    r = login(app.test_client(), next_url=quote(target, safe="/"))
    assert r.status_code == 302 and r.location == "/admin/" and "X-Injected" not in r.headers


def test_an_unknown_account_takes_as_long_as_a_real_one(tmp_path):
    hasher = PasswordHasher(time_cost=2, memory_cost=16 * 1024, parallelism=1)  # ~20 ms: above the noise
    app = make_app(tmp_path, SECRET_KEY="k" * 32, LOGIN_MAX_FAILURES=1000)
    app.extensions["spro_password_hasher"] = hasher
    Accounts(Store(app.config["DATABASE"]), hasher=hasher).add("alice", PASSWORD)
    client = app.test_client()
    csrf = token(client.get("/admin/login").text)

    def timed(name: str) -> float:
        start = time.perf_counter()
        r = client.post("/admin/login", data={"username": name, "password": "pas le bon", "csrf_token": csrf})
        assert r.status_code == 401
        return time.perf_counter() - start

    for name in ("alice", "mallory"):  # warm-up
        timed(name)
    real, unknown = [], []
    for i in range(15):
        real.append(timed("alice"))
        unknown.append(timed(f"mallory{i}"))
    med_real, med_unknown = statistics.median(real), statistics.median(unknown)
    print(f"\nmedian login answer: real account {med_real * 1e3:.1f} ms, unknown {med_unknown * 1e3:.1f} ms")
    assert abs(med_real - med_unknown) < 0.25 * med_real


def test_staff_pages_keep_their_own_framing_and_referrer_headers(staff):
    r = staff.get("/admin/")
    assert r.headers.getlist("X-Frame-Options") == ["DENY"]
    assert r.headers.getlist("Referrer-Policy") == ["same-origin"]
    assert staff.get("/").headers["X-Frame-Options"] == "SAMEORIGIN"  # citizen pages unchanged


def test_exporting_an_unknown_version_answers_404(staff):
    for url in ("/admin/versions/99/export.csv", "/admin/versions/99/export.xlsx"):
        r = staff.get(url)
        assert r.status_code == 404 and "99" in r.text
    assert staff.post("/admin/versions/99/publier", data={"csrf_token": staff.csrf}).status_code == 404
