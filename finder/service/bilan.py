"""The annual bilan (``/bilan`` and its CSV exports), from the served directory and an activity table."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from finder.domain import bilan
from finder.service.catalog import Catalog
from finder.service.params import Parsed

DEFAULT_ACTIVITY = Path(__file__).resolve().parents[2] / "geodata" / "demo" / "activity.csv"
EXPORTS = {
    "structures": lambda b: b.structures_by_network,
    "lieux": lambda b: b.sites_by_network,
    "cercles": lambda b: b.by_cercle,
    "reseaux": lambda b: b.by_network,
    "genre": lambda b: b.breakdowns[0],
    "age": lambda b: b.breakdowns[1],
    "provenance": lambda b: b.breakdowns[2],
    "departements": lambda b: b.people_by_department,
}


@lru_cache(maxsize=4)
def _activity(path: str, mtime: float) -> bilan.Activity:
    return bilan.load_activity(path)


def activity(path: str | None) -> bilan.Activity:
    """The activity table (default: the demo one), read again when the file changes."""
    file = Path(path or DEFAULT_ACTIVITY)
    try:
        mtime = file.stat().st_mtime
    except OSError:
        raise bilan.ActivityError(f"Tableau d'activité introuvable : {file.name}.") from None
    return _activity(str(file), mtime)


def answer(catalog: Catalog, act: bilan.Activity, parsed: Parsed) -> bilan.Bilan:
    """From parameters parsed by ``params.BILAN`` with the activity table as context."""
    years = act.years()
    year = parsed.get("annee") or (max(years) if years else 0)
    return bilan.compute(catalog.engine.directory, catalog.geo, act, year)


def table(b: bilan.Bilan, name: str | None):
    """The table of one CSV export (``params.TABLE``; the structures by default)."""
    return EXPORTS[name or "structures"](b)
