"""Errors of the core, each carrying an HTTP status and a French message.

The web layer turns any FinderError into ``{"error": {"code", "field", "message",
"allowed"?}}`` with one handler; the CLI prints the message.
"""

from __future__ import annotations


class FinderError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None, allowed=None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.allowed = list(allowed) if allowed is not None else None
        if code:
            self.code = code

    def as_json(self) -> dict:
        body = {"code": self.code, "field": self.field, "message": self.message}
        if self.allowed is not None:
            body["allowed"] = self.allowed
        return {"error": body}


class InvalidParameter(FinderError):
    code = "invalid_parameter"


class MissingParameter(FinderError):
    code = "missing_parameter"


class NotFound(FinderError):
    status = 404
    code = "not_found"


class StoreError(FinderError):
    status = 503
    code = "store_unavailable"
