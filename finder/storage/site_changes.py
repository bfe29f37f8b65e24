"""Changes to sites asked by référents or staff: the review queue and the audit trail, as rows.

``site_changes``: kind (``edit``, ``add``, ``close``, ``confirm``), site and structure, author
and time, ``status`` (``pending`` → ``accepted`` / ``refused``, or ``published`` at once),
the fields changed and the site before and after (JSON text, the model's dict), who decided,
when and why, and the version that published it. Nothing here decides anything: the policy is
``finder.service.changes``.
"""

from __future__ import annotations

import json

from finder.storage.store import Store, dicts, now_iso

PENDING = "pending"


def _row(r: dict) -> dict:
    return dict(
        r,
        fields=json.loads(r["fields"]),
        before=json.loads(r["before"]) if r["before"] else None,
        after=json.loads(r["after"]) if r["after"] else None,
    )


def _dump(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def record(
    store: Store,
    kind: str,
    site_id: str,
    structure_id: str,
    author: str,
    status: str,
    fields: list[str],
    before: dict | None,
    after: dict | None,
    version: int | None = None,
) -> int:
    """One change (its id)."""
    at = now_iso()
    with store.db.transaction() as con:
        (change_id,) = con.execute(
            "INSERT INTO site_changes (kind, site_id, structure_id, author, created_at, status, fields, before, after, "
            "decided_by, decided_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            (
                kind,
                site_id,
                structure_id,
                author,
                at,
                status,
                json.dumps(fields),
                _dump(before),
                _dump(after),
                author if status != PENDING else None,
                at if status != PENDING else None,
                version,
            ),
        ).fetchone()
    return change_id


def get(store: Store, change_id: int) -> dict | None:
    with store.db.connection() as con:
        rows = dicts(con.execute("SELECT * FROM site_changes WHERE id=?", (change_id,)))
    return _row(rows[0]) if rows else None


def decide(store: Store, change_id: int, status: str, by: str, reason: str | None) -> bool:
    """Close a pending change (accepted or refused) at once, so two deciders cannot both act on it;
    False when it was no longer pending."""
    with store.db.transaction() as con:
        cur = con.execute(
            "UPDATE site_changes SET status=?, decided_by=?, decided_at=?, reason=COALESCE(?, reason) "
            "WHERE id=? AND status=?",
            (status, by, now_iso(), reason, change_id, PENDING),
        )
        return cur.rowcount == 1


def set_version(store: Store, change_id: int, version: int) -> None:
    """The version that published an accepted change."""
    with store.db.connection() as con:
        con.execute("UPDATE site_changes SET version=? WHERE id=?", (version, change_id))


def reopen(store: Store, change_id: int) -> None:
    """Back to pending (an acceptance whose publication failed)."""
    with store.db.connection() as con:
        con.execute(
            "UPDATE site_changes SET status=?, decided_by=NULL, decided_at=NULL, reason=NULL WHERE id=?",
            (PENDING, change_id),
        )


def listing(
    store: Store,
    status: str | None = None,
    structures: list[str] | None = None,
    site_id: str | None = None,
    limit: int = 200,
) -> list[dict]:
    """Changes, newest first; filtered by status, structures (any of) or site."""
    where, args = [], []
    if status is not None:
        where.append("status=?")
        args.append(status)
    if structures is not None:
        if not structures:
            return []
        where.append(f"structure_id IN ({','.join('?' * len(structures))})")
        args.extend(structures)
    if site_id is not None:
        where.append("site_id=?")
        args.append(site_id)
    sql = "SELECT * FROM site_changes" + (" WHERE " + " AND ".join(where) if where else "")
    with store.db.connection() as con:
        rows = dicts(con.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)))
    return [_row(r) for r in rows]


def pending_count(store: Store) -> int:
    with store.db.connection() as con:
        return con.execute("SELECT COUNT(*) FROM site_changes WHERE status=?", (PENDING,)).fetchone()[0]


def note(store: Store, change_id: int, text: str) -> None:
    """The author's reason for a request (closing a site), kept until a decision replaces it."""
    with store.db.connection() as con:
        con.execute("UPDATE site_changes SET reason=? WHERE id=?", (text, change_id))
