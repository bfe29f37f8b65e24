"""The database schema: every table of the store, defined here and nowhere else.

Applied by ``Database.migrate`` (idempotent: ``CREATE TABLE IF NOT EXISTS``). A table
added later goes here; numbered migrations will start from this definition.
"""

from __future__ import annotations

TABLES: dict[str, str] = {
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
    # Per account: its session generation (a session carries the one it was opened with) and state.
    "user_access": """
        username TEXT PRIMARY KEY REFERENCES users(username),
        generation INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0
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


def statements() -> list[str]:
    """The DDL creating every missing table, in dependency order."""
    return [f"CREATE TABLE IF NOT EXISTS {name} ({columns.rstrip()}\n)" for name, columns in TABLES.items()]
