"""Accounts with a role: staff create référents (and other staff) who set their password through
an invitation link.

An account is created with an unusable password (the Argon2id hash of a random secret nobody
keeps) and a link ``/espace/invitation/<token>``: the token has 256 random bits, only its
SHA-256 is stored, it expires after ``INVITATION_DAYS`` and works once; a new link cancels
the previous one. The login and its lockout are those of ``finder.service.accounts``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher

from finder.directory import checks
from finder.errors import FinderError, InvalidParameter
from finder.service import authz
from finder.service.accounts import check_password, check_username
from finder.storage import audit, roles
from finder.storage.store import Store

INVITATION_PATH = "/espace/invitation/"


class LinkGone(FinderError):
    status = 410
    code = "link_gone"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Invitation:
    username: str
    token: str  # shown once (link, e-mail); never stored
    expires_at: str

    @property
    def path(self) -> str:
        return INVITATION_PATH + self.token


def check_email(email: str | None, required: bool) -> str | None:
    text = (email or "").strip()
    if not text:
        if required:
            raise InvalidParameter("Courriel obligatoire pour un référent (invitations et campagnes).", field="email")
        return None
    try:
        return checks.email(text)
    except checks.Problem as p:
        raise InvalidParameter(p.message, field="email") from None


def create_account(
    store: Store,
    by: authz.Principal | None,
    username: str,
    role: str,
    structures: list[str],
    known_structures,
    email: str | None = None,
    days: float = 7,
    hasher: PasswordHasher | None = None,
    now: dt.datetime | None = None,
) -> Invitation:
    """Create a staff or référent account (``by`` must be staff; None: the command line) and its first link."""
    if by is not None:
        authz.require(by, "user.manage", target=username)
    name = check_username(username)
    if role not in authz.ROLES:
        raise InvalidParameter(f"Rôle inconnu « {role} » : staff ou referent.", field="role", allowed=authz.ROLES)
    structures = [s.strip() for s in structures if s and s.strip()]
    if role == authz.REFERENT and not structures:
        raise InvalidParameter("Un référent est rattaché à au moins une structure.", field="structure")
    if role == authz.STAFF and structures:
        raise InvalidParameter("Le personnel régional n'est pas rattaché à une structure.", field="structure")
    unknown = [s for s in structures if s not in known_structures]
    if unknown:
        raise InvalidParameter(f"Structure(s) inconnue(s) : {', '.join(unknown)}.", field="structure")
    mail = check_email(email, required=role == authz.REFERENT)
    hasher = hasher or PasswordHasher()
    unusable = hasher.hash(secrets.token_urlsafe(32))
    at = iso(now or utcnow())
    creator = by.username if by else "cli"
    if not roles.add_account(store, name, unusable, role, mail, structures, creator, at):
        raise InvalidParameter(f"Le compte « {name} » existe déjà.", field="username", code="user_exists")
    audit.event("account_created", user=name, role=role, structures=structures, by=creator)
    return invite(store, by, name, days, now)


def invite(
    store: Store, by: authz.Principal | None, username: str, days: float = 7, now: dt.datetime | None = None
) -> Invitation:
    """A new single-use link for the account (earlier unused links stop working)."""
    if by is not None:
        authz.require(by, "user.manage", target=username)
    if roles.role_of(store, username) is None:
        raise InvalidParameter(f"Aucun compte « {username} ».", field="username")
    moment = now or utcnow()
    token = secrets.token_urlsafe(32)
    expires = iso(moment + dt.timedelta(days=days))
    roles.add_invitation(store, token_hash(token), username, by.username if by else "cli", iso(moment), expires)
    audit.event("invitation", user=username, by=by.username if by else "cli", expires_at=expires)
    return Invitation(username, token, expires)


def check_link(store: Store, token: str, now: dt.datetime | None = None) -> dict:
    """The invitation behind a link, or LinkGone (unknown, used or expired: one message for all)."""
    found = roles.invitation(store, token_hash(token)) if token else None
    if found is None or found["used_at"] or found["expires_at"] <= iso(now or utcnow()):
        raise LinkGone("Ce lien n'est pas valable : il a déjà servi, il a expiré ou il est incomplet.", field="token")
    return found


def accept(
    store: Store,
    token: str,
    password: str,
    confirmation: str,
    hasher: PasswordHasher | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Set the password through a link (spent at once); the username."""
    check_link(store, token, now)
    check_password(password)
    if password != confirmation:
        raise InvalidParameter("Les deux mots de passe diffèrent.", field="confirmation")
    digest = (hasher or PasswordHasher()).hash(password)
    name = roles.use_invitation(store, token_hash(token), iso(now or utcnow()), digest)
    if name is None:  # spent by a concurrent request meanwhile
        raise LinkGone("Ce lien n'est pas valable : il a déjà servi, il a expiré ou il est incomplet.", field="token")
    audit.event("invitation_used", user=name)
    return name
