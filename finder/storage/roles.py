"""Roles of accounts, the structures of référents, and invitation links: rows, no policy.

``account_roles(username, role, email, created_by, created_at)``: an account without a row
is regional staff (the accounts made before roles existed); ``account_structures``: the
structures a référent answers for; ``invitations(token_hash, username, …, expires_at,
used_at)``: only the hash of a link's token is stored. Who may do what lives in
``finder.service.authz``; how links are made and used in ``finder.service.referents``.
"""

from __future__ import annotations

from finder.storage.store import Store, dicts


def add_account(
    store: Store,
    username: str,
    password_hash: str,
    role: str,
    email: str | None,
    structures: list[str],
    created_by: str,
    at: str,
) -> bool:
    """Create an account with its role and structures in one transaction; False when the name is taken."""
    with store.db.transaction() as con:
        if con.execute("SELECT 1 FROM users WHERE username=?", (username,)).fetchone():
            return False
        con.execute(
            "INSERT INTO users (username, password_hash, created_at) VALUES (?,?,?)", (username, password_hash, at)
        )
        con.execute(
            "INSERT INTO account_roles (username, role, email, created_by, created_at) VALUES (?,?,?,?,?)",
            (username, role, email, created_by, at),
        )
        con.executemany(
            "INSERT INTO account_structures (username, structure_id) VALUES (?,?)",
            [(username, s) for s in dict.fromkeys(structures)],
        )
    return True


def role_of(store: Store, username: str) -> tuple[str, str | None, list[str]] | None:
    """(role, e-mail, structures) of an account; None when the account does not exist."""
    with store.db.snapshot() as con:
        if not con.execute("SELECT 1 FROM users WHERE username=?", (username,)).fetchone():
            return None
        row = con.execute("SELECT role, email FROM account_roles WHERE username=?", (username,)).fetchone()
        structures = [
            s
            for (s,) in con.execute(
                "SELECT structure_id FROM account_structures WHERE username=? ORDER BY structure_id", (username,)
            )
        ]
    if row is None:
        return "staff", None, []
    return row[0], row[1], structures


def referents(store: Store) -> list[dict]:
    """Every référent with e-mail, creation and last login, and their structures (by name)."""
    with store.db.snapshot() as con:
        rows = dicts(
            con.execute(
                "SELECT r.username, r.email, r.created_by, r.created_at, u.last_login FROM account_roles r "
                "JOIN users u ON u.username = r.username WHERE r.role='referent' ORDER BY r.username"
            )
        )
        links = con.execute("SELECT username, structure_id FROM account_structures ORDER BY structure_id").fetchall()
    by_user: dict[str, list[str]] = {}
    for user, structure in links:
        by_user.setdefault(user, []).append(structure)
    return [dict(r, structures=by_user.get(r["username"], [])) for r in rows]


def referents_of(store: Store, structure_id: str) -> list[tuple[str, str | None]]:
    """(username, e-mail) of the référents of one structure."""
    with store.db.connection() as con:
        return [
            (u, e)
            for u, e in con.execute(
                "SELECT s.username, r.email FROM account_structures s JOIN account_roles r ON r.username = s.username "
                "WHERE s.structure_id=? AND r.role='referent' ORDER BY s.username",
                (structure_id,),
            )
        ]


def add_invitation(store: Store, token_hash: str, username: str, created_by: str, at: str, expires_at: str) -> None:
    """A new link for the account; the account's earlier unused links stop working."""
    with store.db.transaction() as con:
        con.execute("UPDATE invitations SET used_at=? WHERE username=? AND used_at IS NULL", (at, username))
        con.execute(
            "INSERT INTO invitations (token_hash, username, created_by, created_at, expires_at) VALUES (?,?,?,?,?)",
            (token_hash, username, created_by, at, expires_at),
        )


def invitation(store: Store, token_hash: str) -> dict | None:
    with store.db.connection() as con:
        rows = dicts(con.execute("SELECT * FROM invitations WHERE token_hash=?", (token_hash,)))
    return rows[0] if rows else None


def use_invitation(store: Store, token_hash: str, at: str, password_hash: str) -> str | None:
    """Spend a link (if unused and not expired at ``at``) and set the account's password; the username, or None."""
    with store.db.transaction() as con:
        row = con.execute(
            "SELECT username FROM invitations WHERE token_hash=? AND used_at IS NULL AND expires_at > ?",
            (token_hash, at),
        ).fetchone()
        if row is None:
            return None
        con.execute("UPDATE invitations SET used_at=? WHERE token_hash=?", (at, token_hash))
        con.execute("UPDATE users SET password_hash=? WHERE username=?", (password_hash, row[0]))
        return row[0]
