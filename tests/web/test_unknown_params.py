"""Unknown query parameters answer 400 naming the parameter, on every public route."""

import pytest

from finder.service import params
from finder.web import queries

API = [
    "/healthz",
    "/readyz",
    "/api/v1/vocabularies",
    "/api/v1/geocode?q=Aurillac",
    "/api/v1/sites",
    "/api/v1/sites.geojson.gz",
    "/api/v1/sites/nearest?commune=15014",
    "/api/v1/coverage?max_km=20",
    "/api/v1/openapi.json",
]
PAGES = [
    "/",
    "/?q=Aurillac",
    "/embed?commune=15014",
    "/integrer",
    "/couverture?max_km=20",
    "/couverture/planification?max_km=20",
    "/bilan",
    "/api",
]


def _with(url: str, extra: str) -> str:
    return url + ("&" if "?" in url else "?") + extra


@pytest.mark.parametrize("url", API)
def test_api_names_the_unknown_parameter(client, url):
    assert client.get(url).status_code in (200, 503), url  # the route answers without the extra key
    response = client.get(_with(url, "utm_source=lettre"))
    assert response.status_code == 400, url
    error = response.get_json()["error"]
    assert error["code"] == "unknown_parameter"
    assert error["field"] == "utm_source"
    assert "« utm_source »" in error["message"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_a_french_page(client, url):
    assert client.get(url).status_code == 200, url
    response = client.get(_with(url, "netwrok=cio"))
    assert response.status_code == 400, url
    assert response.mimetype == "text/html"
    assert "Paramètre inconnu : « netwrok »" in response.get_data(as_text=True)


def test_a_site_page_and_a_site(client):
    site_id = client.get("/api/v1/sites?page_size=1").get_json()["features"][0]["properties"]["id"]
    assert client.get(f"/api/v1/sites/{site_id}?x=1").get_json()["error"]["field"] == "x"
    assert client.get(f"/lieux/{site_id}?lat=45.2&lon=5.7").status_code == 200
    assert client.get(f"/lieux/{site_id}?lat=45.2&lon=5.7&zoom=3").status_code == 400


def test_declared_parameters_pass(client):
    """Every key a route declares is accepted: its own (valid) values answer 200, not 400."""
    url = "/api/v1/sites/nearest?commune=15014&limit=5&max_km=30&order=competent&accessible=false&network=cio"
    assert client.get(url).status_code == 200
    assert client.get("/embed?commune=15014&partner=https%3A%2F%2Fexample.org&view=map&limit=3").status_code == 200


def test_the_widget_search_form_sends_only_declared_keys(client):
    """What the widget's own form sends back (presets carried as hidden fields, the search fields)."""
    url = "/embed?commune=15014&age=22&profile=0&accent=%23004a8f&q=Aurillac&lat=&lon=&level=2&status="
    assert client.get(url).status_code == 200


def test_the_back_office_is_not_checked(client):
    assert client.get("/admin/login?next=/admin/&publiee=3").status_code == 200


def test_static_files_take_cache_busters_and_tile_templates(client):
    assert client.get("/static/vendor/leaflet/images/layers.png?z=7&x=64&y=45").status_code == 200
    assert client.get("/static/css/app.css?v=3").status_code == 200


def test_citizen_pages_take_the_language_and_the_easy_to_read_mode(client):
    for url in ("/?lang=en&falc=1", "/le-spro-c-est-quoi?lang=ar", "/embed?lang=uk&falc=0"):
        assert client.get(url).status_code == 200, url
    assert client.get("/accessibilite?lang=en").status_code == 400  # the legal pages stay French
    assert client.get("/api/v1/vocabularies?lang=en").status_code == 400


def test_every_public_route_is_declared(app):
    """A new public route must say which parameters it takes (else it accepts none)."""
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if queries.declared(rule.endpoint) is not None and rule.endpoint not in queries.ROUTES
    ]
    assert missing == []


def test_check_known_is_the_declaration():
    args = params.Args({"commune": "15014", "limt": "3"})
    with pytest.raises(params.InvalidParameter) as caught:
        params.NEAREST.check_known(args)
    assert caught.value.field == "limt"
    assert "limit" in caught.value.allowed
    params.NEAREST.check_known(params.Args({"commune": "15014", "limit": "3"}))
