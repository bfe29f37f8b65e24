"""The job table: long staff operations queued by a page or a command, run by any worker.

A job is one row: its ``kind`` and ``params`` (JSON), its ``state`` (queued → running → done |
failed), its progress (``stage``, ``done`` of ``total``), a French ``message``, and when done
the name and media type of its result file and an ``outcome`` (JSON facts, such as the import
report's id). Its files — the upload (role ``input``, deleted when the job ends) and the result
(role ``result``) — are rows of ``job_files``, apart: SQLite rewrites a whole row on every
UPDATE, and progress is written twice a second. The bytes live in the database, so that any
host's worker can run a job queued through another host, and any host can serve its result.

Claiming is one conditional ``UPDATE … WHERE state = 'queued'`` on the oldest queued job
(PostgreSQL adds ``FOR UPDATE SKIP LOCKED`` so concurrent claimers take different jobs), so
two workers never run the same job. A running job carries its worker's name and a
heartbeat (epoch seconds) refreshed while it runs; every write of a worker names the worker
and the ``running`` state, so a worker whose job was declared dead (``reap``) cannot write
over the verdict.
"""

from __future__ import annotations

import json
import time

from finder.storage.store import Store, dicts, now_iso

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATES = (QUEUED, RUNNING, DONE, FAILED)
INPUT, RESULT = "input", "result"  # roles of a job's files (table job_files)
KEEP = 100  # finished jobs kept (with their result files); older ones are deleted
DEAD_MESSAGE = (
    "Le traitement a été interrompu : le processus qui l'exécutait s'est arrêté (redémarrage du serveur ?). "
    "Relancez-le."
)
FIELDS = (
    "id, kind, params, state, stage, done, total, message, error, result_name, result_type, outcome, "
    "created_by, created_at, started_at, finished_at, worker, heartbeat"
)


def _row(row: dict) -> dict:
    row["params"] = json.loads(row["params"])
    row["outcome"] = json.loads(row["outcome"]) if row.get("outcome") else None
    return row


def create(store: Store, kind: str, params: dict, created_by: str, data: bytes | None = None) -> int:
    """Queue a job; returns its id."""
    with store.db.transaction() as con:  # the job and its file together: no runner claims it half-made
        (job_id,) = con.execute(
            "INSERT INTO jobs (kind, params, state, created_by, created_at) VALUES (?,?,?,?,?) RETURNING id",
            (kind, json.dumps(params, ensure_ascii=False), QUEUED, created_by, now_iso()),
        ).fetchone()
        if data is not None:
            con.execute("INSERT INTO job_files (job, role, data) VALUES (?,?,?)", (job_id, INPUT, data))
    return job_id


def claim(store: Store, worker: str, now: float | None = None) -> dict | None:
    """Take the oldest queued job for ``worker`` (state running), or None when none is queued.

    One statement: of several claimers, exactly one gets a given job.
    """
    lock = " FOR UPDATE SKIP LOCKED" if store.db.dialect == "postgresql" else ""
    beat = time.time() if now is None else now
    with store.db.connection() as con:
        rows = dicts(
            con.execute(
                f"UPDATE jobs SET state=?, worker=?, started_at=?, heartbeat=?, message=? "
                f"WHERE id = (SELECT id FROM jobs WHERE state=? ORDER BY id LIMIT 1{lock}) AND state=? "
                f"RETURNING {FIELDS}",
                (RUNNING, worker, now_iso(), beat, "En cours…", QUEUED, QUEUED),
            )
        )
    return _row(rows[0]) if rows else None


def _running_update(store: Store, job_id: int, worker: str, assignments: str, values: tuple) -> bool:
    with store.db.connection() as con:
        cur = con.execute(
            f"UPDATE jobs SET {assignments} WHERE id=? AND state=? AND worker=?", (*values, job_id, RUNNING, worker)
        )
        return cur.rowcount == 1


def progress(store: Store, job_id: int, worker: str, stage: str, done: int, total: int) -> bool:
    """Record progress (and a heartbeat); False when the job is no longer this worker's to run."""
    return _running_update(
        store, job_id, worker, "stage=?, done=?, total=?, heartbeat=?", (stage, done, total, time.time())
    )


def beat(store: Store, job_id: int, worker: str) -> bool:
    """The worker is alive and still running the job; False when the job is no longer its own."""
    return _running_update(store, job_id, worker, "heartbeat=?", (time.time(),))


def finish(
    store: Store,
    job_id: int,
    worker: str,
    message: str,
    outcome: dict | None = None,
    result: tuple[bytes, str, str] | None = None,
) -> bool:
    """Mark the job done with its French message, facts and result file ``(bytes, name, media type)``."""
    data, name, media = result if result else (None, None, None)
    values = (DONE, message, json.dumps(outcome, ensure_ascii=False) if outcome else None, name, media, now_iso())
    with store.db.transaction() as con:  # done and its file together: never "done" without its file
        cur = con.execute(
            "UPDATE jobs SET state=?, message=?, outcome=?, result_name=?, result_type=?, finished_at=? "
            "WHERE id=? AND state=? AND worker=?",
            (*values, job_id, RUNNING, worker),
        )
        ok = cur.rowcount == 1
        if ok:
            con.execute("DELETE FROM job_files WHERE job=? AND role=?", (job_id, INPUT))
            if data is not None:
                con.execute("INSERT INTO job_files (job, role, data) VALUES (?,?,?)", (job_id, RESULT, data))
    prune(store)
    return ok


def fail(store: Store, job_id: int, worker: str, error: str) -> bool:
    """Mark the job failed with a French message saying why."""
    assignments = "state=?, message=?, error=?, finished_at=?"
    ok = _running_update(store, job_id, worker, assignments, (FAILED, error, error, now_iso()))
    if ok:
        _drop_inputs(store, [job_id])
    return ok


def _drop_inputs(store: Store, ids: list[int]) -> None:
    """The uploads of jobs that ended (a failed or dead job keeps none)."""
    with store.db.connection() as con:
        for job_id in ids:
            con.execute("DELETE FROM job_files WHERE job=? AND role=?", (job_id, INPUT))


def reap(store: Store, stale_seconds: float, now: float | None = None) -> list[int]:
    """Fail the running jobs whose heartbeat is older than ``stale_seconds`` (their worker died).

    They are failed, not queued again: an import may have stored or published its version
    before its worker died, and running it again would publish twice; staff start it again.
    """
    limit = (time.time() if now is None else now) - stale_seconds
    with store.db.connection() as con:
        rows = con.execute(
            "UPDATE jobs SET state=?, message=?, error=?, finished_at=? "
            "WHERE state=? AND (heartbeat IS NULL OR heartbeat < ?) RETURNING id",
            (FAILED, DEAD_MESSAGE, DEAD_MESSAGE, now_iso(), RUNNING, limit),
        ).fetchall()
    ids = sorted(r[0] for r in rows)
    _drop_inputs(store, ids)
    return ids


def get(store: Store, job_id: int) -> dict | None:
    """A job's facts (not its input nor its result bytes), or None."""
    with store.db.connection() as con:
        rows = dicts(con.execute(f"SELECT {FIELDS} FROM jobs WHERE id=?", (job_id,)))
    return _row(rows[0]) if rows else None


def input_of(store: Store, job_id: int) -> bytes | None:
    with store.db.connection() as con:
        row = con.execute("SELECT data FROM job_files WHERE job=? AND role=?", (job_id, INPUT)).fetchone()
    return bytes(row[0]) if row and row[0] is not None else None


def result(store: Store, job_id: int) -> tuple[bytes, str, str] | None:
    """A done job's file: (bytes, file name, media type), or None."""
    with store.db.connection() as con:
        row = con.execute(
            "SELECT f.data, j.result_name, j.result_type FROM jobs j JOIN job_files f ON f.job = j.id "
            "WHERE j.id=? AND j.state=? AND f.role=?",
            (job_id, DONE, RESULT),
        ).fetchone()
    if not row or row[0] is None:
        return None
    return bytes(row[0]), row[1], row[2]


def recent(store: Store, limit: int = 20, created_by: str | None = None) -> list[dict]:
    """The last jobs' facts, newest first (those of one account when ``created_by`` is given)."""
    where, args = ("WHERE created_by=? ", (created_by,)) if created_by else ("", ())
    with store.db.connection() as con:
        rows = dicts(con.execute(f"SELECT {FIELDS} FROM jobs {where}ORDER BY id DESC LIMIT ?", (*args, limit)))
    return [_row(r) for r in rows]


def prune(store: Store, keep: int = KEEP) -> int:
    """Delete finished jobs but the last ``keep`` (their result files with them); returns how many."""
    with store.db.connection() as con:
        row = con.execute(
            "SELECT id FROM jobs WHERE state IN (?,?) ORDER BY id DESC LIMIT 1 OFFSET ?", (DONE, FAILED, keep)
        ).fetchone()
        if not row:
            return 0
        con.execute(
            "DELETE FROM job_files WHERE job IN (SELECT id FROM jobs WHERE state IN (?,?) AND id <= ?)",
            (DONE, FAILED, row[0]),
        )
        return con.execute("DELETE FROM jobs WHERE state IN (?,?) AND id <= ?", (DONE, FAILED, row[0])).rowcount
