"""Public JSON API v1 and the health check: each view parses, calls one core function, answers."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, request

from finder.domain import vocab
from finder.service import geocoding, nearest, params, sites
from finder.web import state
from finder.web.http import GEOJSON, answer_cache, cacheable

bp = Blueprint("api", __name__)


def _geojson(body: bytes):
    return current_app.response_class(body, mimetype=GEOJSON)


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers (with the version it serves, whatever the database's state)."""
    return jsonify(status="ok", dataset=state().catalog.dataset_json())


@bp.get("/readyz")
def readyz():
    """Readiness: 200 when the database answers and the last reload worked, else 503 (JSON either way)."""
    body = state().readiness()
    response = jsonify(body)
    response.status_code = 200 if body["status"] == "ready" else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/v1/vocabularies")
@cacheable
def vocabularies():
    return jsonify(vocab.as_json())


@bp.get("/api/v1/geocode")
def geocode():
    st = state()
    return jsonify(geocoding.answer(st.geocoder, params.GEOCODE.parse(request.args, st.geo)))


@bp.get("/api/v1/sites")
@cacheable
def sites_collection():
    catalog = state().catalog
    return _geojson(sites.collection(catalog, params.SITES.parse(request.args, catalog.geo), _page_link))


def _page_link(page: int) -> str:
    """The absolute URL of another page: the request's parameters as given, ``page`` replaced."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"] + [("page", str(page))]
    return f"{request.base_url}?{urlencode(pairs)}"


@bp.get("/api/v1/sites.geojson.gz")
@cacheable
def sites_dump():
    """Every site of the served version in one gzip file (built once per version and worker)."""
    catalog = state().catalog
    response = current_app.response_class(catalog.dump(), mimetype="application/gzip")
    name = f"lieux-accueil-v{catalog.version}.geojson.gz"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/api/v1/sites/nearest")
def nearest_sites():
    catalog = state().catalog
    key = (catalog.version, catalog.content_id, request.query_string)
    return _geojson(answer_cache().get(key, lambda: nearest.body(catalog, request.args)))


@bp.get("/api/v1/sites/<site_id>")
@cacheable
def site(site_id: str):
    return _geojson(sites.feature(state().catalog, site_id))
