"""What a worker serves: the store, the region's geography and the catalog of the published version.

A worker checks the published version at most every RELOAD_CHECK_SECONDS. The check and the
build of a newly published version run in a background thread of the worker
(RELOAD_IN_BACKGROUND, the default): requests keep being answered from the catalog in hand
and none waits for the build; the new catalog is swapped in by one assignment once whole, so
every answer comes from exactly one version (a request pins its catalog on flask.g). The
check reads the shared database, so a publish made through any host is served by every host
within RELOAD_CHECK_SECONDS plus the build. A failed check or reload keeps serving the
version in hand; it is remembered (``reload_error``, logged once) for ``/readyz``.

With a cache folder (CACHE_DIR, default ``<instance>/cache``; ``off``: none), a catalog is read
from its file (``finder.service.catalog_cache``): at start-up, built in-process first when missing;
after a publish seen by the background check, for a version of at least BUILD_APART_MIN_SITES
sites, built by a separate low-priority process (one per host, the other workers wait for its file),
then memory-mapped: the worker's thread never runs the build's Python, so requests keep their
latency, and the workers of a host share the file's pages. A smaller version is built in the
worker's thread (a tenth of a second for the demo, less than starting a process). The newest
stored version, when not published yet and that large, is prepared the same way ahead of its
publish (by the background check), so that publishing it only maps its file.

``refresh()`` checks and builds at once, in the caller's thread (staff actions that publish,
tests). With no directory published yet (a region other than the AURA demo, before its first
import), the catalog is empty (version 0) and the pages say so.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import weakref
from functools import lru_cache
from pathlib import Path

from flask import g, has_request_context

from finder.domain import geography
from finder.domain.geocode import Geocoder
from finder.domain.model import DatasetInfo, Directory
from finder.errors import StoreError
from finder.service import catalog_cache
from finder.service.catalog import Catalog
from finder.storage.store import Store

log = logging.getLogger(__name__)
EMPTY_VERSION = 0  # the catalog served before any directory is published
_STATES: weakref.WeakSet = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked worker starts with no reload thread and a free lock (the parent may have held it)."""
    for st in list(_STATES):
        st._lock = threading.Lock()
        st._worker = None
        st._preparer = None


os.register_at_fork(after_in_child=_after_fork_in_child)


@lru_cache(maxsize=4)
def _geography(region: str, geodata_dir: str) -> geography.Geography:
    return geography.load(region, Path(geodata_dir))


def region_geography(config) -> geography.Geography:
    """The geography of REGION (a StoreError, French, naming the build command when its files are missing)."""
    try:
        return _geography(config["REGION"], str(config["GEODATA_DIR"]))
    except geography.GeographyNotBuilt as err:
        raise StoreError(str(err), field="REGION") from None


def demo_file(config) -> Path | None:
    """The demo directory loaded into an empty store: the AURA demo, for region 84 only."""
    return Path(config["DEMO_DIRECTORY"]) if config["REGION"] == geography.DEFAULT_REGION else None


def empty_directory() -> Directory:
    info = DatasetInfo(version=EMPTY_VERSION, demo=False, loaded_at=dt.datetime.now().isoformat(timespec="seconds"))
    return Directory(info=info, structures={}, sites=[])


class State:
    def __init__(
        self,
        store: Store,
        geo: geography.Geography,
        check_seconds: float,
        geocoder: Geocoder,
        hide_days: int = 0,
        background: bool = False,
        cache_dir: Path | None = None,
        source: dict | None = None,
        apart_min_sites: int = 10_000,
    ):
        """``cache_dir``: where catalog files are kept (None: built in memory each time); ``source``:
        what a separate build process needs to find the data (region, geodata_dir)."""
        self.cache_dir = cache_dir
        self.source = source or {}
        self.apart_min_sites = apart_min_sites
        self.store = store
        self.geo = geo
        self.geocoder = geocoder
        self.check_seconds = check_seconds
        self.hide_days = hide_days  # FRESHNESS_HIDE_DAYS: sites unconfirmed this long are not served (0: never)
        self.background = background
        self.reload_error: str | None = None  # why the last check or reload failed; None when it worked
        self.build_hook = None  # tests: called with the version number before a background build
        self._lock = threading.Lock()  # one build at a time
        self._worker: threading.Thread | None = None
        self._preparer: threading.Thread | None = None  # builds the newest stored version's file ahead
        self._unprepared: set[str] = set()  # keys whose preparation failed (not tried again)
        self._hash = ""
        self._day = dt.date.today()
        published = store.published()
        self._catalog = self._load(*published) if published else self._empty()
        self._checked = time.monotonic()
        _STATES.add(self)

    @classmethod
    def from_config(cls, config) -> State:
        store = Store(config["DATABASE_URL"])
        demo = demo_file(config)
        if demo is not None:
            store.initialise(demo)
        else:
            store.migrate()
        geo = region_geography(config)
        cache = config.get("CACHE_DIR")
        cache = Path(cache) if cache and cache != "off" else None
        geocoder = Geocoder(geo, config.get("BAN_URL"), config["BAN_TIMEOUT"], cache)
        return cls(
            store,
            geo,
            config["RELOAD_CHECK_SECONDS"],
            geocoder,
            config.get("FRESHNESS_HIDE_DAYS", 0),
            config.get("RELOAD_IN_BACKGROUND", True),
            cache_dir=cache,
            source={"region": config["REGION"], "geodata_dir": str(config["GEODATA_DIR"])},
            apart_min_sites=int(config.get("BUILD_APART_MIN_SITES", 10_000)),
        )

    @property
    def region_name(self) -> str:
        return self.geo.region_name or geography.REGIONS.get(self.geo.region_code or "", geography.FRANCE)

    def _empty(self) -> Catalog:
        self._hash = ""
        return Catalog(empty_directory(), self.geo, content_id="empty")

    def _load(self, version: int, stored: str, apart: bool = False) -> Catalog:
        """The catalog of a version whose content hash is ``stored``; with a hiding policy, of its sites
        confirmed recently enough today (the day is then part of the content id, so ETags and cached
        answers change with it). ``apart``: a missing catalog file is built by a separate process."""
        day = dt.date.today()
        content = catalog_cache.content_id(stored, self.hide_days, day)
        key = catalog_cache.key(content, self.hide_days, self.geo) if self.cache_dir is not None else None
        if key is None:
            catalog = catalog_cache.fresh(self.store, self.geo, version, self.hide_days, day)
        else:
            try:
                catalog = catalog_cache.obtain(self.cache_dir, key, self.geo, self._builder(version, key, apart))
            except OSError as err:  # a cache folder that cannot be written: serve from memory all the same
                log.warning("no catalog file in %s (%s): version %s built in memory", self.cache_dir, err, version)
                catalog = catalog_cache.fresh(self.store, self.geo, version, self.hide_days, day)
        self._hash, self._day = stored, day
        return catalog

    def _size(self, version: int) -> int:
        return next((v["sites"] for v in self.store.versions() if v["id"] == version), 0)

    def _builder(self, version: int, key: str, apart: bool):
        """What writes a missing catalog file: this process, or a separate one (``apart``)."""
        if apart and self._size(version) >= self.apart_min_sites:
            return lambda file: catalog_cache.build_apart(
                file, key, self.store.url, self.source["region"], self.source["geodata_dir"], version, self.hide_days
            )

        def build(file: Path) -> None:
            catalog = catalog_cache.fresh(self.store, self.geo, version, self.hide_days, dt.date.today())
            catalog_cache.write(catalog, file, key)

        return build

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

    @property
    def empty(self) -> bool:
        """No directory published yet (the region's first import is to come)."""
        return self.catalog.version == EMPTY_VERSION

    def _current(self) -> Catalog:
        now = time.monotonic()
        if now - self._checked >= self.check_seconds:
            self._checked = now
            if self.background:
                self._start_check()
            else:
                self._check()
        return self._catalog

    def _start_check(self) -> None:
        """Run a check (and a build, when needed) in this worker's thread, unless one runs already."""
        worker = self._worker
        if worker is not None and worker.is_alive():
            return
        self._worker = threading.Thread(target=self._check, name="spro-reload", daemon=True)
        self._worker.start()

    def _check(self) -> None:
        try:
            self.refresh(apart=self.background and bool(self.source))
        except Exception as err:  # a failed reload keeps serving the version in hand
            self._failed(err)
        else:
            self._recovered()
        if self.background and self.source and self.cache_dir is not None:
            try:
                self._start_prepare()
            except Exception:  # preparing ahead is an optimisation: the publish would build it
                log.exception("could not look for a version to prepare")

    def _start_prepare(self) -> None:
        """Build, in a separate process, the file of the newest stored version when it is not published
        yet and large enough to be built apart: its publish then only maps the file."""
        preparer = self._preparer
        if preparer is not None and preparer.is_alive():
            return
        stored = self.store.versions()
        newest = max(stored, key=lambda v: v["id"]) if stored else None
        if newest is None or newest["published"] or newest["sites"] < self.apart_min_sites:
            return
        content = catalog_cache.content_id(newest["content_hash"], self.hide_days, dt.date.today())
        key = catalog_cache.key(content, self.hide_days, self.geo)
        if key is None or key in self._unprepared or catalog_cache.path(self.cache_dir, key).exists():
            return
        build = self._builder(newest["id"], key, apart=True)

        def run() -> None:
            try:
                catalog_cache.prepare(self.cache_dir, key, build)
            except Exception:
                self._unprepared.add(key)
                log.exception("preparing version %s failed (its publish will build it)", newest["id"])

        self._preparer = threading.Thread(target=run, name="spro-prepare", daemon=True)
        self._preparer.start()

    def wait_reload(self, timeout: float = 30.0) -> None:
        """Wait for a background check in flight (tests, benchmarks)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def _failed(self, err: Exception) -> None:
        reason = " ".join(str(err).split()) or type(err).__name__
        if self.reload_error is None:  # logged once per outage, not at every check
            log.exception("reload of the published version failed; still serving version %s", self._catalog.version)
        self.reload_error = reason

    def _recovered(self) -> None:
        if self.reload_error is not None:
            log.warning("reload works again; serving version %s", self._catalog.version)
        self.reload_error = None

    def refresh(self, apart: bool = False) -> bool:
        """Load the published version if it is not the one served (number or content); True when swapped.

        The new catalog is built whole, then swapped in by one assignment: requests meanwhile are
        answered from the catalog in hand."""
        published = self.store.published()
        new_day = self.hide_days and dt.date.today() != self._day
        if published is None or (tuple(published) == self._served() and not new_day):
            return False
        with self._lock:
            if tuple(published) != self._served() or new_day:
                if self.build_hook is not None:
                    self.build_hook(published[0])
                self._catalog = self._load(*published, apart=apart)
                if apart:  # the background thread: the old catalog goes once its last requests end
                    catalog_cache.release_memory()
                return True
        return False

    def _served(self) -> tuple[int, str]:
        return self._catalog.version, self._hash

    def readiness(self) -> dict:
        """Whether this worker should get traffic: the database answers and the last reload worked."""
        self._current()  # a due check starts now (in the background: its outcome shows at the next call)
        database = self.store.db.ping()
        ready = database and self.reload_error is None
        return {
            "status": "ready" if ready else "unavailable",
            "database": "ok" if database else "unreachable",
            "reload": "ok" if self.reload_error is None else "failed",
            "version": self._catalog.version,
        }
