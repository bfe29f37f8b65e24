"""The audit trail: logins, failures, lockouts, imports, publishes, rollbacks, prunes and restores.

One JSON object per line on the ``spro.audit`` logger (``{"ts", "event", …}``), written by
``to_stream`` to standard output for the app (collected with the server's logs) and to
standard error for a command (its standard output is its answer). Events are emitted
where the change is recorded (``Store.publish``, ``import_log.record``, ``Store.delete_versions``)
or, for logins, by the login view, so that every adapter's changes are traced alike.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys

LOGGER = "spro.audit"
log = logging.getLogger(LOGGER)


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        at = dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")
        body = {"ts": at, "event": record.getMessage(), **getattr(record, "audit", {})}
        return json.dumps(body, ensure_ascii=False, default=str)


def event(name: str, **fields) -> None:
    """Record one event (``name``: login, login_failed, lockout, import, publish, rollback, …)."""
    log.info(name, extra={"audit": fields})


class StdHandler(logging.StreamHandler):
    """Writes to ``sys.stdout`` or ``sys.stderr`` as they are when a line is written (not when created)."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    @property
    def stream(self):
        return getattr(sys, self.name)

    @stream.setter
    def stream(self, _value):
        pass


def to_stream(name: str) -> None:
    """Write the trail as JSON lines to ``"stdout"`` or ``"stderr"`` (one handler: a later call redirects it)."""
    for h in log.handlers:
        if isinstance(h, StdHandler):
            h.name = name
            return
    handler = StdHandler(name)
    handler.setFormatter(JsonLines())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
