"""The login policy over the accounts table: name and password rules, Argon2id, lockout per account and address."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher

from finder.errors import InvalidParameter, NotFound
from finder.service.accounts import IP_FACTOR, Accounts
from finder.storage import accounts as rows
from finder.storage.store import Store

PASSWORD = "un mot de passe solide"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "s.sqlite3")
    s.migrate()
    return s


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def accounts(store, clock=None) -> Accounts:
    return Accounts(store, max_failures=3, lock_seconds=60, hasher=FAST, clock=clock or Clock())


@pytest.mark.parametrize(
    "username, password, field",
    [
        ("a", PASSWORD, "username"),
        ("-alice", PASSWORD, "username"),
        ("alice bob", PASSWORD, "username"),
        ("alice", "court", "password"),
        ("alice", "", "password"),
    ],
)
def test_bad_names_and_short_passwords_are_refused(store, username, password, field):
    with pytest.raises(InvalidParameter) as err:
        accounts(store).add(username, password)
    assert err.value.field == field
    assert rows.all_users(store) == []


def test_names_are_lower_cased_and_unique(store):
    a = accounts(store)
    assert a.add("  Alice@Exemple.fr ", PASSWORD) == "alice@exemple.fr"
    with pytest.raises(InvalidParameter) as err:
        a.add("ALICE@exemple.fr", PASSWORD + "!")
    assert err.value.code == "user_exists"
    assert [u["username"] for u in a.list()] == ["alice@exemple.fr"] and a.exists("alice@exemple.fr")
    assert rows.password_hash(store, "alice@exemple.fr").startswith("$argon2id$")


def test_a_successful_login_is_dated_and_clears_the_account_failures(store):
    a = accounts(store)
    a.add("bob", PASSWORD)
    assert not a.authenticate("bob", "mauvais", "10.0.0.1").ok
    assert a.authenticate("bob", PASSWORD, "10.0.0.1").ok
    assert a.list()[0]["last_login"] is not None
    for _ in range(2):  # the earlier failure no longer counts: two more do not lock
        assert not a.authenticate("bob", "mauvais", "10.0.0.1").ok
    assert a.authenticate("bob", PASSWORD, "10.0.0.1").ok


def test_an_address_is_locked_after_many_failures_over_several_accounts(store):
    clock = Clock()
    a = accounts(store, clock)
    a.add("bob", PASSWORD)
    for i in range(3 * IP_FACTOR - 1):
        assert not a.authenticate(f"inconnu{i}", "mauvais", "10.0.0.9").ok  # each name fails once only
    assert a.authenticate("bob", PASSWORD, "10.0.0.9").ok, "one failure short of the address's limit"
    assert not a.authenticate("inconnu", "mauvais", "10.0.0.9").ok
    locked = a.authenticate("bob", PASSWORD, "10.0.0.9")
    assert not locked.ok and locked.locked_seconds == 60 and "1 minute" in locked.message
    assert a.authenticate("bob", PASSWORD, "10.0.0.10").ok  # another address is not concerned
    clock.now += 61
    assert a.authenticate("bob", PASSWORD, "10.0.0.9").ok


def test_an_outdated_hash_is_replaced_at_login(store):
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16)
    Accounts(store, hasher=old).add("carol", PASSWORD)
    before = rows.password_hash(store, "carol")
    assert accounts(store).authenticate("carol", PASSWORD).ok
    after = rows.password_hash(store, "carol")
    assert after != before and FAST.verify(after, PASSWORD)


def test_after_a_lock_expires_the_count_starts_again(store):
    clock = Clock()
    a = accounts(store, clock)
    a.add("dave", PASSWORD)
    for _ in range(3):
        assert not a.authenticate("dave", "mauvais", "10.0.0.1").ok
    assert a.authenticate("dave", PASSWORD, "10.0.0.1").locked_seconds == 60
    clock.now += 61
    assert not a.authenticate("dave", "mauvais", "10.0.0.1").ok
    assert a.authenticate("dave", PASSWORD, "10.0.0.1").ok, "one failure after the lock does not lock again"


# -- issue 15: weak passwords, races, timing ---------------------------------------------------
@pytest.mark.parametrize(
    "password",
    [
        " " * 12,
        "password1234",
        "Motdepasse2024!",
        "azertyuiopqsd",
        "abcdefghijklm",
        "aaaaaaaaaaaa1",
        "123456789012",
        "erin-2024-erin",  # the account's name
        "nire de nire de",  # reversed
    ],
)
def test_weak_passwords_are_refused(store, password):
    with pytest.raises(InvalidParameter) as err:
        accounts(store).add("erin", password)
    assert err.value.code == "weak_password" and err.value.field == "password"
    assert rows.all_users(store) == []


@pytest.mark.parametrize("password", [PASSWORD, "jambon beurre cornichon", "Tr0ub4dor&3xZ", "kx9fq2mzp7wl"])
def test_strong_passwords_are_accepted(store, password):
    assert accounts(store).add("erin", password) == "erin"


class GatedHasher(PasswordHasher):
    """FAST's hashes; ``verify`` waits for ``gate`` in the thread named ``held``, and counts its calls."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.gate = threading.Event()
        self.verified = 0

    def verify(self, digest, password):
        self.verified += 1
        if threading.current_thread().name == "held":
            assert self.gate.wait(10)
        return super().verify(digest, password)


def test_an_attempt_in_flight_cannot_lower_a_lock(store):
    hasher = GatedHasher()
    a = Accounts(store, max_failures=3, lock_seconds=60, hasher=hasher, clock=Clock())
    a.add("bob", PASSWORD)
    outcomes = []
    held = threading.Thread(target=lambda: outcomes.append(a.authenticate("bob", "mauvais", "10.0.0.1")), name="held")
    held.start()  # admitted, then waits in verify
    while hasher.verified == 0:
        time.sleep(0.01)
    later = [a.authenticate("bob", "mauvais", "10.0.0.2") for _ in range(3)]
    hasher.gate.set()
    held.join(10)
    assert [o.locked_seconds > 0 for o in later] == [False, False, True], "the third failure in all locks"
    assert not outcomes[0].ok and not outcomes[0].locked_seconds
    refused = a.authenticate("bob", PASSWORD, "10.0.0.3")
    assert not refused.ok and refused.locked_seconds == 60, "the failure that finished last did not lift the lock"


def test_concurrent_attempts_never_verify_more_than_the_limit(store):
    class Slow(PasswordHasher):
        def verify(self, digest, password):
            time.sleep(0.02)
            return super().verify(digest, password)

    a = Accounts(store, max_failures=5, lock_seconds=900, hasher=Slow(time_cost=1, memory_cost=8, parallelism=1))
    a.add("bob", PASSWORD)
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda i: a.authenticate("bob", f"essai {i}", f"10.0.1.{i}"), range(40)))
    checked = [o for o in outcomes if not o.locked_seconds]
    assert len(checked) == 5, f"{len(checked)} of 40 passwords were verified"
    assert a.authenticate("bob", PASSWORD, "10.0.2.1").locked_seconds > 0


def test_a_client_is_limited_across_accounts_under_concurrency(store):
    a = accounts(store)  # 3 failures an account, 12 a client
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda i: a.authenticate(f"inconnu{i}", "mauvais", "10.0.0.7"), range(30)))
    assert sum(not o.locked_seconds for o in outcomes) == 3 * IP_FACTOR


def test_a_disabled_account_cannot_log_in_and_looks_unknown(store):
    a = accounts(store)
    a.add("bob", PASSWORD)
    a.disable("bob")
    outcome = a.authenticate("bob", PASSWORD, "10.0.0.1")
    assert not outcome.ok and outcome.message == a.authenticate("personne", PASSWORD, "10.0.0.1").message
    assert a.list()[0]["disabled"] is True
    a.disable("bob", disabled=False)
    assert a.authenticate("bob", PASSWORD, "10.0.0.1").ok
    with pytest.raises(NotFound):
        a.disable("personne")


def test_sessions_end_with_a_new_password_a_disabled_account_or_their_lifetime(store):
    clock = Clock()
    a = accounts(store, clock)
    a.add("bob", PASSWORD)
    opened = a.authenticate("bob", PASSWORD, "10.0.0.1")
    assert a.session_valid("bob", opened.generation, clock.now, 3600)
    clock.now += 3601
    assert not a.session_valid("bob", opened.generation, clock.now - 3601, 3600), "absolute lifetime"
    a.reset_password("bob", "un autre mot de passe solide")
    assert not a.session_valid("bob", opened.generation, clock.now, 3600)
    assert not a.authenticate("bob", PASSWORD, "10.0.0.1").ok
    again = a.authenticate("bob", "un autre mot de passe solide", "10.0.0.1")
    assert again.ok and a.session_valid("bob", again.generation, clock.now, 3600)
    a.end_sessions("bob")
    assert not a.session_valid("bob", again.generation, clock.now, 3600)
