"""Configuration: one loader for the web app and every command.

``load()``: defaults < ``<instance>/config.py`` < ``SPRO_*`` environment variables < overrides
(a test's settings, a command's ``--database``), then ``check``. The instance folder is
``SPRO_INSTANCE_PATH`` or ``instance/`` beside the code. The database is ``DATABASE_URL``: a
SQLite file path (default ``<instance>/spro.sqlite3``) or a ``postgresql://`` URL; ``DATABASE``
is its older name (a SQLite path), read when a source gives no ``DATABASE_URL``. Checked at
start-up: a bad value stops with a clear message.
Framework-free: Flask's ``from_pyfile`` and ``from_prefixed_env`` rules, reproduced.
"""

from __future__ import annotations

import datetime as dt
import errno
import ipaddress
import json
import os
import types
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "SPRO_"
INSTANCE_FILE = "config.py"
DATABASE_FILE = "spro.sqlite3"

DEFAULTS = {
    "REGION": "84",  # INSEE region code, or "all" (France); other than 84: scripts/build_geodata.py --region X
    "GEODATA_DIR": str(ROOT / "geodata"),
    "DEMO_DIRECTORY": str(ROOT / "geodata" / "demo" / "directory.json"),
    "DATABASE_URL": None,  # SQLite path or postgresql://user:password@host:port/name; default: DATABASE
    "DATABASE": None,  # older name of a SQLite DATABASE_URL; default: <instance_path>/spro.sqlite3
    "TILES_URL": "https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png",
    "TILES_ATTRIBUTION": "© les contributeurs d'OpenStreetMap (ODbL), fond OpenStreetMap France",
    "BAN_URL": None,  # root of a Base Adresse Nationale service (its /search/ is used); None = offline only
    "BAN_TIMEOUT": 2.0,
    "RELOAD_CHECK_SECONDS": 1.0,  # how often a worker checks for a newly published version
    "RELOAD_IN_BACKGROUND": True,  # build a new version in a thread; False: in the request that sees it (tests)
    "CACHE_DIR": None,  # files derived from the data (catalogs, geocoder index); default <instance>/cache; "off": none
    "BUILD_APART_MIN_SITES": 10_000,  # a published version this big is built by a separate process (see web.state)
    # directory management (issue 6)
    "BAN_RATE_PER_SECOND": 20.0,  # requests per second to the BAN when geocoding an import
    "IMPORT_MAX_ROWS": 100_000,
    "IMPORT_MAX_MB": None,  # largest file accepted (web and CLI); None: derived from IMPORT_MAX_ROWS
    "IMPORT_BYTES_PER_ROW": 2_000,  # bound of one row of a file (the demo's CSV rows average 760 bytes)
    # Jobs (issue 11): exports and imports run outside the request by threads of each app process
    "JOBS_THREADS": 1,  # job threads per app process (0: none; then run `spro-finder jobs run-worker`)
    "JOBS_POLL_SECONDS": 1.0,  # how often an idle job thread looks for a queued job
    "JOBS_STALE_SECONDS": 120.0,  # a running job without heartbeat this long is failed (its worker died)
    "IMPORT_COMMUNE_TOLERANCE_M": 500.0,  # a site may lie this far outside its declared commune
    "LOGIN_MAX_FAILURES": 5,  # failed logins before an account is locked
    "LOGIN_LOCK_SECONDS": 900,
    "SECRET_KEY": None,  # from SPRO_SECRET_KEY or instance/config.py; else generated in instance/secret_key
    "SESSION_COOKIE_NAME": "spro_session",
    "SESSION_COOKIE_SECURE": True,  # set SPRO_SESSION_COOKIE_SECURE=false to log in over plain HTTP locally
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,  # absolute: a session ends this long after login
    "SESSION_REFRESH_EACH_REQUEST": False,  # the cookie expires with the session, not 8 h after the last use
    # Partner integration: public API v1 and the embeddable widget
    "RATELIMIT_ENABLED": True,  # token bucket per client address on /api/
    "RATELIMIT_PER_MINUTE": 120,  # sustained requests per minute a client may make
    "RATELIMIT_BURST": 240,  # requests a client may make at once before being slowed down
    "RATELIMIT_SLOTS": 65536,  # clients tracked at once (shared table, 24 bytes each; 4-way sets)
    "RATELIMIT_EXEMPT": "127.0.0.1 ::1",  # addresses never limited (local checks); "" to limit everyone
    "RATELIMIT_STORAGE_URL": None,  # None: a shared-memory table per server; redis://host:6379/0: shared by hosts
    "RATELIMIT_STORAGE_TIMEOUT": 0.1,  # seconds a request waits for Redis before it is served unchecked
    "RATELIMIT_STORAGE_RETRY_SECONDS": 1.0,  # after a Redis failure, serve unchecked this long, then try again
    "METRICS_ALLOWED": "127.0.0.0/8 ::1/128",  # networks allowed to read /metrics ("" = nobody)
    # Costly pages (coverage maps and exports, planning, bilan): their own budget and a bound on concurrency
    "HEAVY_PAGES_PER_MINUTE": 12,  # sustained per client
    "HEAVY_PAGES_BURST": 20,
    "HEAVY_PAGES_CONCURRENCY": max(1, (os.cpu_count() or 2) // 2),  # computed at once, whole server
    "EXPORT_CACHE_SIZE": 8,  # coverage exports kept per worker (per directory version and profile)
    "HSTS_MAX_AGE": 31_536_000,  # Strict-Transport-Security on HTTPS answers (seconds; 0 = none)
    "TRUSTED_PROXIES": 0,  # reverse proxies in front of the app: client address from X-Forwarded-For
    "EMBED_FRAME_ANCESTORS": "*",  # who may frame /embed: "*" or space-separated origins
    "WIDGET_COUNT_PER_MINUTE": 1,  # widget loads counted per client: sustained…
    "WIDGET_COUNT_BURST": 60,  # …and at once (the widget is shown all the same)
    "WIDGET_NEW_ORIGINS_PER_DAY": 50,  # origins never seen before that a day may add to the counts
    "CACHE_MAX_AGE": 300,  # seconds; Cache-Control of cacheable API answers (then ETag revalidation)
    "COMPRESS_MIN_BYTES": 2048,  # gzip JSON answers from this size when the client accepts it
    "COMPRESS_LEVEL": 6,
    "ANSWER_CACHE_SIZE": 2048,  # nearest answers memoised per worker (0 = off); about 11 kB each
    # Citizen pages
    "FIXED_NOW": None,  # ISO date-time the pages take as "now" (tests, demonstrations); None = Paris time
    # Directions links: {from} and {to} become "lat,lon" ({from} empty when the start is unknown)
    "DIRECTIONS_URL": "https://www.openstreetmap.org/directions?route={from}%3B{to}",
    "DIRECTIONS_PROVIDER": "OpenStreetMap",
    # Structures keep their own sites (issue 12)
    "PUBLIC_URL": None,  # https://host of the app, for links in e-mails and commands; default: the request's host
    "INVITATION_DAYS": 7,  # an invitation link works once, for this many days
    "EDIT_POLICY": {},  # field group -> "publish" (at once) or "review" (queued for staff); see EDIT_POLICY_DEFAULTS
    "FRESHNESS_FLAG_DAYS": 365,  # a site not confirmed for this long is flagged "à confirmer" to citizens
    "FRESHNESS_HIDE_DAYS": 0,  # 0: never hidden; else sites not confirmed for this long are not shown at all
    "CAMPAIGN_DAYS": 30,  # a campaign's personal links work this long
    "SMTP_HOST": None,  # e-mail of campaigns and invitations; None: no e-mail (links shown to staff)
    "SMTP_PORT": 587,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,  # from SPRO_SMTP_PASSWORD
    "SMTP_SECURITY": "starttls",  # "starttls", "ssl" (implicit TLS) or "none" (loopback relay only)
    "SMTP_TIMEOUT": 10.0,
    "MAIL_FROM": "SPRO Auvergne-Rhône-Alpes <ne-pas-repondre@spro.invalid>",
    "DEMAND_COUNTING": True,  # count citizen searches anonymously (commune x profile class x outcome x day)
    "DEMAND_FLUSH_SECONDS": 30.0,  # each worker adds its counts to the database at most this often
    "DEMAND_WINDOW_DAYS": 90,  # days shown on /couverture and used to weigh "Où labelliser ?"
    "OPENDATA_SOURCE": "spro-aura",  # the data·inclusion "source" of the open data files
    # When nothing fits (issue 13): the regional phone line shown with the remote services; None: not shown
    "REGIONAL_PHONE": None,  # e.g. "04 00 00 00 00": the SPRO's regional line (no number is known to the code)
    "REGIONAL_PHONE_HOURS": None,  # e.g. "du lundi au vendredi, 9 h – 17 h"
    # Legal pages (issue 13): None shows « à compléter par l'exploitant » with the setting's name
    "LEGAL_PUBLISHER": None,  # éditeur: name and address of the body publishing the service
    "LEGAL_DIRECTOR": None,  # directeur ou directrice de la publication
    "LEGAL_HOST": None,  # hébergeur: name, address, phone
    "LEGAL_CONTACT": None,  # e-mail or form URL for accessibility and personal data requests
    "LEGAL_LOG_RETENTION": None,  # how long the host keeps access logs, e.g. "12 mois"
    "ACCESSIBILITY_AUDIT": None,  # {"date": "2027-01-15", "rate": 78.5, "auditor": "…"} once an RGAA audit exists
    "ACCESSIBILITY_DECLARED_ON": "2026-11-29",  # date the accessibility statement was established
}

EDIT_POLICY_DEFAULTS = {
    "contact": "publish",  # téléphone, courriel, site web
    "hours": "publish",  # horaires d'accueil
    "closures": "publish",  # fermetures temporaires
    "presentation": "publish",  # nom et présentation
    "languages": "publish",
    "accessibility": "publish",
    "modes": "publish",  # modes d'accueil, sur rendez-vous
    "position": "review",  # adresse, commune, position
    "levels": "review",  # niveaux de service
    "publics": "review",  # âges, statuts, qualifications
    "add": "review",  # nouveau lieu
    "close": "review",  # fermeture définitive d'un lieu
}
EDIT_POLICIES = ("publish", "review")


# INSEE region codes (the same as finder.domain.geography.REGION_CODES; a test keeps them equal).
REGION_CODES = tuple("01 02 03 04 06 11 24 27 28 32 44 52 53 75 76 84 93 94".split())


class ConfigError(RuntimeError):
    pass


def instance_path(explicit: Path | str | None = None) -> Path:
    """The instance folder (config.py, the database, the secret key), absolute.

    Given, else SPRO_INSTANCE_PATH, else ``instance/`` beside the code.
    """
    return Path(explicit or os.environ.get(ENV_PREFIX + "INSTANCE_PATH") or ROOT / "instance").absolute()


def load(overrides: Mapping | None = None, instance: Path | str | None = None) -> dict:
    """The checked settings: defaults < instance config.py < SPRO_* environment < ``overrides``."""
    folder = instance_path(instance)
    config = dict(DEFAULTS)
    config.update(_database_alias(from_pyfile(folder / INSTANCE_FILE)))
    from_environ(config, os.environ)
    if os.environ.get(ENV_PREFIX + "DATABASE") and not os.environ.get(ENV_PREFIX + "DATABASE_URL"):
        config["DATABASE_URL"] = config["DATABASE"]
    config.update(_database_alias(dict(overrides or {})))
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = str(folder / DATABASE_FILE)
    config["DATABASE"] = config["DATABASE_URL"] = str(config["DATABASE_URL"])
    if not config.get("CACHE_DIR"):
        config["CACHE_DIR"] = str(folder / "cache")
    check(config)
    return config


def _database_alias(layer: dict) -> dict:
    """One source's settings, its DATABASE (a SQLite path) read as DATABASE_URL unless it gives both."""
    if layer.get("DATABASE") and not layer.get("DATABASE_URL"):
        layer["DATABASE_URL"] = layer["DATABASE"]
    return layer


def is_postgres(url: str) -> bool:
    return urlsplit(str(url)).scheme.lower() in ("postgresql", "postgres")


def check_database(config: dict) -> None:
    """DATABASE_URL: a SQLite path, or a postgresql:// URL whose shape can be read (reaching it is checked later)."""
    url = config["DATABASE_URL"]
    if is_postgres(url):
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = 0
        if port == 0:
            raise ConfigError("DATABASE_URL : port invalide dans l'URL PostgreSQL.")
        if not parts.path.strip("/") and "dbname=" not in parts.query:
            raise ConfigError("DATABASE_URL : nom de la base manquant (postgresql://utilisateur@hôte:5432/nom).")
    elif "://" in url:
        scheme = urlsplit(url).scheme or "?"
        raise ConfigError(
            f"DATABASE_URL : schéma « {scheme} » non pris en charge (un chemin de fichier SQLite ou postgresql://…)."
        )


def from_pyfile(path: Path) -> dict:
    """The UPPERCASE names a Python settings file defines; {} when there is no such file."""
    module = types.ModuleType("config")
    module.__file__ = str(path)
    try:
        code = compile(path.read_bytes(), str(path), "exec")
    except OSError as err:
        if err.errno in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR):
            return {}
        raise ConfigError(f"{path} : lecture impossible ({err.strerror}).") from err
    exec(code, module.__dict__)  # the operator's own settings file, as Flask's from_pyfile does
    return {key: value for key, value in vars(module).items() if key.isupper()}


def from_environ(config: dict, environ: Mapping[str, str]) -> None:
    """Apply SPRO_* variables: values JSON-decoded when they parse (``false``, ``20``), else strings.

    ``SPRO_A__B=1`` sets ``config["A"]["B"]`` (nested dicts created as needed).
    """
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX):
            continue
        raw = environ[name]
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            value = raw
        *parents, key = name[len(ENV_PREFIX) :].split("__")
        target = config
        for part in parents:
            target = target.setdefault(part, {})
        target[key] = value


def region(value) -> str:
    """The REGION setting as a code: "84", "01"…, or "all" (an integer from the environment is padded)."""
    code = f"{value:02d}" if isinstance(value, int) and not isinstance(value, bool) else str(value).strip().lower()
    if code != "all" and code not in REGION_CODES:
        codes = ", ".join(REGION_CODES)
        raise ConfigError(f"REGION : code région INSEE inconnu « {value} » (codes : {codes}, ou all).")
    return code


def check(config: dict) -> None:
    """Raise ConfigError on a value the app cannot run with."""
    check_database(config)
    config["REGION"] = region(config.get("REGION", DEFAULTS["REGION"]))
    for key in ("GEODATA_DIR",):
        if not Path(config[key]).is_dir():
            raise ConfigError(f"{key}: dossier introuvable : {config[key]}")
    timeout = float(config["BAN_TIMEOUT"])
    if not 0 < timeout <= 2:
        raise ConfigError(f"BAN_TIMEOUT doit être compris entre 0 et 2 secondes (reçu : {timeout}).")
    config["BAN_TIMEOUT"] = timeout
    config["RELOAD_CHECK_SECONDS"] = float(config["RELOAD_CHECK_SECONDS"])
    if not isinstance(config["RELOAD_IN_BACKGROUND"], bool):
        raise ConfigError(
            f"RELOAD_IN_BACKGROUND doit valoir true ou false (reçu : {config['RELOAD_IN_BACKGROUND']!r})."
        )
    if "{z}" not in config["TILES_URL"]:
        raise ConfigError("TILES_URL doit contenir {z}, {x} et {y}.")
    _check_staff(config)
    check_partner(config)
    check_pages(config)
    check_directory(config)


def _check_staff(config: dict) -> None:
    """Directory-management settings: positive numbers, a long enough secret key."""
    for key, kind in (
        ("BAN_RATE_PER_SECOND", float),
        ("IMPORT_MAX_ROWS", int),
        ("IMPORT_BYTES_PER_ROW", int),
        ("IMPORT_COMMUNE_TOLERANCE_M", float),
        ("LOGIN_MAX_FAILURES", int),
        ("LOGIN_LOCK_SECONDS", float),
    ):
        try:
            config[key] = kind(config[key])
        except (TypeError, ValueError):
            raise ConfigError(f"{key} doit être un nombre (reçu : {config[key]!r}).") from None
        if config[key] <= 0:
            raise ConfigError(f"{key} doit être strictement positif (reçu : {config[key]}).")
    if config.get("IMPORT_MAX_MB") is not None:
        try:
            config["IMPORT_MAX_MB"] = float(config["IMPORT_MAX_MB"])
        except (TypeError, ValueError):
            raise ConfigError(f"IMPORT_MAX_MB doit être un nombre (reçu : {config['IMPORT_MAX_MB']!r}).") from None
        if config["IMPORT_MAX_MB"] <= 0:
            raise ConfigError(f"IMPORT_MAX_MB doit être strictement positif (reçu : {config['IMPORT_MAX_MB']}).")
    _check_jobs(config)
    secret = config.get("SECRET_KEY")
    if secret is not None and len(str(secret)) < 16:
        raise ConfigError("SECRET_KEY trop courte : 16 caractères au moins (32 octets aléatoires conseillés).")


IMPORT_BASE_BYTES = 1 << 20  # the header, a BOM, a multipart envelope


def import_max_bytes(config: Mapping) -> int:
    """The largest import file, in bytes: IMPORT_MAX_MB when set, else IMPORT_MAX_ROWS rows of
    IMPORT_BYTES_PER_ROW bytes and 1 MiB (100,000 rows: 191.7 MiB), so that a file of as many rows as
    allowed is never refused for its size (the upload limit of the staff pages is the same)."""
    explicit = config.get("IMPORT_MAX_MB")
    if explicit is not None:
        return int(float(explicit) * 1024 * 1024)
    rows = int(config.get("IMPORT_MAX_ROWS", DEFAULTS["IMPORT_MAX_ROWS"]))
    return rows * int(config.get("IMPORT_BYTES_PER_ROW", DEFAULTS["IMPORT_BYTES_PER_ROW"])) + IMPORT_BASE_BYTES


def _check_jobs(config: dict) -> None:
    config["JOBS_THREADS"] = _int_at_least(config, "JOBS_THREADS", 0)
    for key in ("JOBS_POLL_SECONDS", "JOBS_STALE_SECONDS"):
        try:
            config[key] = float(config[key])
        except (TypeError, ValueError):
            raise ConfigError(f"{key} doit être un nombre de secondes (reçu : {config[key]!r}).") from None
        if config[key] <= 0:
            raise ConfigError(f"{key} doit être strictement positif (reçu : {config[key]}).")


def check_directory(config: dict) -> None:
    """Settings of self-service editing, campaigns, e-mail and search counts (issue 12)."""
    for key, lo in (
        ("INVITATION_DAYS", 1),
        ("CAMPAIGN_DAYS", 1),
        ("FRESHNESS_FLAG_DAYS", 1),
        ("DEMAND_WINDOW_DAYS", 1),
    ):
        config[key] = _int_at_least(config, key, lo)
    config["FRESHNESS_HIDE_DAYS"] = _int_at_least(config, "FRESHNESS_HIDE_DAYS", 0)
    hide = config["FRESHNESS_HIDE_DAYS"]
    if hide and hide < config["FRESHNESS_FLAG_DAYS"]:
        raise ConfigError("FRESHNESS_HIDE_DAYS doit être 0 (jamais masqué) ou au moins FRESHNESS_FLAG_DAYS.")
    policy = config.get("EDIT_POLICY") or {}
    if not isinstance(policy, dict):
        raise ConfigError("EDIT_POLICY doit être un dictionnaire {groupe: publish|review}.")
    for group, value in policy.items():
        if group not in EDIT_POLICY_DEFAULTS:
            raise ConfigError(f"EDIT_POLICY : groupe inconnu « {group} » ({', '.join(EDIT_POLICY_DEFAULTS)}).")
        if value not in EDIT_POLICIES:
            raise ConfigError(f"EDIT_POLICY[{group}] doit valoir publish ou review (reçu : {value!r}).")
    config["EDIT_POLICY"] = {**EDIT_POLICY_DEFAULTS, **policy}
    config["SMTP_PORT"] = _int_at_least(config, "SMTP_PORT", 1)
    if config["SMTP_PORT"] > 65535:
        raise ConfigError("SMTP_PORT doit être compris entre 1 et 65535.")
    if config.get("SMTP_SECURITY") not in ("starttls", "ssl", "none"):
        raise ConfigError("SMTP_SECURITY doit valoir starttls, ssl ou none.")
    try:
        config["SMTP_TIMEOUT"] = float(config["SMTP_TIMEOUT"])
        config["DEMAND_FLUSH_SECONDS"] = float(config["DEMAND_FLUSH_SECONDS"])
    except (TypeError, ValueError):
        raise ConfigError("SMTP_TIMEOUT et DEMAND_FLUSH_SECONDS sont des nombres de secondes.") from None
    if config["SMTP_TIMEOUT"] <= 0 or config["DEMAND_FLUSH_SECONDS"] < 0:
        raise ConfigError("SMTP_TIMEOUT doit être positif et DEMAND_FLUSH_SECONDS positif ou nul.")
    if not config.get("MAIL_FROM") or "@" not in str(config["MAIL_FROM"]):
        raise ConfigError("MAIL_FROM doit contenir une adresse électronique.")
    url = config.get("PUBLIC_URL")
    if url and not _is_origin(str(url).rstrip("/")):
        raise ConfigError(f"PUBLIC_URL : adresse invalide « {url} » (ex. https://orientation.exemple.fr).")
    if url:
        config["PUBLIC_URL"] = str(url).rstrip("/")


def check_partner(config: dict) -> None:
    """Rate limiting, caching, compression and framing settings of the partner integration."""
    for key, lo in (
        ("RATELIMIT_PER_MINUTE", 1),
        ("RATELIMIT_BURST", 1),
        ("RATELIMIT_SLOTS", 1),
        ("HEAVY_PAGES_PER_MINUTE", 1),
        ("HEAVY_PAGES_BURST", 1),
        ("HEAVY_PAGES_CONCURRENCY", 1),
        ("EXPORT_CACHE_SIZE", 0),
        ("HSTS_MAX_AGE", 0),
        ("WIDGET_COUNT_PER_MINUTE", 1),
        ("WIDGET_COUNT_BURST", 1),
        ("WIDGET_NEW_ORIGINS_PER_DAY", 0),
        ("TRUSTED_PROXIES", 0),
        ("CACHE_MAX_AGE", 0),
        ("COMPRESS_MIN_BYTES", 0),
        ("ANSWER_CACHE_SIZE", 0),
    ):
        config[key] = _int_at_least(config, key, lo)
    config["COMPRESS_LEVEL"] = _int_at_least(config, "COMPRESS_LEVEL", 1)
    if config["COMPRESS_LEVEL"] > 9:
        raise ConfigError("COMPRESS_LEVEL doit être compris entre 1 et 9.")
    config["EMBED_FRAME_ANCESTORS"] = frame_ancestors(config["EMBED_FRAME_ANCESTORS"])
    exempt = config["RATELIMIT_EXEMPT"]
    config["RATELIMIT_EXEMPT"] = frozenset(exempt.replace(",", " ").split() if isinstance(exempt, str) else exempt)
    check_operations(config)


def check_operations(config: dict) -> None:
    """The shared rate-limit storage (a Redis URL, short timeouts) and who may read /metrics."""
    url = config.get("RATELIMIT_STORAGE_URL") or None
    if url is not None and urlsplit(str(url)).scheme.lower() not in ("redis", "rediss", "unix"):
        raise ConfigError(
            f"RATELIMIT_STORAGE_URL : « {url} » n'est pas une adresse Redis (redis://hôte:6379/0, rediss://…, unix://…)."
        )
    config["RATELIMIT_STORAGE_URL"] = url and str(url)
    for key, hi in (("RATELIMIT_STORAGE_TIMEOUT", 2.0), ("RATELIMIT_STORAGE_RETRY_SECONDS", 60.0)):
        try:
            value = float(config[key])
        except (TypeError, ValueError):
            raise ConfigError(f"{key} doit être un nombre (reçu : {config[key]!r}).") from None
        if not 0 < value <= hi:
            raise ConfigError(f"{key} doit être compris entre 0 et {hi:g} secondes (reçu : {value:g}).")
        config[key] = value
    allowed = config["METRICS_ALLOWED"]
    items = allowed.replace(",", " ").split() if isinstance(allowed, str) else list(allowed)
    try:
        config["METRICS_ALLOWED"] = tuple(ipaddress.ip_network(item, strict=False) for item in items)
    except ValueError as err:
        raise ConfigError(f"METRICS_ALLOWED : réseau invalide ({err}).") from None


def check_pages(config: dict) -> None:
    """Citizen-page settings: FIXED_NOW an ISO date-time when given, a directions link template."""
    url = str(config["DIRECTIONS_URL"])
    if not url.startswith(("https://", "http://")) or "{to}" not in url:
        raise ConfigError("DIRECTIONS_URL doit commencer par https:// et contenir {to} (et {from} pour le départ).")
    fixed = config.get("FIXED_NOW")
    if fixed:
        try:
            dt.datetime.fromisoformat(str(fixed))
        except ValueError:
            message = f"FIXED_NOW doit être une date et heure ISO, ex. 2026-12-25T10:00 (reçu : {fixed!r})."
            raise ConfigError(message) from None
        config["FIXED_NOW"] = str(fixed)


def _int_at_least(config: dict, key: str, lo: int) -> int:
    try:
        value = int(config[key])
    except (TypeError, ValueError):
        raise ConfigError(f"{key} doit être un nombre entier (reçu : {config[key]!r}).") from None
    if value < lo:
        raise ConfigError(f"{key} doit valoir au moins {lo} (reçu : {value}).")
    return value


def frame_ancestors(value) -> tuple[str, ...]:
    """Origins allowed to frame the widget, from "*" or a space/comma-separated list (or a list)."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    if not items:
        raise ConfigError('EMBED_FRAME_ANCESTORS ne peut pas être vide ("*" pour tout site).')
    for item in items:
        if item != "*" and not _is_origin(item):
            raise ConfigError(f"EMBED_FRAME_ANCESTORS : origine invalide « {item} » (ex. https://www.exemple.fr).")
    return tuple(items)


def _is_origin(text: str) -> bool:
    scheme, sep, rest = text.partition("://")
    return bool(sep) and scheme in ("http", "https") and bool(rest) and "/" not in rest and " " not in rest
