"""API v1 for field staff: GET /api/v1/coverage (per-commune coverage of a profile).

``OPENAPI_PATHS`` is the endpoint's OpenAPI 3 path item, for the API document to merge.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from finder.domain import coverage
from finder.present.coverage_export import api_json
from finder.service import staff_query
from finder.web import state

bp = Blueprint("coverage_api", __name__)


@bp.get("/api/v1/coverage")
def coverage_view():
    engine = state().engine
    q = staff_query.parse_coverage(request.args, engine.geo.departments)
    analyser = coverage.analyser(engine)
    cov = analyser.coverage(q.criteria, q.max_km)
    head = {"filters": q.filters_json(), "max_km": q.max_km, "dataset": engine.dataset_json()}
    body = api_json(cov, engine.sites, analyser.communes.mask(q.department), head)
    return current_app.response_class(body, mimetype="application/json")


def _query_param(name: str, schema: dict, description: str) -> dict:
    # An empty value counts as absent (forms send blank fields), except for network.
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        "allowEmptyValue": name != "network",
    }


_SUMMARY = {
    "type": "object",
    "required": ["communes", "population", "population_covered", "share_covered"],
    "properties": {
        "communes": {"type": "integer"},
        "population": {"type": "integer"},
        "population_covered": {"type": "integer"},
        "share_covered": {"type": "number", "minimum": 0, "maximum": 1},
        "median_km": {"type": ["number", "null"], "description": "Médiane des distances pondérée par la population"},
        "p90_km": {"type": ["number", "null"], "description": "90e centile des distances pondéré par la population"},
    },
}
_COMMUNE = {
    "type": "object",
    "required": [
        "insee",
        "name",
        "department",
        "population",
        "point",
        "nearest_site_id",
        "distance_km",
        "covered",
    ],
    "properties": {
        "insee": {"type": "string", "example": "15014"},
        "name": {"type": "string"},
        "department": {"type": "string"},
        "epci": {"type": ["string", "null"]},
        "population": {"type": "integer"},
        "point": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 2,
            "maxItems": 2,
            "description": "Point de référence de la commune, [lon, lat] (WGS84)",
        },
        "nearest_site_id": {"type": ["string", "null"]},
        "distance_km": {"type": ["number", "null"], "description": "Distance géodésique WGS84"},
        "covered": {"type": "boolean", "description": "distance_km <= max_km"},
    },
}
_ERROR = {"description": "Paramètre invalide", "content": {"application/json": {"schema": {"type": "object"}}}}

OPENAPI_PATHS = {
    "/api/v1/coverage": {
        "get": {
            "operationId": "coverage",
            "summary": "Couverture territoriale d'un profil",
            "description": (
                "Pour chaque commune de la région (Lyon par ses 9 arrondissements), le lieu d'accueil "
                "adapté au profil le plus proche du point de référence de la commune, la distance "
                "géodésique et si elle est dans le seuil `max_km`. `department` restreint les communes "
                "analysées, pas les lieux. `territory=only` : les lieux d'une structure à territoire ne "
                "comptent que pour les communes de ce territoire."
            ),
            "tags": ["Couverture"],
            "parameters": [
                _query_param("age", {"type": "integer", "minimum": 0, "maximum": 120}, "Âge de la personne"),
                _query_param("status", {"type": "string"}, "Statut (voir /api/v1/vocabularies)"),
                _query_param("qualification", {"type": "string"}, "Niveau de qualification"),
                _query_param("level", {"type": "integer", "enum": [1, 2]}, "Niveau de service"),
                {
                    **_query_param("network", {"type": "array", "items": {"type": "string"}}, "Réseau(x)"),
                    "style": "form",
                    "explode": True,
                },
                _query_param("mode", {"type": "string", "enum": ["en-presentiel", "a-distance"]}, "Mode d'accueil"),
                _query_param("accessible", {"type": "boolean"}, "Lieux accessibles en fauteuil seulement"),
                _query_param("territory", {"type": "string", "enum": ["only", "all"]}, "Compétence territoriale"),
                _query_param(
                    "max_km",
                    {"type": "number", "exclusiveMinimum": 0, "maximum": 1000, "default": 20},
                    "Seuil de distance en km",
                ),
                _query_param("department", {"type": "string", "example": "15"}, "Code du département analysé"),
            ],
            "responses": {
                "200": {
                    "description": "Couverture par commune",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["filters", "max_km", "summary", "communes"],
                                "properties": {
                                    "filters": {"type": "object"},
                                    "max_km": {"type": "number"},
                                    "dataset": {"type": "object"},
                                    "summary": _SUMMARY,
                                    "communes": {"type": "array", "items": _COMMUNE},
                                },
                            }
                        }
                    },
                },
                "400": _ERROR,
            },
        }
    }
}
