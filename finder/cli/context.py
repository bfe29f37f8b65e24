"""What every command works on: the settings, the store and the catalog of the published version.

Settings come from ``finder.config.load`` exactly as the web app reads them (defaults <
instance/config.py < SPRO_* environment), with ``--database`` overriding DATABASE_URL, so that
every command and the app open the same database.
"""

from __future__ import annotations

from pathlib import Path

from finder import config
from finder.domain import geography
from finder.service.catalog import Catalog
from finder.storage.store import Store


def settings(args) -> dict:
    """The checked settings of a command (``--database`` wins over the configuration)."""
    database = getattr(args, "database", None)
    return config.load({"DATABASE_URL": database} if database else None)


def open_store(cfg: dict) -> Store:
    """The configured store, schema applied; an empty one gets the demo directory first."""
    store = Store(cfg["DATABASE_URL"])
    if cfg["REGION"] == geography.DEFAULT_REGION:
        store.initialise(Path(cfg["DEMO_DIRECTORY"]))
    else:  # the AURA demo is no directory for another region: its first import publishes one
        store.migrate()
    return store


def load_catalog(args) -> Catalog:
    """The published version as served (engine and encodings), on the configured geography."""
    cfg = settings(args)
    return Catalog(open_store(cfg).load(), geography.load(cfg["REGION"], Path(cfg["GEODATA_DIR"])))
