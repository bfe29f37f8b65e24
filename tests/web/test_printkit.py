"""The print and QR kit: site sheet, commune poster, ZIP per area, the kit form; QR codes read back."""

from __future__ import annotations

import html as htmllib
import io
import re
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest

from finder.service import search
from finder.service.params import Args
from finder.web import state
from tests.conftest import make_app
from tests.qr_decode import decode, qr_svgs
from tests.web.test_pages import EXTERNAL

PUBLIC = "https://orientation.exemple.fr"


@pytest.fixture(scope="module")
def public_app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("print"), PUBLIC_URL=PUBLIC)


@pytest.fixture()
def pc(public_app):
    return public_app.test_client()


def qr_url(html: str) -> str:
    """The one QR code of a page, decoded."""
    svgs = qr_svgs(html)
    assert len(svgs) == 1, "one QR code per sheet"
    texts = decode(svgs[0])
    assert len(texts) == 1
    return texts[0]


def first_site(app) -> str:
    with app.app_context():
        return state(app).engine.sites[0].id


def test_site_sheet_has_hours_map_and_a_qr_to_the_site_page(pc, public_app):
    site_id = first_site(public_app)
    r = pc.get(f"/lieux/{site_id}/fiche")
    assert r.status_code == 200 and r.mimetype == "text/html"
    text = r.get_data(as_text=True)
    assert qr_url(text) == f"{PUBLIC}/lieux/{site_id}"
    assert f"{PUBLIC}/lieux/{site_id}</span>" in text  # the address is printed for those who type it
    assert "Horaires habituels" in text and "Du lundi au vendredi" in text
    assert 'class="print-map"' in text and 'class="map-commune"' in text and 'class="map-site"' in text
    assert "@page { size: A4 portrait" in text
    assert '<html lang="fr">' in text and '<main class="sheet"' in text
    assert not EXTERNAL.search(text), "no third-party host: no tiles, no CDN"


def test_without_public_url_the_request_host_is_used(client, app):
    site_id = first_site(app)
    text = client.get(f"/lieux/{site_id}/fiche", base_url="https://mairie.exemple.org").get_data(as_text=True)
    assert qr_url(text) == f"https://mairie.exemple.org/lieux/{site_id}"


def test_unknown_site_sheet_is_a_french_404(client):
    r = client.get("/lieux/nope/fiche")
    assert r.status_code == 404 and "introuvable" in r.get_data(as_text=True).lower()


def test_poster_lists_the_live_search_and_its_qr_opens_it(pc, public_app):
    r = pc.get("/affiche/15014?age=19&status=demandeurs-emploi&limit=6&format=A3")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    url = qr_url(text)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC and parts.path == "/"
    assert parse_qs(parts.query) == {"commune": ["15014"], "age": ["19"], "status": ["demandeurs-emploi"]}
    # the places printed are those the live search gives (same order), numbered on the map
    with public_app.app_context():
        st = state(public_app)
        expected = search.run(
            st.catalog, st.geocoder, Args({"commune": "15014", "age": "19", "status": "demandeurs-emploi"}), 6
        )
    names = [
        htmllib.unescape(n) for n in re.findall(r'<span class="rank" aria-hidden="true">\d+</span> ([^<]+)</h3>', text)
    ]
    assert names == [r.site.name for r in expected.results] and len(names) == 6
    assert len(re.findall(r'class="map-site"', text)) == 6 and 'class="map-origin"' in text
    assert "@page { size: A3 portrait" in text and 'class="paper paper-A3"' in text
    assert "Aurillac" in text and "19 ans" in text


def test_poster_defaults_to_a4_and_five_places(client):
    text = client.get("/affiche/15014").get_data(as_text=True)
    assert "@page { size: A4 portrait" in text
    assert len(re.findall(r'class="map-site"', text)) == 5
    assert urlsplit(qr_url(text)).query == "commune=15014"


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/affiche/99999", 404, "Aucune commune de code INSEE « 99999 »"),
        ("/affiche/99999?format=A5", 404, "Aucune commune de code INSEE « 99999 »"),
        ("/affiche/15014?format=A5", 400, "Valeur inconnue pour « format » : « A5 »"),
        ("/affiche/15014?limit=9", 400, "« limit » doit être compris entre 1 et 8"),
        ("/affiche/15014?age=deux", 400, "« age » doit être un nombre entier"),
        ("/affiches/departement/99.zip", 404, "Département inconnu"),
        ("/affiches/epci/123.zip", 404, "Intercommunalité (EPCI) inconnu"),
        ("/affiches/departement/15.zip?format=A0", 400, "Valeur inconnue pour « format »"),
    ],
)
def test_bad_input_gets_a_french_page(client, url, status, message):
    r = client.get(url)
    assert r.status_code == status and r.mimetype == "text/html"
    assert message in htmllib.unescape(r.get_data(as_text=True))


def test_zip_of_an_epci_holds_one_poster_per_commune(pc, public_app):
    with public_app.app_context():
        geo = state(public_app).geo
    aurillac_epci = geo.communes["15014"].epci
    members = sorted(c.insee for c in geo.communes.values() if c.epci == aurillac_epci)
    r = pc.get(f"/affiches/epci/{aurillac_epci}.zip?format=A3&level=2")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert r.headers["Content-Disposition"] == f'attachment; filename="affiches-epci-{aurillac_epci}-A3.zip"'
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    names = archive.namelist()
    assert names[0] == "index.html"
    posters = names[1:]
    assert [n.split("-")[1] for n in posters] == members and all(n.endswith("-A3.html") for n in posters)
    assert "affiche-15014-aurillac-A3.html" in posters
    index = archive.read("index.html").decode()
    assert index.count("<li>") == len(members) and 'href="affiche-15014-aurillac-A3.html"' in index
    for name in posters[:3] + ["affiche-15014-aurillac-A3.html"]:
        page = archive.read(name).decode()
        insee = name.split("-")[1]
        assert qr_url(page) == f"{PUBLIC}/?commune={insee}&level=2"
        assert "<script" not in page and 'class="toolbar' not in page, "a standalone page: no script, no toolbar"
        assert not EXTERNAL.search(page)


def test_zip_of_a_department_counts_every_commune(client, app):
    with app.app_context():
        geo = state(app).geo
    r = client.get("/affiches/departement/15.zip")
    assert r.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert len(names) - 1 == sum(1 for c in geo.communes.values() if c.department == "15")


def test_the_zips_are_heavy_pages_with_their_own_budget(tmp_path):
    c = make_app(tmp_path, HEAVY_PAGES_PER_MINUTE=1, HEAVY_PAGES_BURST=1).test_client()
    client = {"REMOTE_ADDR": "198.51.100.30"}
    epci = "200066660"
    assert c.get(f"/affiches/epci/{epci}.zip", environ_base=client).status_code == 200
    refused = c.get(f"/affiches/epci/{epci}.zip", environ_base=client)
    assert refused.status_code == 429 and "Retry-After" in refused.headers and "Trop de requêtes" in refused.text
    # a single poster and the kit stay cheap pages, outside that budget
    assert c.get("/affiche/15014", environ_base=client).status_code == 200
    assert c.get("/kit-impression", environ_base=client).status_code == 200


def test_kit_form_offers_every_choice_and_links_the_documents(client):
    blank = client.get("/kit-impression").get_data(as_text=True)
    for field in ('id="commune_q"', 'id="department"', 'id="epci"', 'id="format-A4" name="format" value="A4" checked',
                  'id="format-A3"', 'id="limit"', 'id="age"', 'id="status"', 'id="level"'):  # fmt: skip
        assert field in blank, field
    assert "Vos documents" not in blank
    r = client.get("/kit-impression?commune_q=Aurillac&department=15&epci=200066660&format=A3&age=19&limit=4")
    text = htmllib.unescape(r.get_data(as_text=True))
    assert r.status_code == 200 and "Vos documents" in text
    assert 'href="/affiche/15014?format=A3&age=19&limit=4"' in text
    assert 'href="/affiches/departement/15.zip?format=A3&age=19&limit=4"' in text
    assert 'href="/affiches/epci/200066660.zip?format=A3&age=19&limit=4"' in text
    assert "Cantal (15) — 250 communes" in text


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("commune_q=zzqxw", "commune_q", "Aucune commune ne correspond à « zzqxw »"),
        ("department=99", "department", "Valeur inconnue pour « department » : « 99 »"),
        ("format=A5", "format", "Valeur inconnue pour « format » : « A5 »"),
    ],
)
def test_kit_form_errors_are_french_and_named(client, query, field, message):
    r = client.get(f"/kit-impression?{query}")
    text = htmllib.unescape(r.get_data(as_text=True))
    assert r.status_code == 400 and f'<p class="field-error" id="{field}-error">{message}' in text


def test_site_page_and_staff_pages_link_to_the_kit(client, app):
    site_id = first_site(app)
    text = client.get(f"/lieux/{site_id}").get_data(as_text=True)
    assert f'href="/lieux/{site_id}/fiche"' in text and 'href="/kit-impression"' in text
