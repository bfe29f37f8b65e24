"""Storage is the only code that speaks SQL, and its schema is defined once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import finder
from finder.storage import schema
from finder.storage.store import Store

ROOT = Path(finder.__file__).resolve().parent
DRIVERS = {"sqlite3", "psycopg", "psycopg2", "sqlalchemy"}
EXECUTE = {"execute", "executemany", "executescript"}
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b", re.S
)


def speaks_sql(path: Path) -> list[str]:
    """What in a module imports a database driver, calls execute*() or holds SQL text."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [f"imports {a.name}" for a in node.names if a.name.split(".")[0] in DRIVERS]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in DRIVERS:
            found.append(f"imports {node.module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EXECUTE:
            found.append(f"calls .{node.func.attr}() line {node.lineno}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            found.append(f"holds SQL line {node.lineno}")
    return found


def outside_storage() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py")) if "storage" not in p.relative_to(ROOT).parts]


def test_no_module_outside_storage_speaks_sql():
    bad = [f"{p.relative_to(ROOT.parent)} {what}" for p in outside_storage() for what in speaks_sql(p)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    "source",
    [
        "import sqlite3",
        "from sqlite3 import connect",
        "con.execute('PRAGMA x')",
        "q = 'SELECT a FROM b'",
        "q = 'INSERT OR REPLACE INTO t VALUES (?)'",
        "q = 'DELETE FROM t'",
    ],
)
def test_the_detector_sees_sql(tmp_path, source):
    path = tmp_path / "m.py"
    path.write_text(source + "\n", encoding="utf-8")
    assert speaks_sql(path)


def test_the_detector_ignores_french_prose(tmp_path):
    path = tmp_path / "m.py"
    path.write_text('MESSAGE = "Sélectionnez une commune, puis mettez à jour le fichier."\n', encoding="utf-8")
    assert speaks_sql(path) == []


def test_tables_are_created_only_by_the_schema():
    creators = sorted(
        p.name for p in (ROOT / "storage").glob("*.py") if re.search(r"CREATE\s+TABLE", p.read_text(encoding="utf-8"))
    )
    assert creators == ["schema.py"]


def test_migrate_creates_every_table_once_and_is_idempotent(tmp_path):
    store = Store(tmp_path / "sub" / "s.sqlite3")
    assert not store.db.exists()
    store.migrate()
    store.migrate()
    with store.db.connection() as con:
        names = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    expected = {
        "versions",
        "structures",
        "sites",
        "published",
        "publish_log",
        "users",
        "user_access",
        "login_throttle",
        "import_reports",
        "widget_loads",
        "geocode_cache",
        "account_roles",
        "account_structures",
        "invitations",
        "site_changes",
        "campaigns",
        "campaign_targets",
        "search_demand",
        "jobs",
        "job_files",
    }
    assert schema.tables() == expected
    assert expected <= names


def test_an_unmigrated_file_has_no_published_version(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    assert store.published_version() is None and not store.db.exists(), "asking must not create the file"
    with store.db.connection():
        pass  # an empty file, schema never applied
    assert store.published_version() is None and not store.exists()
