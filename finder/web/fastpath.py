"""The nearest-site API served without Flask's per-request machinery.

``GET /api/v1/sites/nearest`` is the hot path of partner widgets and API clients. This
WSGI layer answers it with the very same calls as the Flask view: the core function
(``finder.service.nearest.body``), the answer cache and the HTTP policy
(``finder.web.http.HttpPolicy``: rate limit, gzip negotiation, header lists), skipping
only Flask's request context, routing and hooks. Anything else — another path or method,
bad input (so errors keep one implementation), a rate-limited client — goes to Flask,
which finds the request already counted. Tests compare both paths answer for answer,
with the answer cache off.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from finder.errors import FinderError
from finder.service import nearest
from finder.service.params import Args
from finder.web.http import COUNTED, GEOJSON
from finder.web.metrics import OBSERVED, ROUTE

PATH = "/api/v1/sites/nearest"


def query_args(qs: str) -> Args:
    """WSGI's QUERY_STRING as werkzeug reads it: latin-1 string back to bytes, then UTF-8."""
    args = Args()
    text = qs.encode("latin-1").decode("utf-8", "replace")
    for key, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
        args.setdefault(key, []).append(value)
    return args


class NearestFastPath:
    def __init__(self, wsgi_app, flask_app):
        self.wsgi_app = wsgi_app
        self.policy = flask_app.extensions["spro_http"]
        self.cache = flask_app.extensions["spro_answers"]
        self.state = flask_app.extensions["spro"]
        self.headers = [("Content-Type", GEOJSON), *self.policy.api_headers]

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        environ[ROUTE] = PATH  # the route rule, for the metrics (Flask names it again if it answers)
        wait = environ[COUNTED] = self.policy.limit(PATH, environ.get("REMOTE_ADDR"))
        if wait:
            return self.wsgi_app(environ, start_response)  # Flask answers the 429
        catalog = self.state.catalog
        OBSERVED.served(catalog.version, self.state.reload_error)
        qs = environ.get("QUERY_STRING", "")
        key = (catalog.version, catalog.content_id, qs.encode("latin-1"))  # the same key as the Flask view's
        try:
            body = self.cache.get(key, lambda: nearest.body(catalog, query_args(qs)))
        except FinderError:
            return self.wsgi_app(environ, start_response)  # one implementation of error answers
        body, extra = self.policy.encode(body, environ.get("HTTP_ACCEPT_ENCODING"))
        secure = self.policy.secure_headers(environ.get("wsgi.url_scheme"))
        headers = [*self.headers, *secure, *extra, ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body]
