"""Token bucket: burst, refill, per-key isolation, shared across forked processes; clients keyed by /64."""

from __future__ import annotations

import itertools
import os
import zlib

import pytest

from finder.web import ratelimit
from finder.web.ratelimit import RateLimiter, retry_after
from tests.conftest import make_app


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_burst_then_refill():
    clock = Clock()
    rl = RateLimiter(per_minute=60, burst=3, slots=64, clock=clock)
    assert [rl.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = rl.hit("a")
    assert wait == pytest.approx(1.0)
    clock.t += 0.5
    assert rl.hit("a") == pytest.approx(0.5)
    clock.t += 0.5
    assert rl.hit("a") == 0.0
    clock.t += 3600
    assert [rl.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]  # never more than the burst
    assert rl.hit("a") > 0


def test_clients_are_independent():
    clock = Clock()
    rl = RateLimiter(per_minute=60, burst=1, slots=4096, clock=clock)
    assert rl.hit("198.51.100.1") == 0.0
    assert rl.hit("198.51.100.1") > 0
    assert rl.hit("198.51.100.2") == 0.0


def test_a_collision_never_grants_a_fresh_bucket():
    clock = Clock()
    rl = RateLimiter(per_minute=60, burst=2, slots=1, clock=clock)  # every key lands on one bucket
    assert [rl.hit("a"), rl.hit("a")] == [0.0, 0.0]
    assert rl.hit("b") > 0, "b shares a's empty bucket instead of taking it over full"
    assert rl.hit("a") > 0, "and a's count was not reset by b"
    clock.t += 3600  # a's bucket is full again: b may take it, nothing is forgotten
    assert [rl.hit("b"), rl.hit("b"), rl.hit("b") > 0] == [0.0, 0.0, True]


def _colliding(slots: int, same) -> tuple[str, str]:
    """Two addresses of different clients that land on the same slot or set (``same(a, b)``)."""
    addresses = (f"198.51.{i // 256}.{i % 256}" for i in range(65536))
    return next((a, b) for a, b in itertools.combinations(addresses, 2) if same(a, b))


@pytest.mark.parametrize("scheme", ["crc32 slot of the first table", "keyed set of this table"])
def test_two_colliding_addresses_cannot_reset_each_other(scheme):
    rl = RateLimiter(per_minute=60, burst=20, slots=64, clock=Clock())
    if scheme.startswith("crc32"):  # issue 15: these two reset each other's bucket, 100 of 100 passed
        a, b = _colliding(64, lambda a, b: zlib.crc32(a.encode()) % 64 == zlib.crc32(b.encode()) % 64)
    else:
        a, b = _colliding(64, lambda a, b: rl.locate(a)[0] == rl.locate(b)[0])
    passed = sum(rl.hit(key) == 0.0 for key in [a, b] * 50)
    assert passed <= 2 * 20, f"{passed} of 100 passed"


def test_a_full_set_shares_a_bucket():
    rl = RateLimiter(per_minute=60, burst=3, slots=4, clock=Clock())  # one set of 4 buckets
    for key in "abcd":
        assert [rl.hit(key) for _ in range(3)] == [0.0] * 3  # four clients, four buckets
    assert rl.hit("e") > 0, "a fifth client shares an emptied bucket"


@pytest.mark.parametrize(
    "address, key",
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:0:0:0:FFFF", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("not an address", "not an address"),
        ("x:" * 200, ("x:" * 200)[:100]),
    ],
)
def test_client_key(address, key):
    assert ratelimit.client_key(address) == key


def test_sixty_addresses_of_one_ipv6_64_share_one_bucket(tmp_path):
    c = make_app(tmp_path, RATELIMIT_PER_MINUTE=1, RATELIMIT_BURST=20).test_client()
    codes = [
        c.get("/api/v1/vocabularies", environ_base={"REMOTE_ADDR": f"2001:db8:aa:bb::{i:x}"}).status_code
        for i in range(60)
    ]
    assert codes.count(200) == 20 and codes.count(429) == 40
    other_64 = c.get("/api/v1/vocabularies", environ_base={"REMOTE_ADDR": "2001:db8:aa:bc::1"})
    other_v4 = c.get("/api/v1/vocabularies", environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other_64.status_code == other_v4.status_code == 200


def test_the_table_is_shared_with_forked_workers():
    rl = RateLimiter(per_minute=1, burst=2, slots=64)
    assert rl.hit("client") == 0.0
    pid = os.fork()
    if pid == 0:  # a worker forked after the limiter was created, as gunicorn's preload does
        os._exit(0 if rl.hit("client") == 0.0 else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert rl.hit("client") > 0  # the child's token is gone for the parent too


@pytest.mark.parametrize("wait, seconds", [(0.01, 1), (1.0, 1), (1.2, 2), (59.5, 60)])
def test_retry_after_is_whole_seconds(wait, seconds):
    assert retry_after(wait) == seconds


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        RateLimiter(per_minute=0, burst=1)
