"""The open data files: the served directory in the data·inclusion schema v1, licence etalab-2.0.

``files`` gives the two JSON arrays (structures, services) of a catalog, built once per
served version (``finder.directory.datainclusion``) and kept pre-encoded: the API answers
them as bytes, with an ETag; ``spro-finder export --format data-inclusion`` writes the same
bytes with a ``metadata.json`` beside them.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from finder.directory import datainclusion
from finder.domain.model import Directory
from finder.service.catalog import Catalog

LICENCE = datainclusion.LICENCE
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
NAMES = ("structures.json", "services.json")
_lock = threading.Lock()
_cache: dict = {}


def encode(directory: Directory, geo, source: str, public_url: str | None) -> tuple[bytes, bytes]:
    structures, services = datainclusion.records(directory, geo, source, public_url)
    return datainclusion.dumps(structures), datainclusion.dumps(services)


def files(catalog: Catalog, source: str, public_url: str | None) -> tuple[bytes, bytes]:
    """(structures.json, services.json) of the served catalog, computed once per version."""
    key = (catalog.version, catalog.content_id, source, public_url)
    hit = _cache.get(key)
    if hit is None:
        with _lock:
            hit = _cache.get(key)
            if hit is None:
                hit = encode(catalog.engine.directory, catalog.geo, source, public_url)
                _cache.clear()
                _cache[key] = hit
    return hit


def metadata(directory: Directory, source: str, counts: tuple[int, int]) -> dict:
    return {
        "schema": "data·inclusion v1 (https://github.com/gip-inclusion/data-inclusion-schema)",
        "source": source,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "version": directory.info.version,
        "demo": directory.info.demo,
        "generated_on": dt.date.today().isoformat(),
        "files": {"structures.json": counts[0], "services.json": counts[1]},
    }


def write(directory: Directory, geo, folder: Path, source: str, public_url: str | None) -> tuple[int, int]:
    """Write structures.json, services.json and metadata.json into ``folder``; (structures, services)."""
    folder.mkdir(parents=True, exist_ok=True)
    structures, services = datainclusion.records(directory, geo, source, public_url)
    counts = (len(structures), len(services))
    for name, items in zip(NAMES, (structures, services)):
        tmp = folder / (name + ".tmp")
        tmp.write_bytes(datainclusion.dumps(items))
        tmp.replace(folder / name)
    meta = json.dumps(metadata(directory, source, counts), ensure_ascii=False, indent=2)
    (folder / "metadata.json").write_text(meta + "\n", encoding="utf-8")
    return counts
