"""Prometheus metrics of a server, aggregated across its gunicorn workers: ``GET /metrics``.

prometheus_client in multiprocess mode: each worker writes its values into memory-mapped
files of its own under ``PROMETHEUS_MULTIPROC_DIR`` (the gunicorn settings,
``finder.web.gunicorn_conf``, set it up before the app is imported, empty it at start and
drop a dead worker's live gauges), and a scrape sums every file. Without that folder (the
development server, tests) the values live in this process.

What is measured:
- ``spro_http_requests_total{route, method, status}`` and the latency histogram
  ``spro_http_request_duration_seconds{route}`` — by route *rule* (``/lieux/<site_id>``),
  never the raw path, so a scan of random URLs cannot grow the series (unmatched paths are
  one ``route="-"``). Recorded by one WSGI layer around the app and the nearest fast path
  (``Recorder``): a dict look-up, a counter and a histogram per request;
- ``spro_directory_version`` (per live worker), ``spro_reload_failing`` (1 while a live worker's
  last reload failed) and ``spro_reload_failures_total`` (times a worker's reload started to fail);
- ``spro_ratelimit_refusals_total{budget}``, ``spro_ratelimit_storage_errors_total`` (Redis
  calls that failed) and ``spro_ratelimit_unchecked_total{budget}`` (requests let through
  unchecked while the shared storage was down).

Access is limited to ``METRICS_ALLOWED`` networks (loopback by default): the figures tell
traffic volumes, error rates and worker pids to whoever reads them, and a scrape reads a
file per worker ever started — not something to offer the internet. The address checked
is the client's as the app sees it (``X-Forwarded-For`` only through ``TRUSTED_PROXIES``);
the shipped nginx site refuses ``/metrics`` too: Prometheus scrapes each app server directly.
"""

from __future__ import annotations

import ipaddress
import os
import time

from flask import Blueprint, Flask, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
ROUTE = "spro.route"  # environ key: the route rule that answered (set by a hook or the fast path)
UNMATCHED = "-"
METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"})
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

disable_created_metrics()  # no *_created series (multiprocess mode has none either)
REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "spro_http_requests", "Requests answered, by route rule, method and status.", ["route", "method", "status"],
    registry=REGISTRY,
)  # fmt: skip
LATENCY = Histogram(
    "spro_http_request_duration_seconds", "Time to answer (until the body is handed to the server), by route rule.",
    ["route"], buckets=BUCKETS, registry=REGISTRY,
)  # fmt: skip
RELOAD_FAILURES = Counter(
    "spro_reload_failures", "Times a worker's reload of the published version started to fail.", registry=REGISTRY
)
REFUSALS = Counter("spro_ratelimit_refusals", "Requests refused by a rate budget.", ["budget"], registry=REGISTRY)
STORAGE_ERRORS = Counter(
    "spro_ratelimit_storage_errors", "Calls to the shared rate-limit storage (Redis) that failed.", registry=REGISTRY
)
UNCHECKED = Counter(
    "spro_ratelimit_unchecked",
    "Requests let through without a check while the shared rate-limit storage was unreachable.",
    ["budget"],
    registry=REGISTRY,
)

bp = Blueprint("metrics", __name__)


def allowed(address: str | None, nets) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in nets)


class Observed:
    """What a worker last reported of its served state, so gauges are written only on a change.

    The gauges are made on the first report, in the worker: made at import, they would give the
    gunicorn master (alive, serving nothing) a series of its own.
    """

    def __init__(self):
        self.version = None
        self.failing = None
        self._gauges = None

    def served(self, version: int, reload_error: str | None) -> None:
        if self._gauges is None:
            self._gauges = (
                Gauge("spro_directory_version", "Directory version a worker serves.", multiprocess_mode="liveall",
                      registry=REGISTRY),
                Gauge("spro_reload_failing", "1 while the last reload of a live worker failed.",
                      multiprocess_mode="livemax", registry=REGISTRY),
            )  # fmt: skip
        if version != self.version:
            self.version = version
            self._gauges[0].set(version)
        failing = reload_error is not None
        if failing != self.failing:
            if failing:
                RELOAD_FAILURES.inc()
            self.failing = failing
            self._gauges[1].set(1 if failing else 0)


OBSERVED = Observed()


class Recorder:
    """WSGI layer: counts every answer and its latency by route rule (Flask's and the fast path's alike)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self._children: dict[tuple, tuple] = {}

    def __call__(self, environ, start_response):
        start = time.perf_counter()
        seen = []

        def recording_start_response(status, headers, exc_info=None):
            seen.append(status)
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, recording_start_response)
        finally:
            self.record(environ, seen[-1][:3] if seen else "500", time.perf_counter() - start)

    def record(self, environ, status: str, seconds: float) -> None:
        method = environ.get("REQUEST_METHOD", "")
        key = (environ.get(ROUTE, UNMATCHED), method, status)
        children = self._children.get(key)
        if children is None:
            route = key[0]
            children = (
                REQUESTS.labels(route, method if method in METHODS else "other", status),
                LATENCY.labels(route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


def _route() -> None:
    """before_request (registered first): the rule that matched, for the Recorder."""
    rule = request.url_rule
    request.environ[ROUTE] = rule.rule if rule is not None else UNMATCHED


def _served(response):
    """after_request: the version this request served (when it pinned one) and the reload state."""
    catalog = g.get("spro_catalog")
    if catalog is not None:
        OBSERVED.served(catalog.version, current_app.extensions["spro"].reload_error)
    return response


@bp.get("/metrics")
def scrape():
    if not allowed(request.remote_addr, current_app.config["METRICS_ALLOWED"]):
        return current_app.response_class("Accès réservé à la supervision.\n", 403, mimetype="text/plain")
    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)
        data = generate_latest(registry)
    else:
        data = generate_latest(REGISTRY)
    response = current_app.response_class(data, content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the hooks (call it before any other before_request hook is added) and ``/metrics``."""
    app.before_request(_route)
    app.after_request(_served)
    app.register_blueprint(bp)
