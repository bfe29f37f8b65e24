"""The database schema: numbered migrations, defined here and nowhere else.

Each ``Migration`` has a number (1, 2, …, in order), a title, DDL statements and optionally a
``fill(con)`` step in Python (to compute a new column for existing rows). ``Database.migrate``
applies those a database has not had yet, in one write transaction, and records the last
number (SQLite: ``PRAGMA user_version``; PostgreSQL: the ``schema_version`` table).

Statements are written once, in SQLite's dialect; the PostgreSQL class translates them
(``PostgresDatabase.ddl``: ``INTEGER PRIMARY KEY AUTOINCREMENT`` → identity column, ``BLOB`` →
``BYTEA``, ``REAL`` → ``DOUBLE PRECISION``, ``TEXT`` → ``TEXT COLLATE "C"`` so that ``ORDER BY``
gives the same order on both). Booleans are INTEGER 0/1, dates ISO 8601 text.

Migration 1 is the schema of the first release (before numbered migrations): its
``CREATE TABLE IF NOT EXISTS`` makes a file of that release (``user_version`` 0 with the tables
in place) version 1 without touching its rows. To change the schema, append a migration —
never edit one already released.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from finder.storage.content import content_hash


@dataclass(frozen=True)
class Migration:
    number: int
    title: str
    statements: tuple[str, ...]
    fill: Callable | None = None  # fill(con): Python step run after the statements, same transaction


# Where PostgreSQL records the schema version (SQLite keeps it in PRAGMA user_version).
VERSION_TABLE = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"


def _table(name: str, columns: str) -> str:
    return f"CREATE TABLE IF NOT EXISTS {name} ({columns.rstrip()}\n)"


INITIAL_TABLES: dict[str, str] = {
    # Directory versions: one row per import or edit; structures and sites as JSON rows.
    "versions": """
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        author TEXT NOT NULL,
        source TEXT NOT NULL,
        demo INTEGER NOT NULL,
        structures INTEGER NOT NULL,
        sites INTEGER NOT NULL
    """,
    "structures": """
        version INTEGER NOT NULL REFERENCES versions(id),
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (version, id)
    """,
    "sites": """
        version INTEGER NOT NULL REFERENCES versions(id),
        id TEXT NOT NULL,
        structure_id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (version, id)
    """,
    # The one row naming the version served; publishing rewrites it in one transaction.
    "published": """
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        version INTEGER NOT NULL REFERENCES versions(id),
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL
    """,
    "publish_log": """
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        version INTEGER NOT NULL,
        previous INTEGER,
        action TEXT NOT NULL,
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        summary TEXT NOT NULL
    """,
    # Staff accounts (Argon2id hashes) and failed-login counters per account and per address.
    "users": """
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_login TEXT
    """,
    "login_throttle": """
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until REAL NOT NULL
    """,
    # Every import attempt's report (JSON, zlib-compressed), the last ones only.
    "import_reports": """
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        author TEXT NOT NULL,
        filename TEXT NOT NULL,
        dry_run INTEGER NOT NULL,
        version INTEGER,
        errors INTEGER NOT NULL,
        warnings INTEGER NOT NULL,
        report BLOB NOT NULL
    """,
    # Anonymous widget loads per partner origin and day.
    "widget_loads": """
        origin TEXT NOT NULL,
        day TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (origin, day)
    """,
    # Answers of the Base Adresse Nationale to import rows (found = 0: nothing usable).
    "geocode_cache": """
        query TEXT PRIMARY KEY,
        found INTEGER NOT NULL,
        lat REAL, lon REAL, score REAL, kind TEXT, citycode TEXT,
        at TEXT NOT NULL
    """,
}


def _fill_content_hashes(con) -> None:
    """Migration 2: the content hash of every version stored before it (same function as at import)."""
    versions = con.execute("SELECT id, demo FROM versions WHERE content_hash IS NULL").fetchall()
    for version, demo in versions:
        structures = con.execute("SELECT id, data FROM structures WHERE version=?", (version,)).fetchall()
        sites = con.execute("SELECT id, data FROM sites WHERE version=?", (version,)).fetchall()
        digest = content_hash(bool(demo), structures, sites)
        con.execute("UPDATE versions SET content_hash=? WHERE id=?", (digest, version))


LATER_TABLES: dict[str, str] = {
    # Per account: its session generation (a session carries the one it was opened with) and state.
    "user_access": """
        username TEXT PRIMARY KEY REFERENCES users(username),
        generation INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0
    """,
}

# Issue 12: structures keep their own sites. Accounts stay in ``users`` (staff when they have
# no row in ``account_roles``); a référent is attached to one or more structures.
DIRECTORY_TABLES: dict[str, str] = {
    "account_roles": """
        username TEXT PRIMARY KEY REFERENCES users(username),
        role TEXT NOT NULL,
        email TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
    """,
    "account_structures": """
        username TEXT NOT NULL REFERENCES users(username),
        structure_id TEXT NOT NULL,
        PRIMARY KEY (username, structure_id)
    """,
    # Invitation links: only the SHA-256 of the token is kept; single use, expiring.
    "invitations": """
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users(username),
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    """,
    # Every change to a site (edit, addition, closing): the review queue and the audit trail.
    "site_changes": """
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        site_id TEXT NOT NULL,
        structure_id TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,
        fields TEXT NOT NULL,
        before TEXT,
        after TEXT,
        decided_by TEXT,
        decided_at TEXT,
        reason TEXT,
        version INTEGER
    """,
    "campaigns": """
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    """,
    # One row per campaign, structure and référent; the link's token is kept as a hash.
    "campaign_targets": """
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
        structure_id TEXT NOT NULL,
        username TEXT,
        email TEXT,
        token_hash TEXT UNIQUE,
        sent_at TEXT,
        reminders INTEGER NOT NULL DEFAULT 0,
        last_reminder_at TEXT,
        answer TEXT,
        answered_at TEXT,
        answered_by TEXT,
        version INTEGER
    """,
    # Anonymous search counts: commune x profile class x outcome per day, nothing else.
    "search_demand": """
        day TEXT NOT NULL,
        commune TEXT NOT NULL,
        profile TEXT NOT NULL,
        outcome TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (day, commune, profile, outcome)
    """,
}

# Issue 11: long staff operations (exports, imports with geocoding) run as jobs outside the request.
JOB_TABLES: dict[str, str] = {
    "jobs": """
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        params TEXT NOT NULL,
        input BLOB,
        state TEXT NOT NULL,
        stage TEXT NOT NULL DEFAULT '',
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        error TEXT,
        result BLOB,
        result_name TEXT,
        result_type TEXT,
        outcome TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        worker TEXT,
        heartbeat REAL
    """,
}

# The files of a job (its upload, its result) in a table of their own: SQLite rewrites a whole row on
# every UPDATE, and a job row holding a 57 MB upload took 1.3 s per progress write (jobs.input and
# jobs.result are left empty since migration 6).
JOB_FILE_TABLES: dict[str, str] = {
    "job_files": """
        job INTEGER NOT NULL,
        role TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (job, role)
    """,
}

MIGRATIONS: list[Migration] = [
    Migration(1, "tables of the first release", tuple(_table(n, c) for n, c in INITIAL_TABLES.items())),
    Migration(
        2,
        "content hash of each version (ETags equal on every host)",
        ("ALTER TABLE versions ADD COLUMN content_hash TEXT",),
        fill=_fill_content_hashes,
    ),
    Migration(
        3,
        "session generation and disabled flag per staff account (sessions end on logout, reset, disable)",
        (_table("user_access", LATER_TABLES["user_access"]),),
    ),
    Migration(
        4,
        "référents, invitations, site changes (review queue and audit trail), campaigns, search demand",
        tuple(_table(n, c) for n, c in DIRECTORY_TABLES.items())
        + (
            "CREATE INDEX IF NOT EXISTS site_changes_status ON site_changes (status, id)",
            "CREATE INDEX IF NOT EXISTS campaign_targets_campaign ON campaign_targets (campaign_id)",
        ),
    ),
    Migration(
        5,
        "jobs: exports, imports and geocoding run by a worker outside the request, with progress and a result",
        tuple(_table(n, c) for n, c in JOB_TABLES.items())
        + ("CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, id)",),
    ),
    Migration(
        6,
        "job files (upload, result) out of the job row, so that progress writes stay small",
        (
            _table("job_files", JOB_FILE_TABLES["job_files"]),
            "INSERT INTO job_files (job, role, data) SELECT id, 'input', input FROM jobs WHERE input IS NOT NULL",
            "INSERT INTO job_files (job, role, data) SELECT id, 'result', result FROM jobs WHERE result IS NOT NULL",
            "UPDATE jobs SET input = NULL, result = NULL WHERE input IS NOT NULL OR result IS NOT NULL",
        ),
    ),
]
LATEST = MIGRATIONS[-1].number
assert [m.number for m in MIGRATIONS] == list(range(1, LATEST + 1)), "migrations are numbered 1, 2, … in order"


def tables() -> set[str]:
    """Every table the migrations create."""
    return set(INITIAL_TABLES) | set(LATER_TABLES) | set(DIRECTORY_TABLES) | set(JOB_TABLES) | set(JOB_FILE_TABLES)
