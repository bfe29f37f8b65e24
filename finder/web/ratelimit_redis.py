"""Token buckets kept in Redis, shared by every host: the other storage of ``finder.web.ratelimit``.

``SPRO_RATELIMIT_STORAGE_URL=redis://host:6379/0``. Each budget (API, costly pages, widget
counts) is a ``RedisRateLimiter`` with the ``hit(key)`` of the local table, so the HTTP policy
(which budget, which client key, exemptions) stays one implementation. A request is one
``EVALSHA`` of ``TAKE``: the bucket is read, refilled, debited and written in one atomic
step, on Redis's own clock (``TIME``), so hosts never disagree on time and two hosts serving
one client at the same instant never both spend its last token. The entry expires when
its bucket would be full again (nothing is forgotten by expiry, and no address stays in
Redis longer than that).

Redis down or slow (``RATELIMIT_STORAGE_TIMEOUT``, 0.1 s by default, no retry): the limiter
*degrades open* — the request is served, a warning is logged once per outage, the failure
and every unchecked request are counted in the metrics — and for
``RATELIMIT_STORAGE_RETRY_SECONDS`` requests are served without asking Redis (an outage
costs one timeout per second and per worker, not one per request); then it asks again,
and limits again as soon as Redis answers.

The client is created lazily in each worker process (no socket crosses gunicorn's fork).
"""

from __future__ import annotations

import logging
import os
import time

from finder.web import metrics

log = logging.getLogger(__name__)
PREFIX = "spro:rl:"

# KEYS[1] the bucket; ARGV: rate (tokens per second), burst. Returns the wait in seconds (a string: a
# Lua number would come back truncated to an integer), "0" when a token was taken.
TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'ms', 'tokens')
local tokens = burst
if state[1] then
  local elapsed = math.max(0, now - tonumber(state[1])) / 1000
  tokens = math.min(burst, tonumber(state[2]) + elapsed * rate)
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'ms', now, 'tokens', tokens)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return tostring(wait)
"""


class RedisBuckets:
    """The connection to Redis shared by a server's budgets, and its degraded-open state."""

    def __init__(self, url: str, timeout: float, retry_seconds: float, clock=time.monotonic):
        self.url = url
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self.down_since: float | None = None  # monotonic time of the first failure of the current outage
        self._paused_until = 0.0
        self._clock = clock
        self._client = None
        self._pid = None
        self._script = None

    def _connection(self):
        if self._client is None or self._pid != os.getpid():
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            self._client = redis.Redis.from_url(
                self.url,
                socket_timeout=self.timeout,
                socket_connect_timeout=self.timeout,
                retry=Retry(NoBackoff(), 0),
            )
            self._script = self._client.register_script(TAKE)  # EVALSHA; loaded again after a Redis restart
            self._pid = os.getpid()
        return self._client

    def take(self, budget: str, key: str, rate: float, burst: float) -> float:
        """One token of ``budget`` for ``key``: 0.0 when served, else the seconds to wait; 0.0 while Redis is down."""
        if self._paused_until and self._clock() < self._paused_until:
            metrics.UNCHECKED.labels(budget).inc()
            return 0.0
        try:
            client = self._connection()
            wait = float(self._script(keys=[f"{PREFIX}{budget}:{key}"], args=[rate, burst], client=client))
        except Exception as err:  # redis errors, timeouts, a refused connection: degrade open
            self._failed(budget, err)
            return 0.0
        if self.down_since is not None:
            log.warning("limite de débit partagée : Redis répond de nouveau (%s), limites rétablies", self.url)
            self.down_since = None
            self._paused_until = 0.0
        return wait

    def _failed(self, budget: str, err: Exception) -> None:
        now = self._clock()
        metrics.STORAGE_ERRORS.inc()
        metrics.UNCHECKED.labels(budget).inc()
        if self.down_since is None:
            self.down_since = now
            log.warning(
                "limite de débit partagée : Redis injoignable (%s : %s) ; requêtes servies sans limite, "
                "nouvel essai toutes les %g s",
                self.url,
                " ".join(str(err).split()) or type(err).__name__,
                self.retry_seconds,
            )
        self._paused_until = now + self.retry_seconds
        self._client = None  # a fresh connection at the next try

    def ping(self) -> bool:
        """Whether Redis answers now (at start-up: a warning, never a refusal to start)."""
        try:
            return bool(self._connection().ping())
        except Exception:
            return False


class RedisRateLimiter:
    """One budget's buckets in Redis: the ``hit(key)`` of ``finder.web.ratelimit.RateLimiter``."""

    def __init__(self, buckets: RedisBuckets, budget: str, per_minute: float, burst: int):
        if per_minute <= 0 or burst < 1:
            raise ValueError("per_minute > 0 and burst >= 1 are required")
        self.buckets = buckets
        self.budget = budget
        self.rate = per_minute / 60.0
        self.burst = float(burst)

    def hit(self, key: str) -> float:
        return self.buckets.take(self.budget, key, self.rate, self.burst)
