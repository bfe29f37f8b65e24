"""CPython's cyclic garbage collector paused while an import builds its objects.

An import of 100,000 rows makes about a million container objects (cells, drafts, sites,
structures) that all live until it ends, and makes no reference cycles. The collector, run
every 700 allocations, walks the older ones again and again as they pile up: 3.7 s of the 19 s of
CPU of an import of 100,000 rows (``scripts/profile_import.py --no-gc-pause``), for nothing to collect.
Objects freed by reference counting are freed as before; only cyclic garbage waits for the end
of the pause, in the whole process (an app process's request threads too: the pause lasts as
long as the import's CPU-bound work, about 15 s at 100,000 rows).

``paused()`` nests and may be entered from several threads at once: the collector comes back
when the last pause ends, unless it was off before the first. ``resumed()`` turns it back on
for a wait (the BAN's answers) inside a pause.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_pauses = 0  # pauses in progress in this process
_enable_after = False  # whether the collector was on when the first of them began


@contextlib.contextmanager
def paused() -> Iterator[None]:
    global _pauses, _enable_after
    with _lock:
        if _pauses == 0:
            _enable_after = gc.isenabled()
        _pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _enable_after:
                gc.enable()


@contextlib.contextmanager
def resumed() -> Iterator[None]:
    """The collector on during the block when a pause turned it off (and off again after)."""
    with _lock:
        resume = _pauses > 0 and _enable_after and not gc.isenabled()
        if resume:
            gc.enable()
    try:
        yield
    finally:
        with _lock:
            if resume and _pauses > 0:
                gc.disable()
