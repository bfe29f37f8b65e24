"""Freshness campaigns as rows: ``campaigns`` and one ``campaign_targets`` row per structure and référent.

A target's personal link is stored as the SHA-256 of its token only; a reminder replaces the
hash (the previous link stops working). Answers: ``confirmed`` (nothing changed) or
``corrected`` (the référent sent changes). The rules live in ``finder.service.campaigns``.
"""

from __future__ import annotations

from finder.storage.store import Store, dicts, now_iso


def create(
    store: Store, title: str, by: str, expires_at: str, targets: list[tuple[str, str | None, str | None]]
) -> int:
    """A campaign and its targets ``(structure_id, username, email)``; its id."""
    with store.db.transaction() as con:
        (cid,) = con.execute(
            "INSERT INTO campaigns (title, created_by, created_at, expires_at) VALUES (?,?,?,?) RETURNING id",
            (title, by, now_iso(), expires_at),
        ).fetchone()
        con.executemany(
            "INSERT INTO campaign_targets (campaign_id, structure_id, username, email) VALUES (?,?,?,?)",
            [(cid, s, u, e) for s, u, e in targets],
        )
    return cid


def all_campaigns(store: Store) -> list[dict]:
    """Every campaign with its counts of targets, confirmed, corrected and unanswered, newest first."""
    with store.db.connection() as con:
        return dicts(
            con.execute(
                "SELECT c.id, c.title, c.created_by, c.created_at, c.expires_at, COUNT(t.id) AS targets, "
                "SUM(CASE WHEN t.answer='confirmed' THEN 1 ELSE 0 END) AS confirmed, "
                "SUM(CASE WHEN t.answer='corrected' THEN 1 ELSE 0 END) AS corrected, "
                "SUM(CASE WHEN t.answer IS NULL AND t.username IS NOT NULL THEN 1 ELSE 0 END) AS waiting, "
                "SUM(CASE WHEN t.username IS NULL THEN 1 ELSE 0 END) AS unreachable "
                "FROM campaigns c LEFT JOIN campaign_targets t ON t.campaign_id = c.id "
                "GROUP BY c.id, c.title, c.created_by, c.created_at, c.expires_at ORDER BY c.id DESC"
            )
        )


def get(store: Store, campaign_id: int) -> dict | None:
    with store.db.connection() as con:
        rows = dicts(con.execute("SELECT * FROM campaigns WHERE id=?", (campaign_id,)))
    return rows[0] if rows else None


def targets(store: Store, campaign_id: int) -> list[dict]:
    """The targets of a campaign (no token hash), by structure then référent."""
    with store.db.connection() as con:
        rows = dicts(
            con.execute(
                "SELECT id, campaign_id, structure_id, username, email, sent_at, reminders, last_reminder_at, answer, "
                "answered_at, answered_by, version FROM campaign_targets WHERE campaign_id=? "
                "ORDER BY structure_id, username",
                (campaign_id,),
            )
        )
    return rows


def set_token(store: Store, target_id: int, token_hash: str, reminder: bool) -> None:
    """Give a target a new link (first sending or reminder)."""
    at = now_iso()
    with store.db.transaction() as con:
        if reminder:
            con.execute(
                "UPDATE campaign_targets SET token_hash=?, reminders=reminders+1, last_reminder_at=? WHERE id=?",
                (token_hash, at, target_id),
            )
        else:
            con.execute("UPDATE campaign_targets SET token_hash=?, sent_at=? WHERE id=?", (token_hash, at, target_id))


def by_token(store: Store, token_hash: str) -> dict | None:
    """The target of a link with its campaign's expiry, or None."""
    with store.db.connection() as con:
        rows = dicts(
            con.execute(
                "SELECT t.id, t.campaign_id, t.structure_id, t.username, t.answer, t.answered_at, c.title, "
                "c.expires_at FROM campaign_targets t JOIN campaigns c ON c.id = t.campaign_id WHERE t.token_hash=?",
                (token_hash,),
            )
        )
    return rows[0] if rows else None


def answer(store: Store, target_id: int, answer: str, by: str, version: int | None) -> bool:
    """Record the answer of a target not answered yet; its link stops working. False if already answered."""
    with store.db.transaction() as con:
        cur = con.execute(
            "UPDATE campaign_targets SET answer=?, answered_at=?, answered_by=?, version=?, token_hash=NULL "
            "WHERE id=? AND answer IS NULL",
            (answer, now_iso(), by, version, target_id),
        )
        return cur.rowcount == 1


def open_targets_of(store: Store, username: str, structure_id: str, today: str) -> list[int]:
    """Unanswered targets of a référent for a structure, in campaigns not expired on ``today``."""
    with store.db.connection() as con:
        return [
            i
            for (i,) in con.execute(
                "SELECT t.id FROM campaign_targets t JOIN campaigns c ON c.id = t.campaign_id "
                "WHERE t.username=? AND t.structure_id=? AND t.answer IS NULL AND c.expires_at >= ?",
                (username, structure_id, today),
            )
        ]


def set_version(store: Store, target_id: int, version: int) -> None:
    with store.db.connection() as con:
        con.execute("UPDATE campaign_targets SET version=? WHERE id=?", (version, target_id))


def reopen(store: Store, target_id: int) -> None:
    """Undo an answer whose publication failed (the link is gone: a reminder gives a new one)."""
    with store.db.connection() as con:
        con.execute(
            "UPDATE campaign_targets SET answer=NULL, answered_at=NULL, answered_by=NULL WHERE id=?", (target_id,)
        )
