"""Geocoding of import rows through the BAN (Base Adresse Nationale) search endpoint.

Queries are deduplicated, looked up in a cache table of the store (so a re-import does not
ask again), then sent in batches through a small thread pool under a shared throttle.
The HTTP call is injectable (``fetch``); by default it is urllib with the configured timeout.
A failing service (timeouts, 429, 5xx) is retried, then given up for the rest of the run:
the caller falls back to the commune's reference point. Answers are (lat, lon) WGS84.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass

from finder.storage import geocode_cache
from finder.storage.store import Store

MIN_SCORE = 0.5
PRECISE_KINDS = ("housenumber", "street", "locality")


@dataclass(frozen=True)
class Query:
    address: str
    postcode: str
    insee: str
    commune_name: str = ""

    @property
    def key(self) -> str:
        text = f"{self.address}|{self.postcode}|{self.insee}".lower()
        return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Hit:
    lat: float
    lon: float
    score: float
    kind: str
    citycode: str


class Unavailable(Exception):
    """The service did not answer usably (network error, timeout, 429 or 5xx)."""


class Cache:
    """Answers of the BAN kept in the store (``finder.storage.geocode_cache``) as hits; MISS: found nothing."""

    MISS = "miss"

    def __init__(self, store: Store):
        self.store = store

    def get_many(self, keys: list[str]) -> dict[str, Hit | str]:
        """Known answers among ``keys``; a key never asked is absent."""
        known = geocode_cache.get_many(self.store, keys)
        return {k: Hit(*answer) if answer else self.MISS for k, answer in known.items()}

    def put_many(self, answers: dict[str, Hit | None]) -> None:
        geocode_cache.put_many(self.store, {k: astuple(h) if h else None for k, h in answers.items()})


class Throttle:
    """Spaces calls to the BAN: at most ``rate`` calls per second over all threads (callers wait)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self.clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self.sleep(slot - now)


def urllib_fetch(timeout: float) -> Callable[[str], dict]:
    def fetch(url: str) -> dict:
        request = urllib.request.Request(url, headers={"User-Agent": "spro-finder (import)"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return json.loads(answer.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            if err.code == 429 or err.code >= 500:
                raise Unavailable(f"HTTP {err.code}") from None
            return {"features": []}
        except (OSError, ValueError) as err:
            raise Unavailable(str(err)) from None

    return fetch


def search_endpoint(base_url: str) -> str:
    """The BAN search endpoint under the service root configured as BAN_URL."""
    return base_url.rstrip("/") + "/search/"


class BanClient:
    def __init__(
        self, base_url: str, fetch: Callable[[str], dict], retries: int = 2, backoff: float = 0.5, sleep=time.sleep
    ):
        self.url = search_endpoint(base_url)
        self.fetch = fetch
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    def request_url(self, q: Query) -> str:
        params = {"q": f"{q.address}, {q.postcode} {q.commune_name}".strip(), "postcode": q.postcode, "limit": "1"}
        return self.url + ("&" if "?" in self.url else "?") + urllib.parse.urlencode(params)

    def search(self, q: Query) -> Hit | None:
        url = self.request_url(q)
        for attempt in range(self.retries + 1):
            try:
                return parse_answer(self.fetch(url))
            except Unavailable:
                if attempt == self.retries:
                    raise
                self.sleep(self.backoff * (attempt + 1))
        return None  # pragma: no cover - the loop returns or raises


def parse_answer(body: dict) -> Hit | None:
    """The best feature of a BAN answer (GeoJSON, coordinates [lon, lat]), None when nothing usable."""
    try:
        feature = (body.get("features") or [None])[0]
        if not feature:
            return None
        lon, lat = feature["geometry"]["coordinates"][:2]
        p = feature.get("properties") or {}
        return Hit(float(lat), float(lon), float(p.get("score", 0)), str(p.get("type", "")), str(p.get("citycode", "")))
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        return None


@dataclass
class GeocodeOutcome:
    answers: dict[str, Hit | None]  # by query key; None: not found
    asked: int = 0  # requests made (cache misses)
    cached: int = 0
    unavailable: bool = False  # the service failed: unanswered keys are absent from ``answers``
    interrupted: bool = False  # the time budget ran out: unanswered keys are absent from ``answers``


def geocode_all(
    queries: Iterable[Query],
    client: BanClient,
    cache: Cache,
    throttle: Throttle,
    batch_size: int = 50,
    workers: int = 4,
    progress: Callable[[int, int], None] | None = None,
    deadline: float | None = None,
) -> GeocodeOutcome:
    """Geocode each distinct query once: cache first, then the BAN, batch by batch (cached as they come).

    ``deadline`` (time.monotonic()): no batch starts after it.
    """
    unique = {q.key: q for q in queries}
    known = cache.get_many(list(unique))
    out = GeocodeOutcome({k: (None if v == Cache.MISS else v) for k, v in known.items()}, cached=len(known))
    todo = [q for k, q in unique.items() if k not in known]
    done = 0
    if progress:
        progress(done, len(todo))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for i in range(0, len(todo), batch_size):
            if deadline is not None and time.monotonic() >= deadline:
                out.interrupted = True
                break
            batch = todo[i : i + batch_size]
            answers, failed = _batch(pool, client, throttle, batch)
            cache.put_many(answers)
            out.answers.update(answers)
            out.asked += len(batch)
            done += len(batch)
            if progress:
                progress(done, len(todo))
            if failed:
                out.unavailable = True
                break
    return out


_FAILED = object()


def _batch(pool, client: BanClient, throttle: Throttle, batch: list[Query]) -> tuple[dict[str, Hit | None], bool]:
    """Answers of the batch's queries that succeeded, and whether any failed."""

    def one(q: Query):
        throttle.wait()
        try:
            return q.key, client.search(q)
        except Unavailable:
            return q.key, _FAILED

    results = list(pool.map(one, batch))
    answers = {k: v for k, v in results if v is not _FAILED}
    return answers, len(answers) < len(results)
