"""Staff access: the secret key, login sessions, CSRF tokens and the headers of staff pages.

- SECRET_KEY comes from the environment (SPRO_SECRET_KEY) or instance/config.py; when
  absent it is generated once into instance/secret_key (mode 0600) and shared by workers —
  except on a PostgreSQL database, where several hosts must share one key: it is required.
- A session holds the staff user, the account's session generation, when it was opened
  and a CSRF token; every POST of a protected blueprint must echo the token (form field
  ``csrf_token`` or header ``X-CSRF-Token``).
- ``require_login`` guards a blueprint: the session must still be valid for its account
  (same generation, account enabled, opened less than PERMANENT_SESSION_LIFETIME ago:
  an absolute lifetime, however active the session); GET without one → 302 to the login
  page, any other method → 401. Logging out ends every session of the account.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, session, url_for

from finder import config
from finder.errors import FinderError
from finder.service.accounts import DEFAULT_HASHER, Accounts
from finder.storage import accounts as account_rows
from finder.storage import audit
from finder.web import state
from finder.web.ratelimit import client_key

SECRET_FILE = "secret_key"
STAFF_HEADERS = (
    ("Cache-Control", "no-store"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
)


class Unauthorized(FinderError):
    status = 401
    code = "unauthorized"


class CsrfError(FinderError):
    status = 400
    code = "csrf"


def init_app(app: Flask) -> None:
    """Give the app a secret key and the template helper ``csrf_token()``."""
    if not app.config.get("SECRET_KEY"):
        if config.is_postgres(app.config["DATABASE_URL"]):
            raise config.ConfigError(
                "SECRET_KEY est obligatoire avec une base PostgreSQL : donnez la même clé à tous les serveurs "
                "(SPRO_SECRET_KEY, 32 octets aléatoires ou plus)."
            )
        app.config["SECRET_KEY"] = load_or_create_secret(Path(app.instance_path))
    app.extensions.setdefault("spro_password_hasher", DEFAULT_HASHER)  # one per app (tests give a cheaper one)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["staff_user"] = lambda: session.get("user")


def load_or_create_secret(instance: Path) -> str:
    """The instance's persistent secret key, created at first run (safe when several processes race)."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text(encoding="ascii").strip()
            if key:
                return key
            time.sleep(0.02)  # another process is writing it
        raise RuntimeError(f"{path} est vide : supprimez-le pour en générer un nouveau.") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


def accounts() -> Accounts:
    """Staff accounts with the configured lockout and the app's password hasher."""
    cfg = current_app.config
    hasher = current_app.extensions["spro_password_hasher"]
    return Accounts(state().store, int(cfg["LOGIN_MAX_FAILURES"]), float(cfg["LOGIN_LOCK_SECONDS"]), hasher)


def client() -> str:
    """Who is trying to log in, as the rate limit keys clients (an IPv6 /64 as one)."""
    return client_key(request.remote_addr or "-")


def audit_login(username: str, address: str, outcome) -> None:
    """Trace a login attempt (spro.audit): login, login_refused (locked), login_failed, and lockout when
    this failure locked the account or the address."""
    name = (username or "").strip().lower()
    if outcome.ok:
        audit.event("login", user=name, address=address)
    elif outcome.locked_seconds:
        audit.event("login_refused", user=name, address=address, locked_seconds=outcome.locked_seconds)
    else:
        audit.event("login_failed", user=name, address=address)
        keys = (f"user:{name}", f"ip:{address}")
        if account_rows.locked_until(state().store, keys) > time.time():
            audit.event("lockout", user=name, address=address)


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuse a state-changing request whose token does not match the session's."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfError("Jeton de sécurité manquant ou périmé : rechargez la page et recommencez.", field="csrf_token")


def current_user() -> str | None:
    return session.get("user")


def log_in(username: str, generation: int) -> None:
    """A fresh session for the user (against session fixation), with a new CSRF token."""
    session.clear()
    session.permanent = True
    session["user"] = username
    session["gen"] = generation
    session["opened"] = time.time()
    session["csrf"] = secrets.token_urlsafe(32)


def log_out() -> None:
    """End every session of the account, this one included (server-side: its cookie no longer works)."""
    user = current_user()
    if user:
        accounts().end_sessions(user)
    session.clear()


def require_login():
    """before_request hook of staff blueprints: 302 to the login page for GET, 401 otherwise; then CSRF."""
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if not accounts().session_valid(current_user(), session.get("gen"), session.get("opened"), lifetime):
        session.clear()
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
        raise Unauthorized("Connexion requise : identifiez-vous sur /admin/login.")
    check_csrf()
    return None


def safe_next(target: str | None) -> str:
    """Where to go after login: a local staff path only (never another site)."""
    if not target:
        return url_for("admin.dashboard")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):  # CR/LF would split the Location header
        return url_for("admin.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("admin.dashboard")
    return target


def staff_headers(response):
    for key, value in STAFF_HEADERS:
        response.headers[key] = value
    return response
