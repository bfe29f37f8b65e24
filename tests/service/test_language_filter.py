"""« On m'accueille dans ma langue »: the ``langue`` filter, declared once, in every adapter.

The demo directory gives no languages; the tests run on a copy where some sites speak English,
Arabic or Ukrainian. French is spoken everywhere: ``langue=fr`` keeps every site.
"""

from __future__ import annotations

import json

import pytest

from finder.cli import main as cli
from finder.domain.criteria import Criteria, matches
from finder.domain.engine import Engine
from finder.present import explain
from finder.storage.store import Store
from tests.conftest import DEMO, make_app

NEAREST = "/api/v1/sites/nearest?commune=69123&limit=30"


def _spoken(i: int) -> list[str]:
    return ["en"] if i % 3 == 0 else ["ar", "uk"] if i % 5 == 0 else []


@pytest.fixture(scope="module")
def directory_file(tmp_path_factory):
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    for i, site in enumerate(data["sites"]):
        site["languages"] = _spoken(i)
    path = tmp_path_factory.mktemp("langues") / "directory.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def spoken(directory_file):
    data = json.loads(directory_file.read_text(encoding="utf-8"))
    return {s["id"]: set(s["languages"]) for s in data["sites"]}


@pytest.fixture()
def client(directory_file, tmp_path):
    return make_app(tmp_path, DEMO_DIRECTORY=str(directory_file)).test_client()


def _ids(answer) -> list[str]:
    return [f["id"] for f in answer["features"]]


def test_the_api_keeps_the_sites_speaking_the_language(client, spoken):
    english = client.get(NEAREST + "&langue=en").get_json()
    assert english["filters"]["langue"] == "en"
    assert english["features"] and all("en" in spoken[i] for i in _ids(english))
    assert all(f["properties"]["languages"] == ["en"] for f in english["features"])
    arabic = _ids(client.get(NEAREST + "&langue=ar").get_json())
    assert arabic and all(spoken[i] == {"ar", "uk"} for i in arabic)
    everyone = _ids(client.get(NEAREST).get_json())
    assert _ids(client.get(NEAREST + "&langue=fr").get_json()) == everyone, "French is spoken everywhere"
    assert any(not spoken[i] for i in everyone)
    sites = client.get("/api/v1/sites?langue=uk").get_json()["features"]
    assert sites and all("uk" in spoken[f["id"]] for f in sites)


def test_a_bad_language_is_refused_naming_the_field(client):
    bad = client.get(NEAREST + "&langue=klingon")
    assert bad.status_code == 400
    error = bad.get_json()["error"]
    assert error["field"] == "langue" and "en" in error["allowed"]


def test_the_documents_and_forms_offer_it(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/sites/nearest", "/api/v1/sites", "/api/v1/coverage"):
        names = {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}
        assert {"fr", "en", "ar", "uk", "lsf"} <= set(names["langue"]["schema"]["enum"]), path
    assert "langue" in doc["components"]["schemas"]["Filters"]["properties"]
    page = client.get("/?commune=69123&langue=en").get_data(as_text=True)
    assert "On m&#39;accueille dans ma langue" in page
    assert '<option value="en" selected>Anglais</option>' in page
    assert "Accueil aussi en anglais" in page and "accueil en anglais" in page
    assert 'name="langue"' in client.get("/couverture").get_data(as_text=True)
    assert 'name="langue"' in client.get("/integrer").get_data(as_text=True)
    assert 'name="langue"' in client.get("/embed?commune=69123").get_data(as_text=True)


def test_the_command_line_offers_it(client, directory_file, tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "cli.sqlite3")
    monkeypatch.setenv("SPRO_DEMO_DIRECTORY", str(directory_file))  # the CLI's database starts from this file
    assert cli.main(["--database", db, "nearest", "--commune", "69123", "--limit", "5", "--langue", "en"]) == 0
    printed = capsys.readouterr().out
    api = client.get("/api/v1/sites/nearest?commune=69123&limit=5&langue=en").get_json()["features"]
    assert all(f["properties"]["name"][:60] in printed for f in api)


def test_the_index_computes_exactly_matches(directory_file, geo, tmp_path):
    store = Store(tmp_path / "spro.sqlite3")
    store.initialise(directory_file)
    engine = Engine(store.load(), geo)
    for c in (Criteria(language="en"), Criteria(language="ar", level=2), Criteria(language="fr")):
        got = set(engine.index.positions(c).tolist())
        want = {
            i
            for i, s in enumerate(engine.sites)
            if matches(s, engine.structures[s.structure_id], c, engine.departments[i])
        }
        assert got == want
    assert len(engine.index.positions(Criteria(language="fr"))) == len(engine.sites)
    assert 0 < len(engine.index.positions(Criteria(language="en"))) < len(engine.sites)


def test_the_summary_says_it():
    assert "accueil en langue des signes française (LSF)" in explain.summary("Lyon", Criteria(language="lsf"))
