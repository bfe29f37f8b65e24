"""Référent accounts: created by staff or the CLI, password set through a single-use, expiring link."""

from __future__ import annotations

import datetime as dt

import pytest

from finder.errors import FinderError
from finder.service import authz, referents
from finder.service.accounts import Accounts
from finder.storage import roles

PASSWORD = "un mot de passe solide"
STRUCTURES = {"str-0001", "str-0002"}
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture()
def store(demo_store):
    return demo_store


def make(store, name="rachid", structures=("str-0001",), **kw):
    return referents.create_account(
        store, None, name, "referent", list(structures), STRUCTURES, kw.pop("email", "r@example.org"), now=NOW, **kw
    )


def test_a_referent_sets_a_password_once_and_logs_in(store):
    invitation = make(store, structures=("str-0001", "str-0002"))
    assert invitation.path.startswith("/espace/invitation/") and len(invitation.token) >= 43
    assert not Accounts(store).authenticate("rachid", PASSWORD).ok  # no usable password before the link
    name = referents.accept(store, invitation.token, PASSWORD, PASSWORD, now=NOW + dt.timedelta(days=1))
    assert name == "rachid"
    assert Accounts(store).authenticate("rachid", PASSWORD).ok
    who = authz.principal(store, "rachid")
    assert who == authz.Principal("rachid", "referent", "r@example.org", frozenset({"str-0001", "str-0002"}))
    with pytest.raises(referents.LinkGone):  # single use
        referents.accept(store, invitation.token, "autre mot de passe sûr", "autre mot de passe sûr", now=NOW)
    assert Accounts(store).authenticate("rachid", PASSWORD).ok


def test_only_the_hash_of_the_token_is_stored(store):
    invitation = make(store)
    row = roles.invitation(store, referents.token_hash(invitation.token))
    assert row["username"] == "rachid" and invitation.token not in str(row)
    assert roles.invitation(store, invitation.token) is None


@pytest.mark.parametrize(
    ("token", "when"),
    [
        ("", NOW),
        ("x" * 43, NOW),  # guessed
        (None, NOW + dt.timedelta(days=7, seconds=1)),  # expired
    ],
)
def test_an_invalid_or_expired_link_is_refused(store, token, when):
    invitation = make(store, days=7)
    with pytest.raises(referents.LinkGone) as err:
        referents.accept(store, token if token is not None else invitation.token, PASSWORD, PASSWORD, now=when)
    assert err.value.status == 410


def test_a_new_link_cancels_the_previous_one(store):
    first = make(store)
    second = referents.invite(store, None, "rachid", now=NOW)
    with pytest.raises(referents.LinkGone):
        referents.check_link(store, first.token, now=NOW)
    assert referents.accept(store, second.token, PASSWORD, PASSWORD, now=NOW) == "rachid"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"structures": ()}, "structure"),
        ({"structures": ("str-9999",)}, "structure"),
        ({"email": ""}, "email"),
        ({"email": "pas-un-courriel"}, "email"),
        ({"name": "Bad Name!"}, "username"),
    ],
)
def test_bad_input_names_the_field(store, kwargs, field):
    with pytest.raises(FinderError) as err:
        make(store, **kwargs)
    assert err.value.field == field and err.value.status == 400


def test_weak_or_mismatched_passwords_are_refused_and_the_link_stays_valid(store):
    invitation = make(store)
    with pytest.raises(FinderError) as err:
        referents.accept(store, invitation.token, "court", "court", now=NOW)
    assert err.value.field == "password"
    with pytest.raises(FinderError) as err:
        referents.accept(store, invitation.token, PASSWORD, PASSWORD + "x", now=NOW)
    assert err.value.field == "confirmation"
    assert referents.accept(store, invitation.token, PASSWORD, PASSWORD, now=NOW) == "rachid"


def test_only_staff_create_accounts(store):
    make(store)
    referent = authz.principal(store, "rachid")
    with pytest.raises(authz.Forbidden):
        referents.create_account(store, referent, "other", "referent", ["str-0001"], STRUCTURES, "o@example.org")
    staff = authz.Principal("regine", "staff")
    invitation = referents.create_account(store, staff, "paul", "staff", [], STRUCTURES)
    assert authz.principal(store, "paul").is_staff and invitation.username == "paul"


def test_accounts_made_before_roles_are_staff(store):
    Accounts(store).add("alice", PASSWORD)
    assert authz.principal(store, "alice") == authz.Principal("alice", "staff", None, frozenset())
    assert authz.principal(store, "nobody") is None
