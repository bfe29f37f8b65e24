"""The login policy over the accounts table: name and password rules, Argon2id, lockout per account and address."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from finder.errors import InvalidParameter
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
