"""The lockout holds against parallel attempts: real threads against a real gunicorn (2 workers, loopback).

Issue 15: 80 wrong passwords for one account sent 8 at a time had 23 checked, the lock
erased, and the right password then logged in.
"""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from finder.service.accounts import IP_FACTOR, Accounts
from finder.storage.store import Store
from tests.conftest import DEMO
from tests.live import gunicorn

PASSWORD = "un mot de passe solide"
MAX_FAILURES = 5  # LOGIN_MAX_FAILURES, the default
THREADS = 8


@pytest.fixture()
def server(tmp_path):
    store = Store(tmp_path / "spro.sqlite3")
    store.initialise(DEMO)
    Accounts(store).add("alice", PASSWORD)
    settings = {"SPRO_DATABASE": str(store.path), "SPRO_SESSION_COOKIE_SECURE": "false"}
    with gunicorn(tmp_path, settings, workers=2) as base:
        yield base, store


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def attempt(base: str, username: str, password: str) -> int:
    """One login as a browser makes it (its own cookies: the form, then the post); the status answered."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())
    with opener.open(base + "/admin/login", timeout=30) as page:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
    form = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": csrf}).encode()
    try:
        with opener.open(base + "/admin/login", data=form, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as err:
        return err.code


def test_parallel_wrong_passwords_never_check_more_than_the_limit_nor_lift_the_lock(server):
    base, store = server
    start = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        statuses = Counter(pool.map(lambda i: attempt(base, "alice", f"essai {i}"), range(80)))
    print(f"\n80 wrong passwords, {THREADS} at a time: {dict(statuses)} in {time.monotonic() - start:.1f} s")
    assert statuses == {401: MAX_FAILURES, 429: 80 - MAX_FAILURES}, "only the first five were checked"
    assert attempt(base, "alice", PASSWORD) == 429, "the right password is refused while the lock holds"
    with store.db.connection() as con:
        (until,) = con.execute("SELECT locked_until FROM login_throttle WHERE key='user:alice'").fetchone()
    assert until > time.time() + 800, "the lock stayed whole (15 min)"

    # the same client, many names: the address's own limit (IP_FACTOR times an account's) holds too
    with ThreadPoolExecutor(THREADS) as pool:
        statuses = Counter(pool.map(lambda i: attempt(base, f"inconnu{i}", "mauvais"), range(40)))
    print(f"40 unknown names from one client: {dict(statuses)}")
    assert statuses[401] == MAX_FAILURES * IP_FACTOR - MAX_FAILURES and statuses[401] + statuses[429] == 40
