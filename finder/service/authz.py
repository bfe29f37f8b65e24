"""Who may do what: regional staff and structure référents, checked in the core.

A ``Principal`` is an account with its role and structures (read once per request from
``finder.storage.roles``). ``allowed(principal, action, structure_id)`` is the one rule;
``require`` raises ``Forbidden`` (HTTP 403) and writes ``access_refused`` to the audit trail,
so every adapter (pages, commands) is refused alike. The service functions that change
sites, campaigns or accounts call ``require`` themselves: a view cannot forget it.

| action | staff | référent |
|---|---|---|
| ``site.edit``, ``site.add``, ``site.close``, ``site.confirm`` | any structure | their structures only |
| ``review.decide``, ``campaign.manage``, ``user.manage``, ``directory.manage`` | yes | never |
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.errors import FinderError
from finder.storage import audit, roles
from finder.storage.store import Store

STAFF = "staff"
REFERENT = "referent"
ROLES = (STAFF, REFERENT)
SITE_ACTIONS = frozenset({"site.edit", "site.add", "site.close", "site.confirm"})
STAFF_ACTIONS = frozenset({"review.decide", "campaign.manage", "user.manage", "directory.manage"})
ACTIONS = SITE_ACTIONS | STAFF_ACTIONS


class Forbidden(FinderError):
    status = 403
    code = "forbidden"


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    email: str | None = None
    structures: frozenset[str] = frozenset()

    @property
    def is_staff(self) -> bool:
        return self.role == STAFF


def principal(store: Store, username: str | None) -> Principal | None:
    """The account as a principal, or None when there is no such account."""
    if not username:
        return None
    found = roles.role_of(store, username)
    if found is None:
        return None
    role, email, structures = found
    return Principal(username, role, email, frozenset(structures))


def allowed(who: Principal | None, action: str, structure_id: str | None = None) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if who is None or who.role not in ROLES:
        return False
    if who.is_staff:
        return True
    if action in STAFF_ACTIONS:
        return False
    return structure_id is not None and structure_id in who.structures


def require(who: Principal | None, action: str, structure_id: str | None = None, target: str | None = None) -> None:
    """Refuse (Forbidden, audited) what ``who`` may not do."""
    if allowed(who, action, structure_id):
        return
    audit.event(
        "access_refused",
        user=who.username if who else None,
        role=who.role if who else None,
        action=action,
        structure=structure_id,
        target=target,
    )
    raise Forbidden("Vous n'avez pas accès à cette action pour cette structure.", field=None)
