"""Token bucket: burst, refill, per-key isolation, shared across forked processes."""

from __future__ import annotations

import os

import pytest

from finder.web.ratelimit import RateLimiter, retry_after


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


def test_a_collision_only_ever_lets_through():
    clock = Clock()
    rl = RateLimiter(per_minute=60, burst=1, slots=1, clock=clock)  # every key shares one slot
    assert rl.hit("a") == 0.0
    assert rl.hit("b") == 0.0  # b takes the slot over with a full bucket
    assert rl.hit("b") > 0


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
