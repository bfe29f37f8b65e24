"""HTTP behaviour shared by every answer.

- security headers on everything (CSP, nosniff, Referrer-Policy); pages refuse framing
  by other sites (``frame-ancestors 'self'``) except the widget under ``/embed``, which any
  origin may frame by default, or only the configured ones;
- CORS open for GET on ``/api/``, and per-client rate limiting there (429 + Retry-After), the
  buckets kept in shared memory or, for several hosts, in Redis (finder.web.ratelimit.Budgets);
- the costly pages (coverage maps and exports, planning, bilan, ZIPs of posters: ``HEAVY_PREFIXES``): their
  own, lower per-client budget (HEAVY_PAGES_PER_MINUTE, HEAVY_PAGES_BURST), and at most
  HEAVY_PAGES_CONCURRENCY of them computed at once in the whole server (finder.web.slots):
  over the bound, a French 503 page with Retry-After, so citizen search keeps its workers;
- HSTS on every answer to an HTTPS request (behind TRUSTED_PROXIES too: the scheme then
  comes from X-Forwarded-Proto);
- ETag / Cache-Control and 304 on revalidation for views decorated with ``cacheable``;
- gzip of large answers when the client accepts it: JSON, pages, stylesheets, scripts, SVG and CSV
  (answers with an ETag, such as static files, are compressed once and the result memoised).

Everything is computed at app creation (header lists, CSP halves, the 429 body); the
hooks only pick a precomputed list and do O(1) work, since they run on every request.

The policy is written once, as methods taking plain values (a path, an address, an
``Accept-Encoding`` header): the Flask hooks and the nearest fast path (finder.web.fastpath)
both call them, so the two paths cannot drift.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, render_template, request
from werkzeug.http import quote_etag
from werkzeug.middleware.proxy_fix import ProxyFix

from finder import __version__
from finder.present.geojson import dumps
from finder.web.ratelimit import Budgets, client_key, retry_after
from finder.web.slots import Slots

log = logging.getLogger(__name__)
API_PREFIX = "/api/"
HEAVY_PREFIXES = ("/couverture", "/bilan", "/affiches/")  # per profile (posters: per commune of an area)
BUSY_RETRY_SECONDS = 5
HEAVY_SLOT = "spro_heavy_slot"  # flask.g: the slot this request holds
EMBED_PREFIX = "/embed"
GEOJSON = "application/geo+json"
JSON_TYPES = frozenset({"application/json", GEOJSON})
COMPRESSIBLE = JSON_TYPES | {
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/svg+xml",
    "text/csv",
    "text/plain",
}
GZIP_CACHE_SIZE = 256
COUNTED = "spro.ratelimit"  # environ key: the fast path already counted this request (its wait, 0.0 = served)
VARY = ("Vary", "Accept-Encoding")
GZIPPED = ("Content-Encoding", "gzip")
RATE_LIMITED = {
    "error": {
        "code": "rate_limited",
        "field": None,
        "message": "Trop de requêtes depuis votre adresse : réessayez dans quelques instants.",
    }
}
MESSAGES = {
    429: "Trop de requêtes depuis votre adresse pour les cartes, bilans et archives d'affiches : "
    "réessayez dans {seconds} secondes.",
    503: "Le service calcule déjà d'autres cartes, bilans ou archives d'affiches : réessayez dans quelques secondes. "
    "La recherche des lieux d'accueil reste disponible.",
}
PREFLIGHT = (
    ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
    ("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Type, If-None-Match"),
    ("Access-Control-Max-Age", "86400"),
)


def tiles_source(tiles_url: str) -> str:
    """CSP source of the map tiles: scheme and host of TILES_URL, ``{s}`` subdomains as ``*``."""
    parts = urlsplit(tiles_url.replace("{s}", "x-s-x"))
    return f"{parts.scheme}://{parts.netloc.replace('x-s-x', '*')}"


def page_csp(tiles: str, ancestors: str) -> tuple[str, str]:
    """A page's CSP in two halves, so a per-request script nonce goes between them."""
    head = "default-src 'self'; script-src 'self'"
    tail = (
        "; style-src 'self' 'unsafe-inline'"
        f"; img-src 'self' data: {tiles}"
        "; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'"
        "; form-action 'self'; frame-src 'self'"
        f"; frame-ancestors {ancestors}"
    )
    return head, tail


def csp_nonce() -> str:
    """Template global: the request's script nonce (created on first use, added to the CSP)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return nonce


def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header accepts gzip (RFC 9110 §12.5.3, with q-values).

    ``gzip`` (or its alias ``x-gzip``) listed with q > 0, or not listed but ``*`` with q > 0.
    ``gzip;q=0`` refuses it; ``identity`` alone or no header: no compression.
    """
    if not header:
        return False
    explicit = star = None
    for item in header.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        if coding in ("gzip", "x-gzip"):
            explicit = q if explicit is None else max(explicit, q)
        elif coding == "*":
            star = q
    quality = explicit if explicit is not None else star
    return quality is not None and quality > 0


class HttpPolicy:
    def __init__(self, config):
        tiles = tiles_source(config["TILES_URL"])
        common = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "strict-origin-when-cross-origin"))
        self.api_headers = common + (
            ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", "ETag, Retry-After"),
        )
        self.page_headers = common + (("X-Frame-Options", "SAMEORIGIN"),)
        self.embed_headers = common
        self.page_csp = page_csp(tiles, "'self'")
        allowed = config["EMBED_FRAME_ANCESTORS"]  # an allow-list keeps 'self' for the configurator's preview
        self.embed_csp = page_csp(tiles, "*" if "*" in allowed else " ".join(("'self'",) + tuple(allowed)))
        self.min_bytes = config["COMPRESS_MIN_BYTES"]
        self.level = config["COMPRESS_LEVEL"]
        self.max_age = config["CACHE_MAX_AGE"]
        self.limiter = self.heavy_limiter = None
        self.exempt = config["RATELIMIT_EXEMPT"]
        self.budgets = Budgets(config)  # shared memory (one server) or Redis (every host)
        if config["RATELIMIT_ENABLED"]:
            self.limiter = self.budgets.budget("api", config["RATELIMIT_PER_MINUTE"], config["RATELIMIT_BURST"])
            self.heavy_limiter = self.budgets.budget(
                "heavy", config["HEAVY_PAGES_PER_MINUTE"], config["HEAVY_PAGES_BURST"]
            )
        self.heavy_slots = Slots(config["HEAVY_PAGES_CONCURRENCY"])
        hsts = config["HSTS_MAX_AGE"]
        self.hsts = ("Strict-Transport-Security", f"max-age={hsts}") if hsts else None
        self.rate_limited_body = dumps(RATE_LIMITED).encode()
        self._gzipped: dict[str, bytes] = {}
        self._accepts: dict[str, bool] = {}

    # -- the policy, on plain values -------------------------------------------------------
    def limit(self, path: str, address: str | None) -> float:
        """Count one request: 0.0 when served, else the seconds to wait (the API and the costly pages only)."""
        if path.startswith(API_PREFIX):
            limiter = self.limiter
        elif path.startswith(HEAVY_PREFIXES):
            limiter = self.heavy_limiter
        else:
            return 0.0
        address = address or "-"
        if limiter is None or address in self.exempt:
            return 0.0
        return limiter.hit(client_key(address))

    def secure_headers(self, scheme: str | None) -> list:
        """HSTS for an answer to an HTTPS request (the scheme as the client used it)."""
        return [self.hsts] if self.hsts and scheme == "https" else []

    def gzip(self, accept_encoding: str | None) -> bool:
        """Whether to gzip a large enough answer for this ``Accept-Encoding`` (memoised)."""
        header = accept_encoding or ""
        ok = self._accepts.get(header)
        if ok is None:
            ok = accepts_gzip(header)
            if len(self._accepts) >= GZIP_CACHE_SIZE:
                self._accepts.clear()
            self._accepts[header] = ok
        return ok

    def encode(self, body: bytes, accept_encoding: str | None, etag: str | None = None) -> tuple[bytes, list]:
        """A 200 body of a compressible type as sent, and the headers it adds (Vary, Content-Encoding).

        With an ``etag``, the gzipped bytes are memoised under it (static files, cacheable answers)."""
        if len(body) < self.min_bytes:
            return body, []
        if not self.gzip(accept_encoding):
            return body, [VARY]
        gzipped = self._gzipped.get(etag) if etag else None
        if gzipped is None:
            gzipped = gzip.compress(body, self.level, mtime=0)
            if etag:
                if len(self._gzipped) >= GZIP_CACHE_SIZE:
                    self._gzipped.clear()
                self._gzipped[etag] = gzipped
        return gzipped, [VARY, GZIPPED]

    # -- Flask hooks -----------------------------------------------------------------------
    def before(self):
        environ = request.environ
        wait = environ[COUNTED] if COUNTED in environ else self.limit(request.path, request.remote_addr)
        if wait:
            return self._refused(429, retry_after(wait))
        if request.path.startswith(HEAVY_PREFIXES):
            slot = self.heavy_slots.acquire()
            if slot is None:
                return self._refused(503, BUSY_RETRY_SECONDS)
            setattr(g, HEAVY_SLOT, slot)
        return None

    def release(self, _error=None) -> None:
        """teardown_request: give back the costly-page slot this request held (if any)."""
        slot = g.pop(HEAVY_SLOT, None)
        if slot is not None:
            self.heavy_slots.release(slot)

    def _refused(self, status: int, seconds: int):
        if request.path.startswith(API_PREFIX):
            response = current_app.response_class(self.rate_limited_body, status, mimetype="application/json")
        else:
            page = render_template("error.html", status=status, message=MESSAGES[status].format(seconds=seconds))
            response = current_app.make_response((page, status))
        response.headers["Retry-After"] = str(seconds)
        return response

    def after(self, response):
        path = request.path
        headers = response.headers
        for key, value in self.secure_headers(request.scheme):
            headers[key] = value
        if path.startswith(API_PREFIX):
            headers.extend(self.api_headers)  # API views never set these: no duplicates
            if request.method == "OPTIONS":
                headers.extend(PREFLIGHT)
        else:
            embed = path == EMBED_PREFIX or path.startswith(EMBED_PREFIX + "/")
            for key, value in self.embed_headers if embed else self.page_headers:
                headers.setdefault(key, value)  # staff pages set stricter ones of their own (DENY, same-origin)
            if "Content-Security-Policy" not in headers:  # staff pages set a stricter one of their own
                head, tail = self.embed_csp if embed else self.page_csp
                nonce = g.get("csp_nonce")
                headers["Content-Security-Policy"] = f"{head} 'nonce-{nonce}'{tail}" if nonce else head + tail
        if (
            response.status_code == 200
            and response.mimetype in COMPRESSIBLE
            and "Content-Encoding" not in headers
            and not (response.direct_passthrough or response.is_streamed)
            and (response.content_length or 0) >= self.min_bytes
        ):
            body, extra = self.encode(response.get_data(), request.headers.get("Accept-Encoding"), headers.get("ETag"))
            if GZIPPED in extra:
                response.set_data(body)
                headers["Content-Encoding"] = "gzip"
            if VARY in extra:
                response.vary.add(VARY[1])  # one Vary header (pages also vary on the language)
        return response

    # -- caching -----------------------------------------------------------------------
    def etag(self, version: int, content_id: str, full_path: str) -> str:
        """Opaque weak-ETag value from the content only: code release, directory version and its stored
        content hash, the request's path and query. Equal on every host and after a restart."""
        key = f"{__version__}\x1f{version}\x1f{content_id}\x1f{full_path}".encode()
        return hashlib.blake2b(key, digest_size=12).hexdigest()


class AnswerCache:
    """Bounded memo of answer bodies, keyed by (directory version, query string), per worker.

    For deterministic answers asked again and again (a widget preset to a commune, popular
    searches). Emptied whole when full: no ordering to maintain, safe under threads.
    Only successful answers are kept (``compute`` raising leaves nothing behind).
    """

    def __init__(self, size: int):
        self.size = size
        self._bodies: dict = {}

    def get(self, key, compute):
        body = self._bodies.get(key)
        if body is None:
            body = compute()
            if self.size:
                if len(self._bodies) >= self.size:
                    self._bodies.clear()
                self._bodies[key] = body
        return body


def answer_cache() -> AnswerCache:
    return current_app.extensions["spro_answers"]


def init_app(app: Flask) -> HttpPolicy:
    policy = HttpPolicy(app.config)
    shared = policy.budgets.shared
    if shared is not None and not shared.ping():
        log.warning("RATELIMIT_STORAGE_URL : Redis ne répond pas au démarrage ; limites appliquées dès qu'il répondra")
    app.extensions["spro_http"] = policy
    app.extensions["spro_answers"] = AnswerCache(app.config["ANSWER_CACHE_SIZE"])
    app.before_request(policy.before)
    app.after_request(policy.after)
    app.teardown_request(policy.release)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    return policy


def trust_proxies(app: Flask) -> None:
    """Client address and scheme from X-Forwarded-* when TRUSTED_PROXIES proxies stand in front.

    Applied last, around every other WSGI layer, so the rate limit sees the real client.
    """
    n = app.config["TRUSTED_PROXIES"]
    if n:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)


def cacheable(view=None, *, max_age: int | None = None):
    """Give a GET view's 200 answers an ETag and Cache-Control, and answer 304 on a match.

    The ETag depends only on the served directory version (number and content hash) and the
    request's path and query, so a revalidation that matches is answered before the view runs.
    """
    if view is None:
        return functools.partial(cacheable, max_age=max_age)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        policy: HttpPolicy = current_app.extensions["spro_http"]
        catalog = current_app.extensions["spro"].catalog
        value = policy.etag(catalog.version, catalog.content_id, request.full_path)
        control = f"public, max-age={policy.max_age if max_age is None else max_age}"
        match = request.if_none_match if request.headers.get("If-None-Match") else None
        if match and not match.star_tag and match.contains_weak(value):
            response = current_app.response_class(status=304)
        else:
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code != 200:
                return response
            if match and match.star_tag:  # "*": any current representation matches
                response = current_app.response_class(status=304)
        response.headers["ETag"] = quote_etag(value, weak=True)
        response.headers["Cache-Control"] = control
        return response

    return wrapper
