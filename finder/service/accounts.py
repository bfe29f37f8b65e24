"""Staff accounts: created from the command line, passwords hashed with Argon2id, lockout after failures.

The login policy over ``finder.storage.accounts``: name and password rules, hashing and
rehashing, and throttling per account and per client address (an account is locked after
``max_failures`` failures in a row, an address after ``IP_FACTOR`` times as many, for
``lock_seconds``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from finder.errors import InvalidParameter
from finder.storage import accounts as rows
from finder.storage.store import Store, now_iso

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
MIN_PASSWORD = 12
IP_FACTOR = 4  # an address may fail this many times more than one account before it is locked


@dataclass(frozen=True)
class LoginOutcome:
    ok: bool
    message: str = ""
    locked_seconds: int = 0


class Accounts:
    def __init__(
        self, store: Store, max_failures: int = 5, lock_seconds: float = 900, hasher=None, clock=time.time
    ) -> None:
        self.store = store
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self.hasher = hasher or PasswordHasher()
        self.clock = clock
        self._dummy = None

    # -- accounts -------------------------------------------------------------------
    def add(self, username: str, password: str) -> str:
        name = check_username(username)
        check_password(password)
        if not rows.add(self.store, name, self.hasher.hash(password), now_iso()):
            raise InvalidParameter(f"Le compte « {name} » existe déjà.", field="username", code="user_exists")
        return name

    def list(self) -> list[dict]:
        return rows.all_users(self.store)

    def exists(self, username: str) -> bool:
        return rows.exists(self.store, username)

    # -- login ------------------------------------------------------------------------
    def authenticate(self, username: str, password: str, address: str = "") -> LoginOutcome:
        """Check a password unless the account or the address is locked; count failures."""
        name = (username or "").strip().lower()
        limits = {f"user:{name}": self.max_failures, f"ip:{address}": self.max_failures * IP_FACTOR}
        wait = rows.locked_until(self.store, limits) - self.clock()
        if wait > 0:
            minutes = max(1, round(wait / 60))
            return LoginOutcome(False, f"Trop de tentatives : réessayez dans {minutes} minute(s).", int(wait))
        digest = rows.password_hash(self.store, name)
        if digest is None or not self._verify(digest, password):
            self._fail(limits)
            return LoginOutcome(False, "Identifiant ou mot de passe incorrect.")
        rehash = self.hasher.hash(password) if self.hasher.check_needs_rehash(digest) else None
        rows.record_login(self.store, name, now_iso(), f"user:{name}", rehash)
        return LoginOutcome(True)

    def _verify(self, digest: str | None, password: str) -> bool:
        if digest is None:  # unknown account: spend the same time as a real check
            self._dummy = self._dummy or self.hasher.hash("compte-inexistant")
            digest = self._dummy
        try:
            return self.hasher.verify(digest, password or "")
        except (VerificationError, InvalidHashError):
            return False

    def _fail(self, limits: dict[str, int]) -> None:
        """One more failure for each key; a key reaching its limit is locked and its count starts again."""
        now = self.clock()

        def step(key: str, failures: int) -> tuple[int, float]:
            failures += 1
            until = now + self.lock_seconds if failures >= limits[key] else 0.0
            return (0 if until else failures), until

        rows.record_failures(self.store, limits, step)


def check_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not USERNAME.fullmatch(name):
        raise InvalidParameter(
            "Identifiant invalide : 2 à 100 caractères, lettres minuscules, chiffres, « . », « _ », « @ », « - ».",
            field="username",
        )
    return name


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidParameter(
            f"Mot de passe trop court : {MIN_PASSWORD} caractères au moins.", field="password", code="weak_password"
        )
