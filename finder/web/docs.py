"""API documentation: the OpenAPI document and the human-readable page ``/api``.

The document, generated from the parameter declarations, keeps only the paths this app
serves; it is built once, on first use, and served pre-encoded.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from finder.present.geojson import dumps
from finder.web import openapi
from finder.web.http import cacheable

bp = Blueprint("docs", __name__)
BOUND_LABELS = {"minimum": "min.", "exclusiveMinimum": "plus de", "maximum": "max.", "default": "par défaut"}


def _serves(app: Flask):
    adapter = app.url_map.bind("localhost")

    def serves(path: str) -> bool:
        try:
            adapter.match(path, method="GET")
        except HTTPException:
            return False
        return True

    return serves


def document(app: Flask | None = None) -> dict:
    """The OpenAPI document of this app (built once)."""
    app = app or current_app
    cached = app.extensions.get("spro_openapi")
    if cached is None:
        full = openapi.build(app.extensions["spro"].geo)
        cached = openapi.served(full, _serves(app))
        app.extensions["spro_openapi"] = cached
        app.extensions["spro_openapi_json"] = dumps(cached)
    return cached


@bp.get("/api/v1/openapi.json")
@cacheable(max_age=3600)
def openapi_json():
    document()
    return current_app.response_class(current_app.extensions["spro_openapi_json"], mimetype="application/json")


@bp.get("/api")
def api_page():
    doc = document()
    base = request.url_root.rstrip("/")
    return render_template("api_docs.html", doc=doc, operations=operations(doc), base=base)


def operations(doc: dict) -> list[dict]:
    """Flat list of GET operations for the page: path, summary, description, parameters."""
    out = []
    for path, item in doc["paths"].items():
        op = item.get("get")
        if not op:
            continue
        params = [_param(p) for p in op.get("parameters", []) if p.get("in") != "header"]
        codes = sorted(op["responses"])
        out.append(
            {"path": path, "summary": op["summary"], "description": op["description"], "params": params, "codes": codes}
        )
    return out


def _param(p: dict) -> dict:
    schema = p.get("schema", {})
    enum = schema.get("enum") or schema.get("items", {}).get("enum")
    kind = schema.get("type", "string")
    bounds = [f"{label} {schema[k]}" for k, label in BOUND_LABELS.items() if k in schema]
    return {
        "name": p["name"],
        "where": p["in"],
        "required": p.get("required", False),
        "type": kind if kind != "array" else "liste",
        "description": p.get("description", ""),
        "enum": enum or [],
        "bounds": ", ".join(bounds),
    }
