"""Staff accounts: created from the command line, passwords hashed with Argon2id, lockout after failures.

The login policy over ``finder.storage.accounts``: name and password rules
(``finder.service.passwords``), hashing and rehashing, throttling per account and per
client, and what keeps a session open.

Throttling: an account is locked after ``max_failures`` failures, a client after
``IP_FACTOR`` times as many, for ``lock_seconds``. An attempt is *admitted* and counted as
a failure in the same write transaction that checks the locks, before its password is
verified; the attempt that reaches a limit sets the lock at once. So concurrent attempts
can never verify more passwords than the limit allows, and nothing an attempt in flight
does afterwards can lower a lock. A success then forgets the account's failures, gives
the client its attempt back, and lifts a lock only if that very attempt had set it.

Every attempt verifies a password against a hash: an unknown or disabled account against a
dummy hash of the same cost, so that the answer's time does not tell which names exist.

Sessions carry the account's *generation* and the time they were opened: changing the
password, disabling the account or logging out moves the generation on (every session of
the account ends), and a session ends anyway ``max_age`` seconds after it was opened.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from finder.errors import InvalidParameter, NotFound
from finder.service.passwords import weakness
from finder.storage import accounts as rows
from finder.storage.store import Store, now_iso

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
IP_FACTOR = 4  # a client may fail this many times more than one account before it is locked
DEFAULT_HASHER = PasswordHasher()
_DUMMIES: dict = {}  # a dummy hash per hasher's parameters, made once per process


@dataclass(frozen=True)
class LoginOutcome:
    ok: bool
    message: str = ""
    locked_seconds: int = 0
    generation: int = 0  # to be kept in the session opened


class Accounts:
    def __init__(
        self, store: Store, max_failures: int = 5, lock_seconds: float = 900, hasher=None, clock=time.time
    ) -> None:
        self.store = store
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self.hasher = hasher or DEFAULT_HASHER
        self.clock = clock

    # -- accounts -------------------------------------------------------------------
    def add(self, username: str, password: str) -> str:
        name = check_username(username)
        check_password(password, name)
        if not rows.add(self.store, name, self.hasher.hash(password), now_iso()):
            raise InvalidParameter(f"Le compte « {name} » existe déjà.", field="username", code="user_exists")
        return name

    def list(self) -> list[dict]:
        return rows.all_users(self.store)

    def exists(self, username: str) -> bool:
        return rows.exists(self.store, username)

    def reset_password(self, username: str, password: str) -> str:
        """A new password; every session of the account ends."""
        name = _normalise(username)
        check_password(password, name)
        if not rows.set_password(self.store, name, self.hasher.hash(password)):
            raise _unknown(name)
        return name

    def disable(self, username: str, disabled: bool = True) -> str:
        """Disable (every session ends, no login) or enable an account."""
        name = _normalise(username)
        if not rows.set_disabled(self.store, name, disabled):
            raise _unknown(name)
        return name

    def end_sessions(self, username: str) -> None:
        rows.end_sessions(self.store, _normalise(username))

    # -- sessions -----------------------------------------------------------------------
    def session_valid(self, username: str | None, generation, opened_at, max_age: float) -> bool:
        """Whether a session opened at ``opened_at`` with ``generation`` may still act for ``username``."""
        if not username or not isinstance(opened_at, (int, float)) or not 0 <= self.clock() - opened_at <= max_age:
            return False
        found = rows.access(self.store, username)
        return found is not None and not found.disabled and found.generation == generation

    # -- login ------------------------------------------------------------------------
    def authenticate(self, username: str, password: str, client: str = "") -> LoginOutcome:
        """Admit the attempt (or refuse it while locked), verify the password, settle the counters."""
        dummy = _dummy(self.hasher)  # made before anything is timed
        name = _normalise(username)
        limits = {f"user:{name}": self.max_failures, f"ip:{client}": self.max_failures * IP_FACTOR}
        wait, locks = self._admit(limits)
        if wait > 0:
            minutes = max(1, round(wait / 60))
            return LoginOutcome(False, f"Trop de tentatives : réessayez dans {minutes} minute(s).", int(wait))
        found = rows.access(self.store, name)
        usable = found is not None and not found.disabled
        if not self._verify(found.password_hash if usable else dummy, password) or not usable:
            return LoginOutcome(False, "Identifiant ou mot de passe incorrect.")  # counted at admission
        rehash = self.hasher.hash(password) if self.hasher.check_needs_rehash(found.password_hash) else None
        self._succeeded(limits, f"user:{name}", locks)
        rows.record_login(self.store, name, now_iso(), rehash)
        return LoginOutcome(True, generation=found.generation)

    def _admit(self, limits: dict[str, int]) -> tuple[float, dict[str, float]]:
        """(seconds to wait, 0.0 when admitted; the locks this attempt set), counting it as a failure."""
        now = self.clock()

        def change(counters: rows.Counters):
            waits = [until - now for _, until in counters.values() if until > now]
            if waits:
                return {}, (max(waits), {})
            updates, locks = {}, {}
            for key, (failures, until) in counters.items():
                failures = (0 if until else failures) + 1  # a lock that has expired: counting starts again
                until = now + self.lock_seconds if failures >= limits[key] else 0.0
                updates[key] = (failures, until)
                if until:
                    locks[key] = until
            return updates, (0.0, locks)

        return rows.throttle(self.store, limits, change)

    def _succeeded(self, limits: dict[str, int], account: str, locks: dict[str, float]) -> None:
        """The account's failures are forgotten, the client's attempt given back; a lock set by this attempt lifted."""

        def change(counters: rows.Counters):
            updates = {}
            for key, (failures, until) in counters.items():
                failures = 0 if key == account else max(0, failures - 1)
                updates[key] = (failures, 0.0 if locks.get(key) == until else until)
            return updates, None

        rows.throttle(self.store, limits, change)

    def _verify(self, digest: str, password: str) -> bool:
        try:
            return self.hasher.verify(digest, password or "")
        except (VerificationError, InvalidHashError):
            return False


def _dummy(hasher) -> str:
    """A hash of the hasher's cost, to verify against when the account does not exist."""
    params = ("time_cost", "memory_cost", "parallelism", "hash_len", "salt_len", "type")
    key = (type(hasher), *(getattr(hasher, p, None) for p in params))
    if key not in _DUMMIES:
        _DUMMIES[key] = hasher.hash("compte-inexistant")
    return _DUMMIES[key]


def _normalise(username: str | None) -> str:
    return (username or "").strip().lower()


def _unknown(name: str) -> NotFound:
    return NotFound(f"Aucun compte « {name} ».", field="username")


def check_username(username: str) -> str:
    name = _normalise(username)
    if not USERNAME.fullmatch(name):
        raise InvalidParameter(
            "Identifiant invalide : 2 à 100 caractères, lettres minuscules, chiffres, « . », « _ », « @ », « - ».",
            field="username",
        )
    return name


def check_password(password: str, username: str = "") -> None:
    reason = weakness(password, username)
    if reason:
        raise InvalidParameter(reason, field="password", code="weak_password")
