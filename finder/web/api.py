"""Public JSON API v1 and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from finder.domain import vocab
from finder.domain.geocode import MAX_QUERY
from finder.errors import InvalidParameter, MissingParameter
from finder.service import query
from finder.web import state
from finder.web.http import answer_cache, cacheable

bp = Blueprint("api", __name__)

GEOJSON = "application/geo+json"


def _geojson(body: str | bytes):
    return current_app.response_class(body, mimetype=GEOJSON)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok", dataset=state().engine.dataset_json())


@bp.get("/api/v1/vocabularies")
@cacheable
def vocabularies():
    return jsonify(vocab.as_json())


@bp.get("/api/v1/geocode")
def geocode():
    q = query.single(request.args, "q")
    if not q:
        raise MissingParameter("Le paramètre « q » (adresse, commune ou code postal) est requis.", field="q")
    if len(q) > MAX_QUERY:
        raise InvalidParameter(f"« q » ne doit pas dépasser {MAX_QUERY} caractères.", field="q")
    limit = query.parse_int(request.args, "limit", 1, 20, 5)
    places = state().geocoder.search(q, limit)
    return jsonify(results=[p.as_json() for p in places])


@bp.get("/api/v1/sites")
@cacheable
def sites():
    engine = state().engine
    criteria = query.parse_criteria(request.args, departments=engine.geo.departments)
    return _geojson(engine.sites_json(criteria))


@bp.get("/api/v1/sites/nearest")
def nearest():
    engine = state().engine
    key = (engine.info.version, request.query_string)
    return _geojson(answer_cache().get(key, lambda: nearest_body(engine, request.args)))


def nearest_body(engine, args) -> bytes:
    """The nearest answer for query parameters ``args`` (raises FinderError on bad input)."""
    origin_q = query.parse_origin(args)
    criteria = query.parse_criteria(args, departments=engine.geo.departments)
    limit = query.parse_limit(args)
    max_km = query.parse_max_km(args)
    if origin_q.commune:
        origin = engine.origin_from_commune(origin_q.commune)
    else:
        origin = engine.origin_from_point(origin_q.lat, origin_q.lon)
    return engine.nearest_body(origin, criteria, limit, max_km)


@bp.get("/api/v1/sites/<site_id>")
@cacheable
def site(site_id: str):
    return _geojson(state().engine.site_feature_json(site_id))
