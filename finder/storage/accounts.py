"""Staff accounts, their sessions' state and failed-login counters, as rows: no policy here.

``users(username, password_hash, created_at, last_login)``, ``user_access(username,
generation, disabled)`` (no row: generation 0, enabled) and ``login_throttle(key, failures,
locked_until)``. The rules (hashing, name and password checks, when to lock and for how
long, what a session must carry) live in ``finder.service.accounts``. They are kept in the
store so that every worker sees the same lockouts and the same sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from finder.storage.store import Store

Counters = dict[str, tuple[int, float]]  # throttle key -> (failures, locked_until)


class Access(NamedTuple):
    password_hash: str
    generation: int  # bumped to end every session of the account
    disabled: bool


def add(store: Store, username: str, password_hash: str, created_at: str) -> bool:
    """Create the account; False (nothing changed) when the name is taken."""
    with store.db.connection() as con:
        cur = con.execute(
            "INSERT INTO users (username, password_hash, created_at) VALUES (?,?,?) ON CONFLICT (username) DO NOTHING",
            (username, password_hash, created_at),
        )
        return cur.rowcount == 1


def all_users(store: Store) -> list[dict]:
    """Every account (no hash), by name."""
    with store.db.connection() as con:
        rows = con.execute(
            "SELECT u.username, u.created_at, u.last_login, COALESCE(a.disabled, 0) FROM users u "
            "LEFT JOIN user_access a ON a.username = u.username ORDER BY u.username"
        ).fetchall()
    return [{"username": u, "created_at": c, "last_login": last, "disabled": bool(d)} for u, c, last, d in rows]


def exists(store: Store, username: str) -> bool:
    with store.db.connection() as con:
        return con.execute("SELECT 1 FROM users WHERE username=?", (username,)).fetchone() is not None


def password_hash(store: Store, username: str) -> str | None:
    found = access(store, username)
    return found.password_hash if found else None


def access(store: Store, username: str) -> Access | None:
    """The account's hash, session generation and state, in one query; None when there is no such account."""
    with store.db.connection() as con:
        row = con.execute(
            "SELECT u.password_hash, COALESCE(a.generation, 0), COALESCE(a.disabled, 0) FROM users u "
            "LEFT JOIN user_access a ON a.username = u.username WHERE u.username=?",
            (username,),
        ).fetchone()
    return Access(row[0], row[1], bool(row[2])) if row else None


def throttle(store: Store, keys: Iterable[str], change: Callable[[Counters], Counters]):
    """Read and rewrite failed-login counters in one write transaction; returns what ``change`` returns.

    ``change(counters)`` gets every key's (failures, locked_until) — (0, 0.0) for a new key —
    and returns ``(new counters of the keys to write, result)``. Rows are created, then
    locked by an update, in key order before they are read: under SQLite the write
    transaction already serialises writers; under a server database (read committed) the
    row locks make concurrent logins wait, so nobody checks a stale count.
    """
    keys = sorted(set(keys))
    marks = ",".join("?" * len(keys))
    with store.db.transaction() as con:
        for key in keys:
            con.execute(
                "INSERT INTO login_throttle (key, failures, locked_until) VALUES (?,0,0) ON CONFLICT (key) DO NOTHING",
                (key,),
            )
        con.execute(f"UPDATE login_throttle SET failures = failures WHERE key IN ({marks})", keys)
        rows = con.execute(f"SELECT key, failures, locked_until FROM login_throttle WHERE key IN ({marks})", keys)
        updates, result = change({key: (failures, until) for key, failures, until in rows.fetchall()})
        for key, (failures, until) in sorted(updates.items()):
            con.execute("UPDATE login_throttle SET failures=?, locked_until=? WHERE key=?", (failures, until, key))
    return result


def locked_until(store: Store, keys: Iterable[str]) -> float:
    """The latest lock end (epoch seconds) among ``keys``; 0.0 when none is locked (for the audit trail)."""
    keys = sorted(set(keys))
    marks = ",".join("?" * len(keys))
    with store.db.snapshot() as con:
        row = con.execute(f"SELECT MAX(locked_until) FROM login_throttle WHERE key IN ({marks})", keys).fetchone()
    return float(row[0] or 0.0)


def record_login(store: Store, username: str, at: str, new_hash: str | None = None) -> None:
    """A successful login: note the time, store a rehashed password if given."""
    with store.db.transaction() as con:
        con.execute("UPDATE users SET last_login=? WHERE username=?", (at, username))
        if new_hash is not None:
            con.execute("UPDATE users SET password_hash=? WHERE username=?", (new_hash, username))


def set_password(store: Store, username: str, new_hash: str) -> bool:
    """Replace the account's password and end its sessions; False when there is no such account."""
    with store.db.transaction() as con:
        if con.execute("UPDATE users SET password_hash=? WHERE username=?", (new_hash, username)).rowcount != 1:
            return False
        _next_generation(con, username)
    return True


def set_disabled(store: Store, username: str, disabled: bool) -> bool:
    """Disable (ending its sessions) or enable an account; False when there is no such account."""
    with store.db.transaction() as con:
        if not con.execute("SELECT 1 FROM users WHERE username=?", (username,)).fetchone():
            return False
        _next_generation(con, username)
        con.execute("UPDATE user_access SET disabled=? WHERE username=?", (int(disabled), username))
    return True


def end_sessions(store: Store, username: str) -> None:
    """Every session of the account ends (its generation moves on)."""
    with store.db.transaction() as con:
        _next_generation(con, username)


def _next_generation(con, username: str) -> None:
    con.execute(
        "INSERT INTO user_access (username, generation, disabled) VALUES (?,1,0) "
        "ON CONFLICT (username) DO UPDATE SET generation = user_access.generation + 1",
        (username,),
    )
