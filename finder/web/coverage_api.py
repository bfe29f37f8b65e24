"""API v1 for field staff: GET /api/v1/coverage (per-commune coverage of a profile).

Its OpenAPI path item is generated with the others (finder.web.openapi) from the declaration
``finder.service.params.COVERAGE``.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from finder.service import coverage, params
from finder.web import state

bp = Blueprint("coverage_api", __name__)


@bp.get("/api/v1/coverage")
def coverage_view():
    catalog = state().catalog
    answer = coverage.answer(catalog, params.COVERAGE.parse(request.args, catalog.geo))
    return current_app.response_class(answer.json(), mimetype="application/json")
