"""One way to send a file to download: body, file name and media type."""

from __future__ import annotations

from flask import current_app


def download(body: str | bytes, filename: str, mimetype: str):
    """An attachment; text is sent as UTF-8 with its charset."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    response = current_app.response_class(data, mimetype=mimetype)
    if mimetype.startswith("text/"):
        response.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
