"""JSON access logs for gunicorn: one JSON object per request on standard output.

``ACCESS_FORMAT`` is an ordinary gunicorn ``access_log_format`` written as JSON; ``JsonLogger``
escapes every value for JSON (gunicorn's own escaping only covers double quotes, so a
backslash or a control character in a user agent would break the line).
"""

from __future__ import annotations

import json

from gunicorn.glogging import Logger, SafeAtoms

ACCESS_FORMAT = (
    '{"ts": "%(t)s", "remote": "%(h)s", "forwarded_for": "%({x-forwarded-for}i)s", "method": "%(m)s", '
    '"path": "%(U)s", "query": "%(q)s", "status": %(s)s, "bytes": "%(b)s", "duration_ms": %(M)s, '
    '"referer": "%(f)s", "user_agent": "%(a)s", "pid": "%(p)s"}'
)


class JsonAtoms(SafeAtoms):
    """gunicorn's atoms, each string escaped for a JSON string (without its quotes)."""

    def __init__(self, atoms):
        dict.__init__(self)
        for key, value in atoms.items():
            self[key] = json.dumps(value, ensure_ascii=False)[1:-1] if isinstance(value, str) else value


class JsonLogger(Logger):
    atoms_wrapper_class = JsonAtoms
