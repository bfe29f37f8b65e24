"""Who may do what, as a table: (role, structure, action) -> allowed or refused (403, audited)."""

from __future__ import annotations

import json
import logging

import pytest

from finder.service import authz
from finder.service.authz import Principal

STAFF = Principal("regine", "staff")
REFERENT = Principal("rachid", "referent", "r@example.org", frozenset({"str-0001", "str-0002"}))
STRANGER = Principal("zoe", "referent", "z@example.org", frozenset({"str-0099"}))
UNKNOWN_ROLE = Principal("eve", "admin")

TABLE = [
    # staff: everything, any structure
    (STAFF, "site.edit", "str-0001", True),
    (STAFF, "site.edit", "str-0500", True),
    (STAFF, "site.add", "str-0500", True),
    (STAFF, "site.close", "str-0001", True),
    (STAFF, "site.confirm", "str-0001", True),
    (STAFF, "review.decide", None, True),
    (STAFF, "campaign.manage", None, True),
    (STAFF, "user.manage", None, True),
    (STAFF, "directory.manage", None, True),
    # a référent: their structures only, never staff actions
    (REFERENT, "site.edit", "str-0001", True),
    (REFERENT, "site.edit", "str-0002", True),
    (REFERENT, "site.edit", "str-0003", False),
    (REFERENT, "site.add", "str-0002", True),
    (REFERENT, "site.add", "str-0099", False),
    (REFERENT, "site.close", "str-0001", True),
    (REFERENT, "site.close", "str-0003", False),
    (REFERENT, "site.confirm", "str-0001", True),
    (REFERENT, "site.confirm", "str-0099", False),
    (REFERENT, "site.edit", None, False),
    (REFERENT, "review.decide", "str-0001", False),
    (REFERENT, "campaign.manage", None, False),
    (REFERENT, "user.manage", None, False),
    (REFERENT, "directory.manage", None, False),
    (STRANGER, "site.edit", "str-0001", False),
    (STRANGER, "site.edit", "str-0099", True),
    # no account, or a role nobody knows: nothing
    (None, "site.edit", "str-0001", False),
    (None, "review.decide", None, False),
    (UNKNOWN_ROLE, "site.edit", "str-0001", False),
    (UNKNOWN_ROLE, "user.manage", None, False),
]


@pytest.mark.parametrize(("who", "action", "structure", "expected"), TABLE)
def test_table(who, action, structure, expected, caplog):
    assert authz.allowed(who, action, structure) is expected
    caplog.set_level(logging.INFO, logger="spro.audit")
    if expected:
        authz.require(who, action, structure)
        assert not [r for r in caplog.records if r.getMessage() == "access_refused"]
    else:
        with pytest.raises(authz.Forbidden) as err:
            authz.require(who, action, structure, target="x")
        assert err.value.status == 403
        refused = [r for r in caplog.records if r.getMessage() == "access_refused"]
        assert len(refused) == 1
        assert refused[0].audit == {
            "user": who.username if who else None,
            "role": who.role if who else None,
            "action": action,
            "structure": structure,
            "target": "x",
        }
        json.dumps(refused[0].audit)


def test_every_action_is_in_the_table():
    assert {a for _, a, _, _ in TABLE} == authz.ACTIONS


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        authz.allowed(STAFF, "site.destroy")
