"""Field-staff pages: /couverture, its exports, /couverture/planification and /bilan."""

import csv
import html as htmllib
import io
import json
import re

import pytest

from finder.domain import bilan, coverage, vocab
from finder.domain.criteria import Criteria


def text(r) -> str:
    return r.get_data(as_text=True)


def test_coverage_form_alone_without_parameters(client):
    r = client.get("/couverture")
    assert r.status_code == 200
    page = text(r)
    assert "<form" in page and 'name="max_km"' in page and 'value="20"' in page
    assert "leaflet" not in page  # no analysis, no map


def test_coverage_page_for_the_region(client, engine):
    r = client.get("/couverture?level=2&max_km=20")
    assert r.status_code == 200
    page = text(r)
    cov = coverage.analyser(engine).coverage(Criteria(level=2), 20)
    s = cov.summary()
    share = f"{100 * s.share_covered:.1f}".replace(".", ",")
    assert f"{share} % de la population à moins de 20,0 km" in page
    assert page.count('<tr><th scope="row">') >= 12 + 1  # départements, then zones blanches
    assert f"Zones blanches : {len(cov.uncovered())} communes" in page
    assert re.search(r"data-js=\"/static/vendor/leaflet/leaflet\.[0-9a-f]{10}\.js\"", page)
    assert "cdn" not in page.lower() and "unpkg" not in page and "jsdelivr" not in page
    assert len(r.data) < 3_000_000
    assert 'href="/couverture/export.csv?' in page and 'href="/couverture/export.geojson?' in page


def test_the_form_as_a_browser_sends_it(client):
    qs = "age=&status=&qualification=&level=2&network=&mode=&max_km=20&department="
    r = client.get("/couverture?" + qs)
    assert r.status_code == 200 and "de la population à moins de 20,0 km" in text(r)


def test_coverage_page_for_a_department_lists_epcis(client):
    page = text(client.get("/couverture?level=2&department=15"))
    assert "Cantal" in page and "Communauté de communes" in page
    assert "Région Auvergne-Rhône-Alpes" not in page.split("<tfoot>")[1][:400]


def _map_site_urls(page: str) -> set[str]:
    """The links of the sites drawn on a coverage map: their common part is written once."""
    common = json.loads(re.search(r"p\.url = (\"[^\"]*\") \+ p\.u;", page).group(1))
    return {common + u for u in re.findall(r'"u":"([^"]*)"', page)}


def test_coverage_map_of_a_department_shows_its_sites_and_the_nearest_of_its_communes(client, engine):
    page = text(client.get("/couverture?level=2&department=15&max_km=20"))
    cov = coverage.analyser(engine).coverage(Criteria(level=2), 20)
    mask = cov.communes.mask("15")
    wanted = {s.id for s in engine.matching(Criteria(level=2)) if engine.geo.communes[s.commune].department == "15"}
    wanted |= {engine.sites[int(p)].id for p in cov.site_pos[mask] if p >= 0}
    assert any(
        engine.geo.communes[engine.sites[int(p)].commune].department != "15" for p in cov.site_pos[mask] if p >= 0
    )
    urls = _map_site_urls(page)
    assert {u.rsplit("/", 1)[1] for u in urls} == wanted
    assert f"sur la carte, les {len(wanted)} situés dans le département" in page


def test_a_territory_with_too_many_communes_is_mapped_one_department_at_a_time(client, monkeypatch):
    from finder.service import coverage as coverage_service

    monkeypatch.setattr(coverage_service, "MAP_MAX_COMMUNES", 1000)
    page = text(client.get("/couverture?level=2&max_km=20"))
    assert "leaflet" not in page and 'id="coverage-no-map"' in page
    assert "choisissez un département" in page
    assert 'href="/couverture?level=2&amp;max_km=20&amp;department=15"' in page  # each département links its map
    assert "Zones blanches" in page
    one = text(client.get("/couverture?level=2&max_km=20&department=15"))
    assert "leaflet" in one and 'id="coverage-no-map"' not in one


@pytest.mark.parametrize(
    "qs, message",
    [
        ("max_km=0", "strictement positif"),
        ("max_km=abc", "nombre décimal"),
        ("department=2A", "Valeur inconnue pour « department »"),
        ("age=200", "« age » doit être compris entre 0 et 120"),
        ("network=%3Cscript%3E", "Réseau inconnu"),
    ],
)
def test_bad_input_redisplays_the_form_in_french(client, qs, message):
    r = client.get("/couverture?" + qs)
    assert r.status_code == 400
    page = text(r)
    assert message in page and "<form" in page
    assert "<script>" not in page.split("</header>")[1].split("<footer")[0]


def test_user_text_is_escaped(client):
    page = text(client.get("/couverture?status=%22%3E%3Cimg%20src=x%3E"))
    assert '"><img src=x>' not in page
    assert "&#34;&gt;&lt;img src=x&gt;" in page or "&quot;&gt;&lt;img" in page


def test_csv_export_downloads_and_parses(client):
    r = client.get("/couverture/export.csv?level=2&department=43&max_km=15")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="couverture-43-15km.csv"' in r.headers["Content-Disposition"]
    body = r.data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0][:2] == ["Code INSEE", "Commune"] and all(row[2] == "43" for row in rows[1:])


def test_geojson_export_downloads_and_parses(client):
    r = client.get("/couverture/export.geojson?network=cio&max_km=30")
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    fc = r.get_json(force=True)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) >= 4000
    assert fc["filters"] == {"network": ["cio"]}


def test_export_bad_input_is_a_french_400_page(client):
    r = client.get("/couverture/export.csv?max_km=0")
    assert r.status_code == 400 and "strictement positif" in text(r)


def test_planning_page(client):
    r = client.get("/couverture/planification?level=2&max_km=20&k=3")
    assert r.status_code == 200
    page = text(r)
    suggest = page.split('id="suggest-table"')[1].split("</table>")[0]
    assert suggest.count("<tr><td>") == 3
    critical = page.split('id="critical-table"')[1].split("</table>")[0]
    assert 0 < critical.count("<tr><td>") <= 20 and "/lieux/lieu-" in critical


def test_planning_bad_k(client):
    r = client.get("/couverture/planification?level=2&k=0")
    assert r.status_code == 400 and "« k » doit être compris entre 1 et 20" in text(r)


def test_bilan_shows_the_2023_figures_computed_from_the_table(client):
    r = client.get("/bilan")
    assert r.status_code == 200
    page = text(r)
    figures = dict(re.findall(r'id="kf-(\w+)">([^<]*)<', page))
    assert figures == {"structures": "566", "sites": "1 073", "people": "3 011 344", "professionals": "6 966"}
    assert "Bilan du SPRO 2023" in page and page.count("<svg") >= 6
    assert "Femmes" in page and "16 à 25 ans" in page and "Cercle 2" in page


def test_bilan_follows_the_activity_file(tmp_path):
    from tests.conftest import make_app

    path = tmp_path / "activity.csv"
    head = ",".join(bilan.COLUMNS)
    path.write_text(f"{head}\nstr-0001,2023,7,3,4,0,0,7,0,0,0,7,0,0,0,0,2\n", encoding="utf-8")
    client = make_app(tmp_path, ACTIVITY_FILE=str(path)).test_client()
    figures = dict(re.findall(r'id="kf-(\w+)">([^<]*)<', text(client.get("/bilan"))))
    assert figures["structures"] == "1" and figures["people"] == "7"


@pytest.mark.parametrize("qs", ["annee=1999", "annee=abc", "annee=2023&annee=2022"])
def test_bilan_bad_year(client, qs):
    r = client.get("/bilan?" + qs)
    assert r.status_code == 400 and 'id="annee-error"' in text(r)


@pytest.mark.parametrize(
    "table", ["structures", "lieux", "cercles", "reseaux", "genre", "age", "provenance", "departements"]
)
def test_bilan_csv_exports(client, table):
    r = client.get(f"/bilan/export.csv?annee=2023&tableau={table}")
    assert r.status_code == 200 and f"bilan-spro-2023-{table}.csv" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    assert rows[-1][0] == "Total"
    if table in ("genre", "age", "provenance", "departements"):  # the on-screen « Part » column too
        assert rows[0][-1] == "Part (%)" and rows[-1][1] == "3011344" and rows[-1][-1] == "100,0"
        shares = [float(row[-1].replace(",", ".")) for row in rows[1:-1]]
        assert abs(sum(shares) - 100) < 0.5
    if table in ("cercles", "reseaux"):  # structures, sites, people, trained: no mixed-unit Total column
        assert "Total" not in rows[0] and rows[0][1:] == [
            "Structures", "Lieux d'accueil", "Personnes accueillies", "Professionnels formés"
        ]  # fmt: skip
        assert len(rows[-1]) == 5
    if table == "structures":
        assert rows[0][-1] == "Total" and rows[-1][-1] == "566"


def test_bilan_charts_read_whole_sorted_and_download(client):
    page = text(client.get("/bilan?annee=2023"))
    chart = page.split('id="chart-reseaux-personnes"')[1].split("</svg>")[0]
    labels = [
        htmllib.unescape(" ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", g)))
        for g in re.findall(r"<text[^>]*chart-label[^>]*>(.*?)</text>", chart)
    ]
    assert sorted(labels) == sorted(n.label for n in vocab.NETWORKS)  # wrapped, never cut
    values = [int(v.replace("\u202f", "").replace(" ", "")) for v in re.findall(r'class="chart-value">([^<]*)<', chart)]
    assert values == sorted(values, reverse=True) and len(values) == 13
    ages = page.split('id="chart-age"')[1].split("</svg>")[0]
    assert ages.index("Moins de 16 ans") < ages.index("16 à 25 ans") < ages.index("45 ans et plus")  # in order
    assert 'id="chart-departements"' in page and "Personnes accueillies par département" in page
    assert "Cantal" in page.split('id="table-departements"')[1].split("</table>")[0]
    svg = client.get("/bilan/graphique/reseaux-personnes.svg?annee=2023")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert 'attachment; filename="bilan-spro-2023-reseaux-personnes.svg"' == svg.headers["Content-Disposition"]
    body = svg.get_data(as_text=True)
    assert body.lstrip().startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<style>" in body
    assert "Personnes accueillies par réseau" in body
    assert client.get("/bilan/graphique/nope.svg").status_code == 404
    assert client.get("/bilan/graphique/age.svg?annee=1990").status_code == 400
    assert 'data-png="bilan-spro-2023-age.png"' in page


def test_bilan_csv_unknown_table(client):
    assert client.get("/bilan/export.csv?tableau=x").status_code == 400


def test_planning_suggestions_in_plain_words_on_a_map_and_in_a_csv(client):
    page = text(client.get("/couverture/planification?level=2&max_km=20&k=3&department=15"))
    assert "glouton" not in page
    reasons = re.findall(r"<li>(Un lieu à .*?)</li>", page)
    assert len(reasons) == 3
    assert re.match(r"Un lieu à .+ \(Cantal\) mettrait [\d\u00a0]+ habitants de \d+ communes? de plus", reasons[0])
    assert "en plus des suggestions précédentes" in reasons[1]
    table = page.split('id="suggest-table"')[1].split("</table>")[0]
    assert "Communauté" in table or "CA " in table  # EPCI names, not SIREN codes
    assert not re.search(r"<td>\d{9}</td>", table)
    assert 'data-map="map_' in page and '"title":"Suggestion 1 : ' in page
    r = client.get("/couverture/planification/export.csv?level=2&max_km=20&k=3&department=15")
    assert r.status_code == 200 and r.headers["Content-Disposition"].endswith('suggestions-15-20km.csv"')
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Étape" and rows[0][-1] == "Raison" and len(rows) == 4
    assert [row[-1] for row in rows[1:]] == [htmllib.unescape(x) for x in reasons]
    assert client.get("/couverture/planification/export.csv?level=2&k=0").status_code == 400


def test_age_ranges_on_the_staff_pages(client):
    page = text(client.get("/couverture?age_range=16-25&network=mission-locale&max_km=20&department=15"))
    assert "16 à 25 ans · Mission locale" in page
    assert '<option value="16-25" selected>16 à 25 ans</option>' in page
    assert json.dumps("Pour qui : 16 à 25 ans") in page  # the sites' popups on the map say who they receive
    plan = text(client.get("/couverture/planification?network=mission-locale&max_km=20&department=15"))
    critical = plan.split('id="critical-table"')[1].split("</table>")[0]
    assert "<td>16 à 25 ans</td>" in critical
