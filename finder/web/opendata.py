"""Open data: GET /api/v1/opendata/data-inclusion/structures.json and …/services.json.

JSON arrays in the data·inclusion schema v1 (``finder.service.opendata``), licence
etalab-2.0 (``Link: rel="license"``), ETag and Cache-Control through ``http.cacheable``.
Their OpenAPI path items are in ``finder.web.openapi``.
"""

from __future__ import annotations

from flask import Blueprint, current_app

from finder.service import opendata
from finder.web import state
from finder.web.http import cacheable

bp = Blueprint("opendata", __name__)
PREFIX = "/api/v1/opendata/data-inclusion/"


def _answer(index: int):
    cfg = current_app.config
    body = opendata.files(state().catalog, cfg["OPENDATA_SOURCE"], cfg.get("PUBLIC_URL"))[index]
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Link"] = f'<{opendata.LICENCE_URL}>; rel="license"; title="{opendata.LICENCE}"'
    return response


@bp.get(PREFIX + "structures.json")
@cacheable
def structures():
    return _answer(0)


@bp.get(PREFIX + "services.json")
@cacheable
def services():
    return _answer(1)
