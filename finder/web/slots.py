"""A bound on how many costly requests the whole server computes at once, across worker processes.

``Slots(n)`` is created before gunicorn forks (``preload_app``): an unlinked temporary file
whose descriptor every worker inherits, and one byte of it per slot. A request takes a
slot with a non-blocking POSIX record lock on its byte (``fcntl.lockf``), held by the
worker process: the kernel releases it when the worker ends, even killed mid-request, so a
slot can never leak. Such locks do not exclude threads of one process from each other, so
a per-process set (under a thread lock) keeps threaded servers within the bound too.
``acquire`` never waits: over the bound the caller answers at once (503, Retry-After),
so a sync worker is never tied up waiting and citizen search keeps its workers.
"""

from __future__ import annotations

import fcntl
import tempfile
import threading


class Slots:
    def __init__(self, n: int):
        if n < 1:
            raise ValueError("at least one slot")
        self.n = n
        self._file = tempfile.TemporaryFile()  # unlinked: nothing to clean up
        self._lock = threading.Lock()
        self._held: set[int] = set()  # slots held by this process's threads

    def acquire(self) -> int | None:
        """A free slot (to give back with ``release``), or None when all ``n`` are taken."""
        with self._lock:
            for slot in range(self.n):
                if slot in self._held:
                    continue
                try:
                    fcntl.lockf(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot)
                except OSError:  # held by another worker
                    continue
                self._held.add(slot)
                return slot
        return None

    def release(self, slot: int) -> None:
        with self._lock:
            fcntl.lockf(self._file.fileno(), fcntl.LOCK_UN, 1, slot)
            self._held.discard(slot)
