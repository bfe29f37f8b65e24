"""Staff accounts: created from the command line, passwords hashed with Argon2id, lockout after failures.

Accounts and the failure counters live in the store's SQLite file so that every worker
sees the same lockouts. A login is throttled per account and per client address.
"""

from __future__ import annotations

import re
import time
from contextlib import closing
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from finder.errors import InvalidParameter
from finder.storage.store import Store, now_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_login TEXT
);
CREATE TABLE IF NOT EXISTS login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until REAL NOT NULL
);
"""
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
MIN_PASSWORD = 12
IP_FACTOR = 4  # an address may fail this many times more than one account before it is locked


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""
    locked_seconds: int = 0


class Users:
    def __init__(
        self, store: Store, max_failures: int = 5, lock_seconds: float = 900, hasher=None, clock=time.time
    ) -> None:
        self.store = store
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self.hasher = hasher or PasswordHasher()
        self.clock = clock
        self._dummy = None

    def _connect(self):
        con = self.store.connect()
        con.executescript(SCHEMA)
        return con

    # -- accounts -------------------------------------------------------------------
    def add(self, username: str, password: str) -> str:
        name = check_username(username)
        check_password(password)
        digest = self.hasher.hash(password)
        with closing(self._connect()) as con:
            if con.execute("SELECT 1 FROM users WHERE username=?", (name,)).fetchone():
                raise InvalidParameter(f"Le compte « {name} » existe déjà.", field="username", code="user_exists")
            con.execute(
                "INSERT INTO users (username, password_hash, created_at) VALUES (?,?,?)", (name, digest, now_iso())
            )
        return name

    def set_password(self, username: str, password: str) -> None:
        check_password(password)
        with closing(self._connect()) as con:
            cur = con.execute(
                "UPDATE users SET password_hash=? WHERE username=?", (self.hasher.hash(password), username.lower())
            )
            if cur.rowcount == 0:
                raise InvalidParameter(f"Aucun compte « {username} ».", field="username", code="unknown_user")
            con.execute("DELETE FROM login_throttle WHERE key=?", (f"user:{username.lower()}",))

    def list(self) -> list[dict]:
        with closing(self._connect()) as con:
            rows = con.execute("SELECT username, created_at, last_login FROM users ORDER BY username").fetchall()
        return [{"username": u, "created_at": c, "last_login": last} for u, c, last in rows]

    def exists(self, username: str) -> bool:
        with closing(self._connect()) as con:
            return con.execute("SELECT 1 FROM users WHERE username=?", (username,)).fetchone() is not None

    # -- login ------------------------------------------------------------------------
    def authenticate(self, username: str, password: str, address: str = "") -> Outcome:
        """Check a password unless the account or the address is locked; count failures."""
        name = (username or "").strip().lower()
        keys = {f"user:{name}": self.max_failures, f"ip:{address}": self.max_failures * IP_FACTOR}
        with closing(self._connect()) as con:
            wait = self._locked_for(con, keys)
            if wait:
                minutes = max(1, round(wait / 60))
                return Outcome(False, f"Trop de tentatives : réessayez dans {minutes} minute(s).", int(wait))
            row = con.execute("SELECT password_hash FROM users WHERE username=?", (name,)).fetchone()
            if row is None or not self._verify(row[0], password):
                self._fail(con, keys)
                return Outcome(False, "Identifiant ou mot de passe incorrect.")
            con.execute("DELETE FROM login_throttle WHERE key=?", (f"user:{name}",))
            con.execute("UPDATE users SET last_login=? WHERE username=?", (now_iso(), name))
            if self.hasher.check_needs_rehash(row[0]):
                con.execute("UPDATE users SET password_hash=? WHERE username=?", (self.hasher.hash(password), name))
        return Outcome(True)

    def _verify(self, digest: str | None, password: str) -> bool:
        if digest is None:  # unknown account: spend the same time as a real check
            self._dummy = self._dummy or self.hasher.hash("compte-inexistant")
            digest = self._dummy
        try:
            return self.hasher.verify(digest, password or "")
        except (VerificationError, InvalidHashError):
            return False

    def _locked_for(self, con, keys: dict[str, int]) -> float:
        now = self.clock()
        marks = ",".join("?" * len(keys))
        rows = con.execute(f"SELECT locked_until FROM login_throttle WHERE key IN ({marks})", list(keys)).fetchall()
        return max([until - now for (until,) in rows if until > now], default=0.0)

    def _fail(self, con, keys: dict[str, int]) -> None:
        now = self.clock()
        con.execute("BEGIN IMMEDIATE")
        for key, limit in keys.items():
            row = con.execute("SELECT failures FROM login_throttle WHERE key=?", (key,)).fetchone()
            failures = (row[0] if row else 0) + 1
            until = now + self.lock_seconds if failures >= limit else 0.0
            con.execute(
                "INSERT OR REPLACE INTO login_throttle (key, failures, locked_until) VALUES (?,?,?)",
                (key, 0 if until else failures, until),
            )
        con.execute("COMMIT")


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
