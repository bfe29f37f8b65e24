"""A progress bar for long command-line tasks, written to stderr (redrawn in place on a terminal)."""

from __future__ import annotations

import sys
import time


class Bar:
    def __init__(self, stream=None, width: int = 30, min_interval: float = 0.1):
        self.stream = stream or sys.stderr
        self.width = width
        self.min_interval = min_interval
        self._last = 0.0
        self._label = None

    def __call__(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = done >= total
        if label == self._label and not finished and now - self._last < self.min_interval:
            return
        self._last, self._label = now, label
        share = done / total if total else 1.0
        filled = int(round(share * self.width))
        line = f"{label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} ({share:.0%})"
        tty = getattr(self.stream, "isatty", lambda: False)()
        if tty:
            self.stream.write("\r" + line + ("\n" if finished else ""))
        elif finished or done == 0:
            self.stream.write(line + "\n")
        self.stream.flush()
