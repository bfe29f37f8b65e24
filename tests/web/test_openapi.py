"""The OpenAPI document: valid, complete, and in step with the vocabularies; the /api page."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from finder.domain import vocab
from finder.web import openapi


@pytest.fixture(scope="module")
def doc(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def test_document_validates(doc):
    validate(doc)
    assert doc["openapi"].startswith("3.")


def test_every_public_endpoint_is_described(doc):
    assert {
        "/api/v1/sites",
        "/api/v1/sites/nearest",
        "/api/v1/sites/{id}",
        "/api/v1/geocode",
        "/api/v1/vocabularies",
        "/api/v1/openapi.json",
        "/healthz",
        "/readyz",
    } <= set(doc["paths"])


def test_readiness_answers_match_their_schema(app, doc, monkeypatch):
    import jsonschema

    schema = doc["components"]["schemas"]["Readiness"]
    responses = doc["paths"]["/readyz"]["get"]["responses"]
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200 and "200" in responses
    jsonschema.validate(ready.get_json(), schema)
    monkeypatch.setattr(app.extensions["spro"].store.db, "ping", lambda: False)
    down = client.get("/readyz")
    assert down.status_code == 503 and "503" in responses
    jsonschema.validate(down.get_json(), schema)
    assert down.get_json()["database"] == "unreachable"


def test_every_api_route_of_the_app_is_documented(app, doc):
    documented = {openapi.sample_path(p) for p in doc["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and "GET" in rule.methods:
            sample = rule.rule.replace("<site_id>", "x")
            assert sample in documented, rule.rule


def _param(doc, path, name):
    return next(p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_enumerations_come_from_the_vocabularies(doc, app):
    nearest = "/api/v1/sites/nearest"
    assert set(_param(doc, nearest, "status")["schema"]["enum"]) == vocab.STATUS_CODES
    assert set(_param(doc, nearest, "qualification")["schema"]["enum"]) == vocab.QUALIFICATION_CODES
    assert set(_param(doc, nearest, "level")["schema"]["enum"]) == vocab.LEVEL_CODES
    assert set(_param(doc, nearest, "network")["schema"]["items"]["enum"]) == vocab.NETWORK_CODES
    assert set(_param(doc, nearest, "mode")["schema"]["enum"]) == vocab.MODE_CODES
    deps = _param(doc, "/api/v1/sites", "department")["schema"]["items"]["enum"]
    assert set(deps) == set(app.extensions["spro"].geo.departments) and len(deps) == 12


def test_error_and_limit_responses_are_described(doc):
    op = doc["paths"]["/api/v1/sites/nearest"]["get"]
    assert {"200", "400", "429"} <= set(op["responses"])
    too_many = doc["components"]["responses"]["TooManyRequests"]
    assert too_many["headers"]["Retry-After"]["required"] is True
    assert "304" in doc["paths"]["/api/v1/sites/{id}"]["get"]["responses"]
    assert doc["components"]["schemas"]["Error"]["properties"]["error"]["required"] == ["code", "field", "message"]


def test_every_api_operation_documents_429(doc):
    for path, item in doc["paths"].items():
        if path.startswith("/api/"):
            assert "429" in item["get"]["responses"], path


def test_paths_are_kept_only_when_served(engine):
    full = openapi.build(engine.geo)
    served = openapi.served(full, lambda path: path != "/api/v1/coverage")
    assert "/api/v1/coverage" in full["paths"] and "/api/v1/coverage" not in served["paths"]


@pytest.mark.parametrize(
    "template, sample",
    [("/api/v1/sites/{id}", "/api/v1/sites/x"), ("/a/{b}/c/{d}", "/a/x/c/x"), ("/healthz", "/healthz")],
)
def test_sample_path(template, sample):
    assert openapi.sample_path(template) == sample


def test_api_page_documents_and_gives_examples(client):
    r = client.get("/api")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'lang="fr"' in html
    for text in ("curl ", "fetch(", "L.geoJSON", "/api/v1/sites/nearest", "/api/v1/openapi.json", "Retry-After"):
        assert text in html
    assert "demandeurs-emploi" in html  # enumerations listed
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_competent_first_order_is_documented(doc):
    nearest = doc["paths"]["/api/v1/sites/nearest"]["get"]
    order = next(p for p in nearest["parameters"] if p["name"] == "order")
    assert order["schema"]["enum"] == ["distance", "competent"]
    assert "compétente" in order["description"] or "competent" in order["description"]
    assert doc["components"]["schemas"]["Filters"]["properties"]["order"]["enum"] == ["distance", "competent"]
