"""The nearest-site API served without Flask's per-request machinery.

``GET /api/v1/sites/nearest`` is the hot path of partner widgets and API clients. This
WSGI layer answers it with the very same core calls as the Flask view (``api.nearest_body``,
the same answer cache, rate limiter and header lists of ``http.HttpPolicy``), skipping only
Flask's request context, routing and hooks. Anything else — another path or method, bad
input (so errors keep one implementation), a rate-limited client — goes to Flask
unchanged. Tests compare both paths answer for answer.
"""

from __future__ import annotations

import gzip
from urllib.parse import parse_qsl

from finder.errors import FinderError
from finder.service.query import Args
from finder.web.api import nearest_body

PATH = "/api/v1/sites/nearest"
HANDLED = "spro.fastpath"  # environ flag: the rate limit was already counted here


class NearestFastPath:
    def __init__(self, wsgi_app, flask_app):
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app
        policy = flask_app.extensions["spro_http"]
        self.policy = policy
        self.cache = flask_app.extensions["spro_answers"]
        self.state = flask_app.extensions["spro"]
        self.headers = [("Content-Type", "application/geo+json"), *policy.api_headers]

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        environ[HANDLED] = True
        if self._limited(environ):
            return self.wsgi_app(environ, start_response)  # Flask answers the 429
        engine = self.state.engine
        qs = environ.get("QUERY_STRING", "")
        try:
            body = self.cache.get((engine.info.version, qs.encode("latin-1")), lambda: self._compute(engine, qs))
        except FinderError:
            return self.wsgi_app(environ, start_response)  # one implementation of error answers
        headers = list(self.headers)
        if len(body) >= self.policy.min_bytes:
            headers.append(("Vary", "Accept-Encoding"))
            if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
                body = gzip.compress(body, self.policy.level, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        start_response("200 OK", headers)
        return [body]

    @staticmethod
    def _compute(engine, qs: str) -> bytes:
        args = Args()
        # As werkzeug does: WSGI's latin-1 string back to bytes, then UTF-8.
        text = qs.encode("latin-1").decode("utf-8", "replace")
        for key, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
            args.setdefault(key, []).append(value)
        return nearest_body(engine, args)

    def _limited(self, environ) -> bool:
        limiter = self.policy.limiter
        if limiter is None:
            return False
        addr = environ.get("REMOTE_ADDR") or "-"
        if addr in self.policy.exempt:
            return False
        if limiter.hit(addr):
            environ[HANDLED] = "limited"
            return True
        return False
