"""Token-bucket rate limiting per client, in a fixed table that worker processes share.

A client is keyed by ``client_key``: an IPv4 address by itself, an IPv6 address by its /64
(one subscriber's whole prefix: 2^64 addresses are not 2^64 clients). A request takes one
token from the client's bucket; tokens come back at ``per_minute / 60`` per second up to
``burst``. Checking a request is O(1): one keyed hash, at most ``WAYS`` reads and one write.

The table is set-associative: a key hashes (BLAKE2b keyed with a secret drawn at start, so
nobody can aim at another client's set) to one set of ``WAYS`` buckets, each holding a
64-bit tag of the key, its tokens and the time they were counted. A key finds its own
bucket in its set; a new key takes a free bucket, or one that has refilled to ``burst``
(its owner would get a full bucket anyway: nothing is forgotten). When every bucket of
the set is in use, the new key *shares* one of them rather than evicting it: a collision
may slow two clients down together, it never hands out a fresh bucket (which would let a
client reset its own count by cycling addresses that collide with it).

The table lives in an anonymous shared memory map. Created before gunicorn forks its
workers (``preload_app``), it is shared by all of them, so the limit holds for the whole
server rather than per worker. Time is ``time.monotonic``, system-wide on Linux.
Updates are not locked: two workers serving the same client at the same instant may lose
one count (lenient: a race can only let a request through).

That table is one server's. Several hosts behind a load balancer keep their buckets in Redis
instead (``RATELIMIT_STORAGE_URL``, ``finder.web.ratelimit_redis``): ``Budgets`` gives each
named budget the storage configured, with the same ``hit(key)``, so the policy that picks
the budget and the client key (``finder.web.http``) is written once.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import mmap
import os
import struct
import time

from finder.web import metrics

_SLOT = struct.Struct("<Qdd")  # tag (keyed hash of the client key, 0 = free), tokens, last update (monotonic s)
WAYS = 4
MAX_KEY = 100  # an unparsable "address" (a proxy's X-Forwarded-For) is cut to this length


def client_key(address: str) -> str:
    """Who a request comes from: an IPv4 address, an IPv6 /64 (IPv4-mapped IPv6 as IPv4)."""
    if ":" not in address:
        return address[:MAX_KEY]
    try:
        ip = ipaddress.IPv6Address(address.split("%", 1)[0])
    except ValueError:
        return address[:MAX_KEY]
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return f"{ipaddress.IPv6Address(ip.packed[:8] + bytes(8))}/64"


class RateLimiter:
    def __init__(self, per_minute: float, burst: int, slots: int = 65536, clock=time.monotonic):
        if per_minute <= 0 or burst < 1 or slots < 1:
            raise ValueError("per_minute > 0, burst >= 1 and slots >= 1 are required")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.ways = min(WAYS, slots)
        self.sets = slots // self.ways
        self._clock = clock
        self._secret = os.urandom(16)  # drawn before the fork: every worker hashes alike
        self._table = mmap.mmap(-1, self.sets * self.ways * _SLOT.size)  # anonymous, MAP_SHARED: inherited

    def locate(self, key: str) -> tuple[int, int]:
        """(set, tag) of a key; the tag is never 0 (a free bucket)."""
        digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8, key=self._secret).digest(), "little")
        return digest % self.sets, digest | 1

    def hit(self, key: str) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until one is back."""
        index, tag = self.locate(key)
        now = self._clock() or 1e-9
        offset, owner, tokens = self._bucket(index * self.ways * _SLOT.size, tag, now)
        if tokens >= 1.0:
            _SLOT.pack_into(self._table, offset, owner, tokens - 1.0, now)
            return 0.0
        _SLOT.pack_into(self._table, offset, owner, tokens, now)
        return (1.0 - tokens) / self.rate

    def _bucket(self, base: int, tag: int, now: float) -> tuple[int, int, float]:
        """(offset, owner tag, tokens now) of the bucket this request counts against."""
        reusable = None
        for way in range(self.ways):
            offset = base + way * _SLOT.size
            owner, tokens, last = _SLOT.unpack_from(self._table, offset)
            if owner == tag:
                return offset, tag, self._refill(tokens, last, now)
            if reusable is None and (owner == 0 or self._refill(tokens, last, now) >= self.burst):
                reusable = offset
        if reusable is not None:  # a free bucket, or one whose owner would find it full anyway
            return reusable, tag, self.burst
        offset = base + (tag >> 1) % self.ways * _SLOT.size  # a full set: share a bucket, never a fresh one
        owner, tokens, last = _SLOT.unpack_from(self._table, offset)
        return offset, owner, self._refill(tokens, last, now)

    def _refill(self, tokens: float, last: float, now: float) -> float:
        return min(self.burst, tokens + max(0.0, now - last) * self.rate)


def retry_after(wait_seconds: float) -> int:
    """Whole seconds for a Retry-After header (at least 1)."""
    return max(1, math.ceil(wait_seconds))


class Budget:
    """A named budget over one storage of buckets: ``hit(key)`` as the storage's, refusals counted."""

    __slots__ = ("_hit", "_refused", "name")

    def __init__(self, name: str, limiter):
        self.name = name
        self._hit = limiter.hit
        self._refused = metrics.REFUSALS.labels(name)

    def hit(self, key: str) -> float:
        wait = self._hit(key)
        if wait:
            self._refused.inc()
        return wait


class Budgets:
    """Where a server keeps its buckets: a shared-memory table per budget (one server, the default),
    or Redis when RATELIMIT_STORAGE_URL is set (every host). Created before gunicorn forks."""

    def __init__(self, config):
        self.slots = config["RATELIMIT_SLOTS"]
        self.shared = None
        url = config.get("RATELIMIT_STORAGE_URL")
        if url:
            from finder.web.ratelimit_redis import RedisBuckets

            self.shared = RedisBuckets(
                url, config["RATELIMIT_STORAGE_TIMEOUT"], config["RATELIMIT_STORAGE_RETRY_SECONDS"]
            )

    def budget(self, name: str, per_minute: float, burst: int) -> Budget:
        if self.shared is None:
            return Budget(name, RateLimiter(per_minute, burst, self.slots))
        from finder.web.ratelimit_redis import RedisRateLimiter

        return Budget(name, RedisRateLimiter(self.shared, name, per_minute, burst))
