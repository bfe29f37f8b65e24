"""The content hash of a directory version: the same rows give the same hash, on any host, after any restart.

Computed when a version is stored (and for older versions by migration 2) from exactly the
text stored: the demo flag and each structure's and site's JSON, sorted by id in code-point
order (never by a database collation, which differs between backends and locales). The web
layer derives its ETags from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def content_hash(demo: bool, structures: Iterable[tuple[str, str]], sites: Iterable[tuple[str, str]]) -> str:
    """SHA-256 (hex) of a version: ``structures`` and ``sites`` as (id, stored JSON text) pairs."""
    digest = hashlib.sha256(b"demo\x1f1\n" if demo else b"demo\x1f0\n")
    for kind, rows in ((b"structure", structures), (b"site", sites)):
        for key, data in sorted(rows):
            digest.update(b"%s\x1f%s\x1f%s\n" % (kind, key.encode("utf-8"), data.encode("utf-8")))
    return digest.hexdigest()
