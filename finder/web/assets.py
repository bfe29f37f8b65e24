"""Static files: fingerprinted URLs, served from memory, cached for a year.

Every file under ``static/`` is read once at app creation. ``url_for('static', filename=...)``
gives a fingerprinted name: the first 10 hex digits of the content's SHA-256 before the
extension (``css/app.css`` -> ``css/app.3f2a1b9c0d.css``), so a changed file gets a new URL.
A fingerprinted URL whose digest matches is answered with ``Cache-Control: public,
max-age=31536000, immutable``; a plain name (``/static/embed.js``, which partner pages load
by a stable address, images that stylesheets name relatively) or an outdated digest is
answered with ``no-cache`` and a weak ETag, so browsers revalidate (304). Compression is the
HTTP policy's (finder.web.http): these answers carry an ETag, so each gzip is made once.

Files are read at start-up: a file changed on disk is served after a restart.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, request
from markupsafe import Markup
from werkzeug.exceptions import NotFound

DIGEST_LENGTH = 10
FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
mimetypes.add_type("text/javascript", ".js")  # the registered type (RFC 9239), whatever the platform says


@dataclass(frozen=True)
class Asset:
    name: str  # path under static/, with "/"
    data: bytes
    digest: str
    mimetype: str

    @property
    def fingerprinted(self) -> str:
        """``css/app.css`` -> ``css/app.<digest>.css``; a name without extension stays as it is."""
        folder, _, base = self.name.rpartition("/")
        stem, dot, ext = base.rpartition(".")
        if not dot or not stem:
            return self.name
        return f"{folder}/{stem}.{self.digest}.{ext}" if folder else f"{stem}.{self.digest}.{ext}"


class Assets:
    def __init__(self, folder: Path):
        self.files: dict[str, Asset] = {}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.files[name] = Asset(name, data, digest, mimetype)

    def url_name(self, filename: str) -> str:
        """The fingerprinted name of a known file (the name itself otherwise)."""
        asset = self.files.get(filename)
        return asset.fingerprinted if asset else filename

    def find(self, requested: str) -> tuple[Asset, bool] | None:
        """(asset, immutable) for a requested name: immutable when its fingerprint is current."""
        asset = self.files.get(requested)
        if asset is not None:
            return asset, False
        m = FINGERPRINTED.match(requested)
        if m is None:
            return None
        asset = self.files.get(m["stem"] + m["ext"])
        if asset is None:
            return None
        return asset, asset.digest == m["digest"]


def serve(filename: str):
    """The ``static`` endpoint."""
    assets: Assets = current_app.extensions["spro_assets"]
    found = assets.find(filename)
    if found is None:
        raise NotFound()
    asset, immutable = found
    response = current_app.response_class(mimetype=asset.mimetype)
    response.set_etag(asset.digest, weak=True)
    response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
    if request.if_none_match.contains_weak(asset.digest):
        response.status_code = 304
        response.vary.add("Accept-Encoding")  # as the 200 answer would say (finder.web.http)
        return response
    response.set_data(asset.data)
    return response


def inline_css(name: str) -> Markup:
    """Template global: a stylesheet as a <style> element. The citizen pages inline their small
    stylesheet: on a slow network, one round trip less before the results show."""
    text = current_app.extensions["spro_assets"].files[name].data.decode("utf-8")
    if "</" in text:
        raise ValueError(f"{name} cannot be inlined: it contains '</'")
    return Markup(f"<style>{text}</style>")


def init_app(app: Flask, folder: Path) -> Assets:
    """Serve ``folder`` at /static/ (endpoint ``static``) and fingerprint its URLs."""
    assets = Assets(folder)
    app.extensions["spro_assets"] = assets
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=serve)
    app.jinja_env.globals["inline_css"] = inline_css

    @app.url_defaults
    def fingerprint(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = assets.url_name(values["filename"])

    return assets
