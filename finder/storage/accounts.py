"""Staff accounts and failed-login counters, as rows: no policy here.

``users(username, password_hash, created_at, last_login)`` and
``login_throttle(key, failures, locked_until)``. The rules (hashing, name and password
checks, when to lock and for how long) live in ``finder.service.accounts``. They are kept
in the store so that every worker sees the same lockouts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from finder.storage.store import Store


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
        rows = con.execute("SELECT username, created_at, last_login FROM users ORDER BY username").fetchall()
    return [{"username": u, "created_at": c, "last_login": last} for u, c, last in rows]


def exists(store: Store, username: str) -> bool:
    with store.db.connection() as con:
        return con.execute("SELECT 1 FROM users WHERE username=?", (username,)).fetchone() is not None


def password_hash(store: Store, username: str) -> str | None:
    with store.db.connection() as con:
        row = con.execute("SELECT password_hash FROM users WHERE username=?", (username,)).fetchone()
    return row[0] if row else None


def locked_until(store: Store, keys: Iterable[str]) -> float:
    """The latest ``locked_until`` among these throttle keys (0.0 when none is recorded)."""
    keys = list(keys)
    marks = ",".join("?" * len(keys))
    with store.db.connection() as con:
        rows = con.execute(f"SELECT locked_until FROM login_throttle WHERE key IN ({marks})", keys).fetchall()
    return max((until for (until,) in rows), default=0.0)


def record_failures(store: Store, keys: Iterable[str], step: Callable[[str, int], tuple[int, float]]) -> None:
    """In one write transaction, for each key: ``(failures, locked_until) = step(key, failures so far)``."""
    with store.db.transaction() as con:
        for key in keys:
            row = con.execute("SELECT failures FROM login_throttle WHERE key=?", (key,)).fetchone()
            failures, until = step(key, row[0] if row else 0)
            con.execute(
                "INSERT INTO login_throttle (key, failures, locked_until) VALUES (?,?,?) "
                "ON CONFLICT (key) DO UPDATE SET failures=excluded.failures, locked_until=excluded.locked_until",
                (key, failures, until),
            )


def record_login(store: Store, username: str, at: str, clear_key: str, new_hash: str | None = None) -> None:
    """A successful login: forget the key's failures, note the time, store a rehashed password if given."""
    with store.db.transaction() as con:
        con.execute("DELETE FROM login_throttle WHERE key=?", (clear_key,))
        con.execute("UPDATE users SET last_login=? WHERE username=?", (at, username))
        if new_hash is not None:
            con.execute("UPDATE users SET password_hash=? WHERE username=?", (new_hash, username))
