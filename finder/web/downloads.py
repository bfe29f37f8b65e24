"""File downloads: one response for every export and report the app offers to save."""

from __future__ import annotations

from flask import Response, current_app


def download(body: str | bytes, filename: str, mimetype: str) -> Response:
    """``body`` as an attachment named ``filename``; text is sent as UTF-8 and says so.

    ``filename`` is built by the app (ASCII, no quotes), never taken from a request. Security
    headers (nosniff…) come from the HTTP policy like every response's.
    """
    data = body.encode("utf-8") if isinstance(body, str) else body
    response = current_app.response_class(data, mimetype=mimetype)
    if mimetype.startswith("text/"):
        response.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
