"""What a worker serves: the store, the geography and the catalog of the published version.

A worker checks the published version at most every RELOAD_CHECK_SECONDS and swaps
its catalog in one assignment when it changed, so a request sees one version whole.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache
from pathlib import Path

from flask import g, has_request_context

from finder.domain import geography
from finder.domain.geocode import Geocoder
from finder.service.catalog import Catalog
from finder.storage.store import Store


@lru_cache(maxsize=4)
def _geography(path: str) -> geography.Geography:
    return geography.load(Path(path))


class State:
    def __init__(self, store: Store, geo: geography.Geography, check_seconds: float, geocoder: Geocoder):
        self.store = store
        self.geo = geo
        self.geocoder = geocoder
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._catalog = Catalog(store.load(), geo)
        self._checked = time.monotonic()

    @classmethod
    def from_config(cls, config) -> State:
        store = Store(config["DATABASE"])
        store.initialise(Path(config["DEMO_DIRECTORY"]))
        geo = _geography(config["GEODATA_DIR"])
        geocoder = Geocoder(geo, config.get("BAN_URL"), config["BAN_TIMEOUT"])
        return cls(store, geo, config["RELOAD_CHECK_SECONDS"], geocoder)

    @property
    def catalog(self) -> Catalog:
        """The served catalog, the same one for the whole of a request (pinned on flask.g)."""
        if not has_request_context():
            return self._current()
        pinned = g.get("spro_catalog")
        if pinned is None:
            pinned = g.spro_catalog = self._current()
        return pinned

    @property
    def engine(self):
        """The served catalog's engine (same pinning)."""
        return self.catalog.engine

    def _current(self) -> Catalog:
        now = time.monotonic()
        if now - self._checked >= self.check_seconds:
            self._checked = now
            try:
                self.refresh()
            except Exception:  # a failed reload keeps serving the version in hand
                logging.getLogger(__name__).exception("reload of the published version failed")
        return self._catalog

    def refresh(self) -> bool:
        """Load the published version if it is not the one served; True when swapped."""
        version = self.store.published_version()
        if version is None or version == self._catalog.version:
            return False
        with self._lock:
            if version != self._catalog.version:
                self._catalog = Catalog(self.store.load(version), self.geo)
                return True
        return False
