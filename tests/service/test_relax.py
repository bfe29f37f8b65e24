"""When nothing fits: the counts of ``relax.why_nothing`` against a brute-force count, the no-result
page (why, one link per filter dropped, remote services, the regional line) and the API's explanation."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from finder.domain import geodesy
from finder.domain.criteria import Criteria, matches
from finder.service import relax
from tests.conftest import make_app

CASES = [
    ("15014", Criteria(level=2, age=40, networks={"apec"}, accessible=True), 30.0),
    ("69123", Criteria(level=2, accessible=True, status="salaries"), 3.0),
    ("74080", Criteria(age=19, level=1, mode="a-distance"), 30.0),
    ("01053", Criteria(qualification="niveau-5", networks={"cio", "apec"}), None),
    ("38185", Criteria(age=30, territory_only=True, level=2), 15.0),
]


def _brute(engine, origin, criteria: Criteria, radius_km):
    keys = engine.competence_keys(origin)

    def count(c: Criteria) -> int:
        n = 0
        for i, s in enumerate(engine.sites):
            near = radius_km is None or geodesy.distance_km(origin.lat, origin.lon, s.lat, s.lon) <= radius_km
            if near and matches(s, engine.structures[s.structure_id], c, engine.departments[i], keys):
                n += 1
        return n

    rows = [
        (name, count(Criteria(**{name: v})), count(criteria.replace(**{name: None}))) for name, v in criteria.values
    ]
    if criteria.territory_only:
        rows.append(
            ("territory_only", count(Criteria(territory_only=True)), count(criteria.replace(territory_only=False)))
        )
    return count(Criteria()), rows


@pytest.mark.parametrize("commune, criteria, radius", CASES)
def test_the_counts_equal_a_brute_force_count(engine, commune, criteria, radius):
    origin = engine.origin_from_commune(commune)
    got = relax.why_nothing(engine, origin, criteria, radius)
    nearby, rows = _brute(engine, origin, criteria, radius)
    assert got.nearby == nearby > 0
    assert [(r.name, r.keeps, r.count) for r in got.relaxations] == rows
    assert any(keeps < nearby for _, keeps, _ in rows), "each case must exclude something"


def test_the_sentence_says_which_filters_excluded_the_places(engine):
    origin = engine.origin_from_commune("15014")
    got = relax.why_nothing(engine, origin, Criteria(level=2, networks={"apec"}), 30.0)
    assert got.sentence().startswith(f"{got.nearby} lieux à moins de 30 km, mais aucun pour le niveau 2")
    assert got.sentence().endswith("et le réseau Apec.")
    assert got.as_json()["relaxations"][1] == {
        "filter": "network",
        "text": "le réseau Apec",
        "keeps": got.relaxations[1].keeps,
        "count_without": got.relaxations[1].count,
    }


NOTHING = "/?commune=15014&age=40&level=2&network=apec&accessible=true"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("relax"), REGIONAL_PHONE="04 00 00 00 00", REGIONAL_PHONE_HOURS="en semaine")
    return app.test_client()


def _links(body: str) -> dict[str, str]:
    """Relaxation links of a page: text -> href."""
    block = body.split('class="relax-list"')[1].split("</ul>")[0]
    return {
        html.unescape(re.sub(r"<[^>]+>", "", t)): html.unescape(h)
        for h, t in re.findall(r'href="([^"]+)"[^>]*>(.*?)</a>', block)
    }


def test_the_no_result_page_explains_and_offers_to_relax_each_filter(client, engine):
    body = client.get(NOTHING).get_data(as_text=True)
    text = html.unescape(body)
    want = relax.why_nothing(
        engine, engine.origin_from_commune("15014"), Criteria(age=40, level=2, networks={"apec"}, accessible=True), 30.0
    )
    assert want.sentence() in text
    for r in want.relaxations:
        assert f"{r.text[0].upper()}{r.text[1:]} : garde " in text
    links = _links(body)
    relaxable = [r for r in want.relaxations if r.count]
    assert relaxable and len(links) == len(relaxable)
    for r in relaxable:
        href = links[f"Sans {r.text} : {r.count} lieu{'x' if r.count > 1 else ''} à moins de 30 km"]
        kept = parse_qs(urlsplit(href).query)
        everything = {"commune": ["15014"], "age": ["40"], "level": ["2"], "network": ["apec"], "accessible": ["true"]}
        assert kept == {k: v for k, v in everything.items() if k != r.param}
        relaxed_page = client.get(href).get_data(as_text=True)
        assert 'class="relax-list"' not in relaxed_page and '<li class="card' in relaxed_page, href
    for r in want.relaxations:
        if not r.count:
            assert f"Sans {r.text} : toujours aucun lieu à moins de 30 km" in text


def test_the_no_result_page_lists_remote_services_and_the_regional_line(client):
    text = html.unescape(client.get(NOTHING).get_data(as_text=True))
    assert "à distance (téléphone, visio)</h3>" in text
    remote = text.split("à distance (téléphone, visio)</h3>")[1]
    assert remote.count("Aussi à distance") >= 1
    assert 'href="tel:0400000000">04 00 00 00 00</a> (en semaine)' in text


def test_without_a_configured_line_none_is_shown(tmp_path):
    text = make_app(tmp_path).test_client().get(NOTHING).get_data(as_text=True)
    assert "Ligne régionale" not in text and "Élargir en retirant un seul critère" in text


def test_a_page_with_results_shows_no_explanation(client):
    text = client.get("/?commune=15014&level=2").get_data(as_text=True)
    assert 'class="relax-list"' not in text and "mais aucun pour" not in text


def test_the_widget_explains_too(client):
    text = html.unescape(
        client.get("/embed?commune=15014&age=40&level=2&network=apec&accessible=true").get_data(as_text=True)
    )
    assert "mais aucun pour 40 ans" in text and "Élargir en retirant un seul critère" in text
    assert re.search(r'href="/embed\?[^"]*commune=15014', text)


def test_the_api_empty_answer_carries_the_explanation(client, engine):
    url = "/api/v1/sites/nearest?commune=15014&max_km=30&age=40&level=2&network=apec&accessible=true"
    answer = client.get(url).get_json()
    assert answer["features"] == []
    want = relax.why_nothing(
        engine, engine.origin_from_commune("15014"), Criteria(age=40, level=2, networks={"apec"}, accessible=True), 30.0
    )
    assert answer["explanation"] == want.as_json()
    assert "explanation" not in client.get("/api/v1/sites/nearest?commune=15014&max_km=30").get_json()
    doc = client.get("/api/v1/openapi.json").get_json()
    schema = doc["paths"]["/api/v1/sites/nearest"]["get"]["responses"]["200"]["content"]
    assert "explanation" in str(schema) or "explanation" in str(doc["components"]["schemas"])


@pytest.mark.parametrize(
    ("lang", "said", "widen", "without"),
    [
        (
            "en",
            "places within 30 km, but none for 40 years old, level 2",
            "Widen by removing one criterion",
            "Without ",
        ),
        ("ar", "على بعد أقل من 30 كم", "وسّع البحث بإزالة معيار واحد", "بدون "),
        ("uk", "ближче ніж 30 км, але жодного для 40 р., рівень 2", "Розширити пошук, прибравши один критерій", "Без "),
    ],
)
def test_the_no_result_page_speaks_the_readers_language(client, lang, said, widen, without):
    """Counts, filters and links of the explanation are translated, plural forms by the language's rule."""
    body = client.get(f"{NOTHING}&lang={lang}").get_data(as_text=True)
    text = html.unescape(body)
    assert said in text and widen in text
    assert "mais aucun pour" not in text and "Élargir" not in text and " lieux à moins de" not in text
    links = _links(body)
    assert links and all(label.startswith(without) for label in links)
    # the widget keeps no cookie: its relaxed searches carry the language
    widget = client.get("/embed" + NOTHING[1:] + f"&lang={lang}").get_data(as_text=True)
    assert widen in html.unescape(widget)
    assert all(parse_qs(urlsplit(href).query)["lang"] == [lang] for href in _links(widget).values())


def test_plural_forms_follow_each_language():
    """One place, two places, eleven places: French, English, Arabic (six forms) and Ukrainian (three)."""
    from babel.support import Translations

    from finder.text import in_language
    from finder.web.i18n import TRANSLATIONS

    def said(lang: str, n: int) -> str:
        t = Translations.load(str(TRANSLATIONS), [lang])
        return in_language(relax.places(n), t.ugettext, t.ungettext)

    assert [relax.places(n) for n in (0, 1, 2)] == ["aucun lieu", "1 lieu", "2 lieux"]
    assert [said("en", n) for n in (0, 1, 2)] == ["no place", "1 place", "2 places"]
    assert [said("ar", n) for n in (1, 2, 5, 11, 100)] == ["مكان واحد", "مكانان", "5 أماكن", "11 مكانًا", "100 مكان"]
    assert [said("uk", n) for n in (1, 3, 5, 21)] == ["1 місце", "3 місця", "5 місць", "21 місце"]
