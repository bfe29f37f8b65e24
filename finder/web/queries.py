"""Unknown query parameters: one check, before any view, against what each route declares.

Every route's accepted query keys come from a ``finder.service.params.Endpoint`` (the same
declarations that parse them and generate the OpenAPI document and the forms); a key the
route does not declare answers 400 naming it (JSON under /api/, a French page elsewhere).
Strict on purpose, tracking and cache-busting keys included (``utm_source``, ``_``): a
misspelt filter must not silently widen an answer. The nearest fast path runs the same
check (``finder.service.nearest.body``) and hands the error to Flask, which answers it here.

The citizen pages also accept ``lang`` and ``falc`` (the language switcher and the easy-to-read
link add them to any of their URLs).

Static files are not checked either (cache-busters, tile templates).
The back office (blueprints ``admin`` and ``espace``: signed-in staff, whose query strings are
notices set by the application's own redirects) is not checked.
"""

from __future__ import annotations

from flask import Flask, request

from finder.service import params
from finder.web import i18n

UNCHECKED_BLUEPRINTS = frozenset({"admin", "espace"})
# Files, not answers: a query string there is a cache-buster or a tile template (``?z=…&x=…&y=…`` when
# the map tiles are served from this host), and cannot widen anything.
UNCHECKED_ENDPOINTS = frozenset({"static"})
# Read by the web layer on every citizen page (finder.web.i18n): the language and the easy-to-read mode.
PAGE_CHOICES = (params.LANG, params.FALC)

# Flask endpoint (blueprint.view) -> the parameters its answer accepts.
ROUTES: dict[str, params.Endpoint] = {
    "api.healthz": params.NO_PARAMETERS,
    "api.readyz": params.NO_PARAMETERS,
    "api.vocabularies": params.NO_PARAMETERS,
    "api.geocode": params.GEOCODE,
    "api.sites_collection": params.SITES,
    "api.sites_dump": params.NO_PARAMETERS,
    "api.nearest_sites": params.NEAREST,
    "api.site": params.NO_PARAMETERS,
    "coverage_api.coverage_view": params.COVERAGE,
    "pages.index": params.SEARCH,
    "pages.site": params.SITE,
    "pages.falc": params.NO_PARAMETERS,
    "embed.widget_page": params.EMBED,
    "embed.configurator": params.CONFIGURATOR,
    "staff.coverage_page": params.COVERAGE,
    "staff.coverage_csv": params.COVERAGE,
    "staff.coverage_geojson": params.COVERAGE,
    "staff.planning_page": params.PLANNING,
    "staff.planning_csv": params.PLANNING,
    "staff.bilan_page": params.BILAN,
    "staff.bilan_chart": params.BILAN,
    "staff.bilan_csv": params.BILAN_EXPORT,
    "printkit.kit": params.KIT,
    "printkit.poster": params.POSTER,
    "printkit.department_zip": params.POSTER,
    "printkit.epci_zip": params.POSTER,
    "printkit.site_sheet": params.NO_PARAMETERS,
    "legal.accessibility": params.NO_PARAMETERS,
    "legal.notice": params.NO_PARAMETERS,
    "legal.personal_data": params.NO_PARAMETERS,
    "docs.openapi_json": params.NO_PARAMETERS,
    "docs.api_page": params.NO_PARAMETERS,
    "opendata.structures": params.NO_PARAMETERS,
    "opendata.services": params.NO_PARAMETERS,
    "metrics.scrape": params.NO_PARAMETERS,
}


def declared(endpoint: str | None) -> params.Endpoint | None:
    """The declaration of a Flask endpoint; None for the back office and unrouted requests.

    A public route missing from ``ROUTES`` accepts no parameter (tests list every route)."""
    if endpoint is None or endpoint in UNCHECKED_ENDPOINTS or endpoint.partition(".")[0] in UNCHECKED_BLUEPRINTS:
        return None
    return ROUTES.get(endpoint, params.NO_PARAMETERS)


def check() -> None:
    """before_request: InvalidParameter (400) on the first undeclared query key."""
    if not request.args:
        return
    endpoint = declared(request.endpoint)
    if endpoint is not None:
        endpoint.check_known(request.args, also=PAGE_CHOICES if request.endpoint in i18n.CITIZEN else ())


def init_app(app: Flask) -> None:
    app.before_request(check)
