"""Catalogs kept in files: a served version read back in a fraction of a second instead of built again.

Building the catalog of a national directory (100,000 sites: decoding, index, encoded features)
takes tens of seconds; reading it back from its file takes well under one. One file per catalog,
``catalog-<key>.bin`` in the cache folder (``CACHE_DIR``, default ``<instance>/cache``), holds
the site index (pickled; its numpy arrays and filter columns out of band, each aligned in the
file, so that they are read in place), the sites and structures as packed JSON records and the
encoded GeoJSON features; it is memory-mapped read-only, so the processes of a host share its
pages, arrays included, and no per-site object is built (``finder.domain.packed``).

The key says what the file derives from: the version's content hash (with the freshness day and
policy when sites are hidden by age), the geography's source hash and the source of the code that
shapes the file. A file whose key, size or checksums do not match is ignored and built again.
Files are written under a temporary name and renamed (atomic); a lock file makes one process
build a key while the others wait, then read it. ``build_apart`` runs the build in a separate,
low-priority process (a newly published version, seen by a serving worker: no request waits on
the build's Python and the worker only maps the finished file); the entry point of that process
is ``python -m finder.service.catalog_cache`` (arguments as JSON on standard input). ``prepare``
builds the file of a stored version not published yet, so that its publish only maps a file.

The file is read with ``pickle``: it is ours, in our instance folder (like ``instance/config.py``,
which is executed), and its checksum is verified before anything is unpickled.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as dt
import fcntl
import gc
import hashlib
import json
import mmap
import os
import pickle
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import finder
from finder.directory import freshness
from finder.domain import packed
from finder.domain.geography import Geography
from finder.domain.model import DatasetInfo, Directory, Site, Structure
from finder.service.catalog import Catalog
from finder.storage.store import Store, decode_rows, now_iso

FORMAT = 2
MAGIC = b"SPROCAT2"
# magic, header length, number of arrays, crc32 of header and array table, blobs length, blobs crc32
PREFIX = struct.Struct("<8sQQIQI")
ALIGN = 64  # arrays start at multiples of this in the file (so in memory: the map is page-aligned)
KEEP = 3  # catalog files kept in the folder (the newest)
BUILD_TIMEOUT = 900  # seconds
NICE = 5  # the build process's niceness: below the serving workers, not starved by them
SHAPING = (  # the source of what the file holds: changing one of these changes every key
    "domain/model.py",
    "domain/filters.py",
    "domain/index.py",
    "domain/geodesy.py",
    "domain/packed.py",
    "domain/vocab.py",
    "present/geojson.py",
    "service/catalog_cache.py",
)


class CacheError(Exception):
    """A catalog file that cannot be used (missing parts, another key, a checksum that fails)."""


def _code_key() -> str:
    root = Path(finder.__file__).parent
    digest = hashlib.sha256()
    for name in SHAPING:
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


CODE_KEY = _code_key()


def key(content_id: str, hide_days: int, geo: Geography) -> str | None:
    """The key of a catalog, or None when the geography's source is unknown (then nothing is cached)."""
    if not geo.source_key or not content_id:
        return None
    text = f"{FORMAT}|{CODE_KEY}|{geo.source_key}|{content_id}|{hide_days}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def path(folder: Path, k: str) -> Path:
    return Path(folder) / f"catalog-{k}.bin"


def content_id(stored_hash: str, hide_days: int, day: dt.date) -> str:
    """The catalog's content id (ETags): the stored hash, with the day when sites are hidden by age."""
    return f"{stored_hash}:{day.isoformat()}" if hide_days else stored_hash


def fresh(store: Store, geo: Geography, version: int, hide_days: int, day: dt.date) -> Catalog:
    """Build a version's catalog from the store (with a hiding policy, of its sites confirmed recently enough)."""
    info, structure_rows, site_rows = store.load_rows(version)
    structures = dict(zip((i for i, _ in structure_rows), map(Structure.from_dict, decode_rows(structure_rows))))
    directory = Directory(info, structures, list(map(Site.from_dict, decode_rows(site_rows))))
    stored = store.content_hash(info.version)
    if hide_days:
        directory = freshness.visible(directory, day, hide_days)
    catalog = Catalog(directory, geo, content_id=content_id(stored, hide_days, day))
    catalog.stored_rows = (dict(structure_rows), dict(site_rows))  # what write() packs as is
    return catalog


# -- the file -------------------------------------------------------------------------------
def write(catalog: Catalog, file: Path, k: str) -> None:
    """Write the catalog's file under key ``k`` (atomically: a temporary file renamed)."""
    engine = catalog.engine
    engine.index.prebuild()
    stored = getattr(catalog, "stored_rows", None)  # the stored JSON texts, when built from the store
    if stored is not None:
        structure_text, site_text = stored
        sites = packed.Packed.pack(site_text[s.id].encode() for s in engine.sites)
    else:
        structure_text = {i: packed.encode(s).decode() for i, s in engine.structures.items()}
        sites = packed.Packed.pack(packed.encode(s) for s in engine.sites)
    structure_ids = sorted(engine.structures)
    structures = packed.Packed.pack(structure_text[i].encode() for i in structure_ids)
    features = packed.Packed.pack(catalog.features.open)
    arrays: list[pickle.PickleBuffer] = []
    header = pickle.dumps(
        {
            "format": FORMAT,
            "key": k,
            "info": dataclasses.asdict(catalog.info),
            "content_id": catalog.content_id,
            "index": engine.index,
            "sites": sites.offsets,
            "structure_ids": structure_ids,
            "structures": structures.offsets,
            "features": features.offsets,
        },
        protocol=5,
        buffer_callback=arrays.append,  # numpy arrays: written apart, read in place
    )
    raw = [a.raw() for a in arrays]
    table = struct.pack(f"<{len(raw)}Q", *(len(r) for r in raw))
    start = PREFIX.size + len(header) + len(table)
    blobs: list = []
    for r in raw:
        blobs += [bytes(-(start + sum(len(b) for b in blobs)) % ALIGN), r]
    blobs += [sites.buffer, structures.buffer, features.buffer]
    crc = 0
    for b in blobs:
        crc = zlib.crc32(b, crc)
    head_crc = zlib.crc32(table, zlib.crc32(header))
    prefix = PREFIX.pack(MAGIC, len(header), len(raw), head_crc, sum(len(b) for b in blobs), crc)
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f"{file.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            for part in (prefix, header, table, *blobs):
                f.write(part)
        os.replace(tmp, file)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def read(file: Path, k: str, geo: Geography) -> Catalog:
    """The catalog in ``file`` (CacheError when it is not a whole, valid file of key ``k``; OSError when absent)."""
    with open(file, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < PREFIX.size:
            raise CacheError("truncated")
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mm)
    magic, header_len, count, header_crc, blobs_len, blobs_crc = PREFIX.unpack(view[: PREFIX.size])
    start = PREFIX.size + header_len + 8 * count
    if magic != MAGIC or start + blobs_len != size:
        raise CacheError("not a catalog file of this format, or truncated")
    header_bytes, table, blobs = view[PREFIX.size : start - 8 * count], view[start - 8 * count : start], view[start:]
    if zlib.crc32(table, zlib.crc32(header_bytes)) != header_crc or zlib.crc32(blobs) != blobs_crc:
        raise CacheError("checksum")
    try:
        arrays, at = [], 0
        for length in struct.unpack(f"<{count}Q", table):
            at += -(start + at) % ALIGN
            arrays.append(blobs[at : at + length])
            at += length
        header = pickle.loads(header_bytes, buffers=arrays)  # arrays over the map: read-only, shared
        if header["format"] != FORMAT or header["key"] != k:
            raise CacheError("another key")
        parts = []
        for name in ("sites", "structures", "features"):
            offsets = header[name]
            parts.append(packed.Packed(blobs[at : at + int(offsets[-1])], offsets))
            at += int(offsets[-1])
        if at != blobs_len:
            raise CacheError("inconsistent lengths")
        sites, structures, features = parts
        info = DatasetInfo(**{**header["info"], "loaded_at": now_iso()})
        directory = Directory(
            info=info,
            structures=packed.PackedStructures(header["structure_ids"], structures),
            sites=packed.PackedSites(sites),
        )
        if len(sites) != header["index"].size or len(features) != len(sites):
            raise CacheError("inconsistent counts")
        catalog = Catalog(directory, geo, header["content_id"], index=header["index"], encoded=features)
    except CacheError:
        raise
    except Exception as err:  # a file our code cannot read back: build it again
        raise CacheError(f"unreadable: {type(err).__name__}: {err}") from err
    with contextlib.suppress(AttributeError, OSError):  # read and checked: let the pages go from this
        mm.madvise(mmap.MADV_DONTNEED)  # process (they stay in the page cache; a record read maps its page)
    return catalog


def obtain(folder: Path, k: str, geo: Geography, build: Callable[[Path], None]) -> Catalog:
    """The catalog of key ``k`` from its file; when missing or unusable, ``build(file)`` writes it first.

    One process builds a key at a time (a lock file); the others wait, then read what it wrote."""
    file = path(folder, k)
    with contextlib.suppress(OSError, CacheError):
        return read(file, k, geo)
    Path(folder).mkdir(parents=True, exist_ok=True)
    with _locked(file.with_suffix(".lock")):
        try:
            return read(file, k, geo)  # built by another process meanwhile
        except (OSError, CacheError):
            build(file)
    _prune(Path(folder), keep=file)
    return read(file, k, geo)


def release_memory() -> None:
    """Give the heap freed by a catalog let go back to the system (glibc keeps it otherwise)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def prepare(folder: Path, k: str, build: Callable[[Path], None]) -> bool:
    """Write the file of key ``k`` ahead of need, unless it exists or another process is building it;
    True when this call built it. (A stored version is prepared before it is published.)"""
    file = path(folder, k)
    if file.exists():
        return False
    Path(folder).mkdir(parents=True, exist_ok=True)
    with open(file.with_suffix(".lock"), "a+b") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # being built
        try:
            if file.exists():
                return False
            build(file)
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    _prune(Path(folder), keep=file)
    return True


@contextlib.contextmanager
def _locked(lock: Path):
    with open(lock, "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _prune(folder: Path, keep: Path) -> None:
    """Remove all but the KEEP newest catalog files (a process still mapping one keeps reading it)."""
    files = sorted(folder.glob("catalog-*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        if old != keep:
            with contextlib.suppress(OSError):
                old.unlink()
                old.with_suffix(".lock").unlink(missing_ok=True)


# -- building in a separate process ---------------------------------------------------------
def build_apart(file: Path, k: str, database_url: str, region: str, geodata_dir: str, version: int, hide_days: int):
    """Build the catalog file in a separate, low-priority Python process (waits for it; raises on failure)."""
    request = {
        "file": str(file),
        "key": k,
        "database_url": database_url,
        "region": region,
        "geodata_dir": geodata_dir,
        "version": version,
        "hide_days": hide_days,
    }
    code = str(Path(finder.__file__).parent.parent)  # the same code as this process
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (code, os.environ.get("PYTHONPATH")) if p))
    done = subprocess.run(
        [sys.executable, "-m", "finder.service.catalog_cache"],
        input=json.dumps(request).encode(),
        capture_output=True,
        env=env,
        timeout=BUILD_TIMEOUT,
    )
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"catalog build of version {version} failed: {tail[0]}")


def _die_with_parent() -> None:
    """A build whose worker stopped (a restart, a shutdown) stops too instead of running on alone (Linux)."""
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:  # the parent was gone before the signal was set
        sys.exit("the worker that asked for this build has stopped")


def _main() -> None:
    from finder.domain import geography

    _die_with_parent()
    request = json.loads(sys.stdin.buffer.read())
    with contextlib.suppress(OSError):
        os.nice(NICE)  # the serving workers first
    geo = geography.load(request["region"], Path(request["geodata_dir"]))
    store = Store(request["database_url"])
    catalog = fresh(store, geo, request["version"], request["hide_days"], dt.date.today())
    k = key(catalog.content_id, request["hide_days"], geo)
    if k != request["key"]:
        sys.exit(f"the version's content is not the one asked for (key {k}, asked {request['key']})")
    write(catalog, Path(request["file"]), k)


if __name__ == "__main__":
    _main()
