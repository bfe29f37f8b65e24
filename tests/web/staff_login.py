"""Signing in to the staff back office in tests: the password, the CSRF token, the login form, an
app with one account (alice) and a client signed in as her (test modules wrap these in fixtures)."""

import re

from finder.service.accounts import Accounts
from finder.storage.store import Store
from tests.conftest import make_app

PASSWORD = "un mot de passe solide"


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username="alice", password=PASSWORD, next_url=None):
    page = client.get("/admin/login")
    url = "/admin/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password, "csrf_token": token(page.text)})


def staff_app(tmp_path):
    app = make_app(tmp_path, SECRET_KEY="k" * 32, RELOAD_CHECK_SECONDS=0)
    Accounts(Store(app.config["DATABASE"])).add("alice", PASSWORD)
    return app


def signed_in(client):
    """``client`` signed in as alice, with the CSRF token of her session (``client.csrf``)."""
    assert login(client).status_code == 302
    client.csrf = token(client.get("/admin/").text)
    return client
