"""One directory version as it is served: the engine and its encoded features.

Built once per published version (at start-up and after a publish) and shared read-only by
every request of a worker; an answer is computed from exactly one catalog.
"""

from __future__ import annotations

import threading

from finder.domain.engine import Engine
from finder.domain.geography import Geography
from finder.domain.model import Directory
from finder.present.geojson import Features


class Catalog:
    def __init__(self, directory: Directory, geo: Geography, content_id: str = "", index=None, encoded=None):
        """``content_id``: the stored hash of the version's content (ETags), "" when unknown.

        ``index`` and ``encoded``: the site index and the encoded features, when read from a file
        (finder.service.catalog_cache); built here when not given."""
        self.engine = Engine(directory, geo, index)
        self.content_id = content_id
        self.features = Features(self.engine, encoded)
        self.geo = geo
        self.info = directory.info
        self._dump: bytes | None = None
        self._dump_lock = threading.Lock()

    @property
    def version(self) -> int:
        return self.info.version

    def dataset_json(self) -> dict:
        return self.engine.dataset_json()

    def dump(self) -> bytes:
        """Every site as one gzip-compressed GeoJSON file, built once per catalog (on first use)."""
        with self._dump_lock:
            if self._dump is None:
                self._dump = self.features.gzipped()
            return self._dump
