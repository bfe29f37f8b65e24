"""Adding a profile filter touches two declarations, and every adapter follows.

A throwaway filter ("sans rendez-vous": sites where one can walk in) is declared for the
duration of the test: its semantics in the domain (one ``Flag``) and its parameter in the
service (one ``Param`` in ``PROFILE``). The API filters with it, the OpenAPI document, the
page forms and the command line offer it, and the index computes exactly ``matches``.
"""

from __future__ import annotations

import pytest

from finder.cli import main as cli
from finder.domain.criteria import Criteria, matches
from finder.domain.filters import Flag
from finder.service import params
from finder.service.params import Field, Param
from tests.conftest import make_app

WALK_IN = Flag("walk_in", lambda facts: not facts.site.appointment)
PARAM = Param(
    "walk_in",
    params.Flag(),
    "Sans rendez-vous",
    "true : lieux qui reçoivent sans rendez-vous seulement.",
    criterion="walk_in",
    fields={
        "search": Field("checkbox", "options", label="Je peux venir sans rendez-vous"),
        "staff": Field("checkbox", "flags", label="Sans rendez-vous seulement"),
    },
)


@pytest.fixture()
def declared(tmp_path):
    with params.declared(PARAM, WALK_IN):
        yield make_app(tmp_path)


def test_the_api_filters_with_it(declared):
    client = declared.test_client()
    url = "/api/v1/sites/nearest?commune=69123&limit=50"
    everything = client.get(url).get_json()["features"]
    assert any(f["properties"]["appointment"] for f in everything), "the demo must have sites on appointment"
    walk_in = client.get(url + "&walk_in=true").get_json()
    assert walk_in["filters"]["walk_in"] is True
    assert walk_in["features"] and not any(f["properties"]["appointment"] for f in walk_in["features"])
    sites = client.get("/api/v1/sites?walk_in=oui").get_json()["features"]
    assert sites and not any(f["properties"]["appointment"] for f in sites)
    bad = client.get(url + "&walk_in=peut-etre")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "walk_in"


def test_the_documents_and_forms_offer_it(declared):
    client = declared.test_client()
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/sites/nearest", "/api/v1/sites", "/api/v1/coverage"):
        names = {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}
        assert names["walk_in"]["schema"] == {"type": "boolean"}, path
    assert "walk_in" in doc["components"]["schemas"]["Filters"]["properties"]
    page = client.get("/?q=Aurillac&walk_in=true").get_data(as_text=True)
    assert 'name="walk_in" value="true" checked' in page and "Je peux venir sans rendez-vous" in page
    staff = client.get("/couverture").get_data(as_text=True)
    assert 'name="walk_in"' in staff and "Sans rendez-vous seulement" in staff
    assert "walk_in" in client.get("/api").get_data(as_text=True)


def test_the_command_line_offers_it(declared, tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite3")
    client = declared.test_client()
    for extra, qs in (([], ""), (["--walk-in"], "&walk_in=true")):
        assert cli.main(["--database", db, "nearest", "--commune", "69123", "--limit", "10", *extra]) == 0
        printed = capsys.readouterr().out
        api = client.get("/api/v1/sites/nearest?commune=69123&limit=10" + qs).get_json()["features"]
        assert [f["properties"]["name"][:60] in printed for f in api] == [True] * 10
    assert cli.main(["--database", db, "coverage", "--walk-in", "--level", "2"]) == 0


def test_the_index_computes_exactly_matches(declared, engine):
    for c in (Criteria(walk_in=True), Criteria(walk_in=True, level=2, age=20)):
        got = set(engine.index.positions(c))
        want = {
            i
            for i, s in enumerate(engine.sites)
            if matches(s, engine.structures[s.structure_id], c, engine.departments[i])
        }
        assert got == want and 0 < len(got) < len(engine.sites)


def test_it_is_gone_after_the_block(tmp_path):
    with params.declared(PARAM, WALK_IN):
        pass
    assert PARAM not in params.PROFILE
    with pytest.raises(TypeError):
        Criteria(walk_in=True)
