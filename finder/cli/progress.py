"""The progress bar of long command-line tasks, written to stderr.

On a terminal the bar is redrawn in place (at most every ``min_interval`` seconds); elsewhere
(a log file, a pipe) only the start and the end of each stage are written, one line each.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


class Bar:
    def __init__(self, stream=None, width: int = 30, min_interval: float = 0.1):
        self.stream = stream or sys.stderr
        self.width = width
        self.min_interval = min_interval
        self._last = 0.0
        self._label = None

    def __call__(self, label: str, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` steps of the stage ``label`` are done."""
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

    def stage(self, label: str) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback drawing this bar under ``label``."""
        return lambda done, total: self(label, done, total)
