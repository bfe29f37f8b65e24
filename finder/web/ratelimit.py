"""Token-bucket rate limiting per client, in a fixed table that worker processes share.

A client key (its address) hashes to one slot of a table of ``slots`` buckets; a bucket
holds the key's fingerprint, its tokens and the time they were counted. A request takes
one token; tokens come back at ``per_minute / 60`` per second up to ``burst``. Checking a
request is O(1): one hash, one read and one write of 20 bytes.

The table lives in an anonymous shared memory map. Created before gunicorn forks its
workers (``preload_app``), it is shared by all of them, so the limit holds for the whole
server rather than per worker. Time is ``time.monotonic``, system-wide on Linux.

Approximations, both lenient (a client is never refused wrongly):
- updates are not locked: two workers serving the same client at the same instant may
  lose one count;
- a different key landing on a taken slot replaces it with a full bucket (with 65,536
  slots and a 32-bit fingerprint, rare).
"""

from __future__ import annotations

import math
import mmap
import struct
import time
import zlib

_SLOT = struct.Struct("<Idd")  # fingerprint (crc32 of the key), tokens, last update (monotonic s)


class RateLimiter:
    def __init__(self, per_minute: float, burst: int, slots: int = 65536, clock=time.monotonic):
        if per_minute <= 0 or burst < 1 or slots < 1:
            raise ValueError("per_minute > 0, burst >= 1 and slots >= 1 are required")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.slots = slots
        self._clock = clock
        self._table = mmap.mmap(-1, slots * _SLOT.size)  # anonymous, MAP_SHARED: inherited by forks

    def hit(self, key: str) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until one is back."""
        fingerprint = zlib.crc32(key.encode())
        offset = (fingerprint % self.slots) * _SLOT.size
        owner, tokens, last = _SLOT.unpack_from(self._table, offset)
        now = self._clock()
        if owner != fingerprint or last == 0.0:
            tokens = self.burst
        else:
            tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            _SLOT.pack_into(self._table, offset, fingerprint, tokens - 1.0, now or 1e-9)
            return 0.0
        _SLOT.pack_into(self._table, offset, fingerprint, tokens, now or 1e-9)
        return (1.0 - tokens) / self.rate


def retry_after(wait_seconds: float) -> int:
    """Whole seconds for a Retry-After header (at least 1)."""
    return max(1, math.ceil(wait_seconds))
