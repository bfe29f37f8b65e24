"""What a worker serves: the store, the geography and the catalog of the published version.

A worker checks the published version at most every RELOAD_CHECK_SECONDS and swaps
its catalog in one assignment when it changed, so a request sees one version whole.
The check reads the shared database, so a publish made through any host is served by
every host within RELOAD_CHECK_SECONDS. A failed check or reload keeps serving the
version in hand; it is remembered (``reload_error``, logged once) for ``/readyz``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from functools import lru_cache
from pathlib import Path

from flask import g, has_request_context

from finder.directory import freshness
from finder.domain import geography
from finder.domain.geocode import Geocoder
from finder.service.catalog import Catalog
from finder.storage.store import Store

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _geography(path: str) -> geography.Geography:
    return geography.load(Path(path))


class State:
    def __init__(
        self, store: Store, geo: geography.Geography, check_seconds: float, geocoder: Geocoder, hide_days: int = 0
    ):
        self.store = store
        self.geo = geo
        self.geocoder = geocoder
        self.check_seconds = check_seconds
        self.hide_days = hide_days  # FRESHNESS_HIDE_DAYS: sites unconfirmed this long are not served (0: never)
        self.reload_error: str | None = None  # why the last check or reload failed; None when it worked
        self._lock = threading.Lock()
        self._hash = ""
        self._day = dt.date.today()
        self._catalog = self._load(None)
        self._checked = time.monotonic()

    @classmethod
    def from_config(cls, config) -> State:
        store = Store(config["DATABASE_URL"])
        store.initialise(Path(config["DEMO_DIRECTORY"]))
        geo = _geography(config["GEODATA_DIR"])
        geocoder = Geocoder(geo, config.get("BAN_URL"), config["BAN_TIMEOUT"])
        return cls(store, geo, config["RELOAD_CHECK_SECONDS"], geocoder, config.get("FRESHNESS_HIDE_DAYS", 0))

    def _load(self, version: int | None) -> Catalog:
        """The catalog of a version; with a hiding policy, of its sites confirmed recently enough today
        (the day is then part of the content id, so ETags and cached answers change with it)."""
        directory = self.store.load(version)
        self._hash = content = self.store.content_hash(directory.info.version)
        self._day = dt.date.today()
        if self.hide_days:
            directory = freshness.visible(directory, self._day, self.hide_days)
            content = f"{content}:{self._day.isoformat()}"
        return Catalog(directory, self.geo, content_id=content)

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
            except Exception as err:  # a failed reload keeps serving the version in hand
                self._failed(err)
            else:
                self._recovered()
        return self._catalog

    def _failed(self, err: Exception) -> None:
        reason = " ".join(str(err).split()) or type(err).__name__
        if self.reload_error is None:  # logged once per outage, not at every check
            log.exception("reload of the published version failed; still serving version %s", self._catalog.version)
        self.reload_error = reason

    def _recovered(self) -> None:
        if self.reload_error is not None:
            log.warning("reload works again; serving version %s", self._catalog.version)
        self.reload_error = None

    def refresh(self) -> bool:
        """Load the published version if it is not the one served (number or content); True when swapped."""
        published = self.store.published()
        new_day = self.hide_days and dt.date.today() != self._day
        if published is None or (tuple(published) == self._served() and not new_day):
            return False
        with self._lock:
            if tuple(published) != self._served() or new_day:
                self._catalog = self._load(published[0])
                return True
        return False

    def _served(self) -> tuple[int, str]:
        return self._catalog.version, self._hash

    def readiness(self) -> dict:
        """Whether this worker should get traffic: the database answers and the last reload worked."""
        self._current()  # a due check runs now, so a recovered database is seen at once
        database = self.store.db.ping()
        ready = database and self.reload_error is None
        return {
            "status": "ready" if ready else "unavailable",
            "database": "ok" if database else "unreachable",
            "reload": "ok" if self.reload_error is None else "failed",
            "version": self._catalog.version,
        }
