"""Citizen pages rendered server-side: search, choices, errors, site page, escaping, no third-party host."""

import html as htmllib
import re
from dataclasses import replace

import pytest

from finder.domain.model import Closure
from finder.storage.store import Store
from tests.conftest import make_app
from tests.fake_ban import FakeBan

EXTERNAL = re.compile(
    r"""<(?:script|img|iframe|source)\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def page(client, url, status=200):
    """The page's HTML, unescaped, without its inlined stylesheet (whose class names would match)."""
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return re.sub(r"<style>.*?</style>", "<style></style>", htmllib.unescape(r.get_data(as_text=True)), flags=re.S)


def test_home_is_a_french_form_with_demo_banner(client):
    html = page(client, "/")
    assert '<html lang="fr" dir="ltr">' in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    assert "les structures et lieux affichés sont fictifs" in html
    for field in ('id="q"', 'id="age"', 'id="status"', 'id="qualification"', 'name="level"', 'id="accessible"'):
        assert field in html
    assert "<legend>Votre besoin</legend>" in html
    assert 'id="locate" hidden' in html  # shown by JavaScript only


def test_results_list_at_a_shareable_url(client):
    html = page(client, "/?q=Aurillac&age=22&status=demandeurs-emploi&level=2")
    assert "lieux d'accueil près de Aurillac (15000, Cantal)" in html
    assert 5 <= html.count('<li class="card') <= 10  # those within 30 km
    assert "Votre Mission locale :" in html and "Compétente pour Aurillac" in html
    assert "Ouvert maintenant" in html or "Fermé maintenant" in html
    assert "Aujourd'hui" in html
    assert 'class="why"' in html
    assert 'class="folium-map"' in html
    assert 'value="Aurillac"' in html and 'value="22"' in html


def test_position_search_says_near_commune(client):
    html = page(client, "/?lat=45.7667&lon=4.88")
    assert "près de Villeurbanne" in html


def test_commune_choice_for_ambiguous_input(client):
    html = page(client, "/?q=Saint-Martin&age=30")
    assert "communes correspondent à « Saint-Martin » : laquelle ?" in html
    assert "commune=38421" in html and "age=30" in html
    assert '<li class="card' not in html


def test_postcode_shared_by_communes_offers_a_choice(client):
    html = page(client, "/?q=01500")
    assert "8 communes correspondent à « 01500 »" in html


def test_unknown_place(client):
    html = page(client, "/?q=zzzz")
    assert "ne correspond à « zzzz »" in html


@pytest.mark.parametrize(
    "qs, message",
    [
        ("q=Lyon&age=abc", "« age » doit être un nombre entier"),
        ("q=Lyon&status=x", "Valeur inconnue pour « status »"),
        ("lat=95&lon=4", "« lat » doit être compris"),
        ("commune=99999", "Code commune INSEE inconnu"),
        ("lat=45", "« lon » manque"),
    ],
)
def test_bad_input_gets_a_french_message_not_a_500(client, qs, message):
    html = page(client, f"/?{qs}", status=400)
    assert message in html
    assert 'aria-invalid="true"' in html


def test_nothing_within_reach_offers_remote_services(client):
    html = page(client, "/?commune=15014&network=apec")
    assert "Aucun lieu d'accueil adapté à moins de 30 km" in html
    assert "Services possibles à distance" in html
    assert "Aussi à distance" in html


def test_site_page(client, engine):
    site = engine.sites[0]
    html = page(client, f"/lieux/{site.id}")
    assert site.name in html
    assert "Horaires" in html and "(aujourd'hui)" in html
    assert "Services et publics" in html and "Pour qui :" in html
    assert "openstreetmap.org/directions" in html
    assert "@media print" not in html  # print layout lives in the stylesheet (inlined, see test_assets)
    assert 'class="folium-map"' in html


def test_unknown_site_is_a_french_404(client):
    html = page(client, "/lieux/inconnu", status=404)
    assert "Aucun lieu d'accueil ne porte l'identifiant" in html


@pytest.mark.parametrize("url", ["/", "/?q=Grenoble&level=2", "/?q=Saint-Martin", "/lieux/lieu-0001", "/nope"])
def test_no_asset_from_another_host(client, url):
    html = client.get(url).get_data(as_text=True)
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)


def test_stylesheet_imports_nothing_external(client):
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert not EXTERNAL.search(css) and "url(http" not in css


@pytest.mark.parametrize("mode", ["", "&lang=en", "&lang=ar", "&lang=uk", "&lang=es", "&lang=pt", "&falc=1&lang=ar"])
def test_results_page_budget(client, mode):
    for url in ("/?q=Grenoble&age=22&level=2", "/?q=Lyon", "/?lat=45.76&lon=4.85"):
        r = client.get(url + mode)
        assert r.status_code == 200 and "lieu-" in r.get_data(as_text=True)
        assert len(r.data) <= 150_000  # server time is measured by scripts/bench_pages.py


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory, engine):
    """A directory whose first site and structure carry markup in their names."""
    tmp = tmp_path_factory.mktemp("hostile")
    app = make_app(tmp)
    store = Store(app.config["DATABASE"])
    d = store.load()
    evil = "<script>alert(1)</script>"
    site = replace(d.sites[0], name=evil + " </script><!--", address='"><img src=x onerror=alert(2)>')
    st = d.structures[site.structure_id]
    structures = dict(d.structures, **{st.id: replace(st, name=evil)})
    v = store.add_version(list(structures.values()), [site] + d.sites[1:], demo=True, source="t", author="t")
    store.publish(v, "t")
    app.extensions["spro"].refresh()
    return app.test_client(), site


def test_directory_text_is_escaped_everywhere(hostile_client):
    client, site = hostile_client
    c = site.lat, site.lon
    for url in (f"/lieux/{site.id}", f"/?lat={c[0]}&lon={c[1]}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        for script in re.findall(r"<script>(.*?)</script>", html, re.S):
            assert "alert(1)</" not in script  # the map data cannot close its script element
    feature = client.get(f"/api/v1/sites/{site.id}").get_json()
    assert feature["properties"]["name"].startswith("<script>")  # JSON keeps the text as data


def test_site_page_says_hours_and_dates_in_words(client, engine):
    site = engine.site("lieu-0001")
    html = page(client, "/lieux/lieu-0001")
    assert site.opening_hours not in html and "<code>" not in html  # never the raw expression
    assert "Du lundi au vendredi : 8\u00a0h\u00a030 – 12\u00a0h\u00a030" in html
    assert "Jours fériés : fermé" in html
    y, m, d = site.date_maj.split("-")
    assert site.date_maj not in html and f"Informations vérifiées le {int(d)} " in html
    assert re.search(r"<th scope=\"row\">(Lundi|Mardi|Mercredi|Jeudi|Vendredi|Samedi|Dimanche) \d", html)


@pytest.fixture(scope="module")
def christmas(tmp_path_factory):
    """Friday 25 December 2026, 10:00; lieu-0001 keeps « PH off », lieu-0002 loses it."""
    app = make_app(tmp_path_factory.mktemp("noel"), FIXED_NOW="2026-12-25T10:00")
    store = Store(app.config["DATABASE"])
    d = store.load()
    sites = [replace(s, opening_hours="Mo-Fr 08:30-12:30,13:30-17:30") if s.id == "lieu-0002" else s for s in d.sites]
    v = store.add_version(list(d.structures.values()), sites, demo=True, source="t", author="t")
    store.publish(v, "t")
    app.extensions["spro"].refresh()
    return app.test_client()


def test_public_holiday_said_as_such(christmas):
    stated = page(christmas, "/lieux/lieu-0001")
    assert "Fermé maintenant" in stated and "Vendredi 25 décembre (aujourd'hui)" in stated
    assert "Jour férié (Noël) : fermé" in stated
    unstated = page(christmas, "/lieux/lieu-0002")
    assert "Jour férié : appelez avant" in unstated and "Ouvert maintenant" not in unstated
    assert "Jour férié (Noël) : appelez avant" in unstated
    assert "Jours fériés : non précisé, appelez avant" in unstated
    results = page(christmas, "/?commune=01351")
    assert "Ouvert maintenant" not in results  # a weekday holiday: nobody is "open now"
    assert "Jour férié : appelez avant" in results and "Aujourd'hui : jour férié : fermé" in results


def test_temporary_closure_dates_in_words(tmp_path):
    app = make_app(tmp_path, FIXED_NOW="2026-03-10T10:00")
    store = Store(app.config["DATABASE"])
    d = store.load()
    closure = Closure("2026-03-09", "2026-03-22", "Travaux")
    later = Closure("2026-05-01", "2026-05-03", "")
    sites = [replace(s, closures=(closure, later)) if s.id == "lieu-0001" else s for s in d.sites]
    store.publish(store.add_version(list(d.structures.values()), sites, demo=True, source="t", author="t"), "t")
    app.extensions["spro"].refresh()
    html = page(app.test_client(), "/lieux/lieu-0001")
    assert "du 9 mars 2026 au 22 mars 2026 : Travaux" in html
    assert "Fermeture prévue du 1er mai 2026 au 3 mai 2026" in html
    assert "2026-03-22" not in html
    results = page(app.test_client(), "/?commune=01053")
    assert "Fermé temporairement</strong> (Travaux, jusqu'au 22 mars 2026)" in results


def cards_of(html: str) -> list[str]:
    return re.findall(r'<li class="card.*?</li>\s*(?=<li class="card|</ol>)', html, re.S)


def test_the_commune_s_own_mission_locale_comes_first(client):
    """La Clusaz: other sectors' Missions locales are nearer; the person's own comes first, said plainly."""
    html = page(client, "/?commune=74080&age=19&status=demandeurs-emploi&level=2")
    first = cards_of(html)[0]
    assert "Votre Mission locale :" in first and "Compétente pour La Clusaz" in first
    assert "Autre secteur : appelez avant de vous déplacer" in html
    assert "Hors de son territoire" not in html and "badge-warn" not in html
    widget = page(client, "/embed?commune=74080&age=19&status=demandeurs-emploi&level=2")
    assert "Votre Mission locale :" in cards_of(widget)[0]


def test_age_bounds_and_conditions_always_shown(client):
    html = page(client, "/?q=Aurillac")  # no age given
    ml = next(c for c in cards_of(html) if "Mission locale" in c)
    assert "Pour qui : 16 à 25 ans seulement" in ml
    assert "Ouvert à toutes les situations" not in html and "ouvert à toutes les situations" not in html
    cap = page(client, "/?q=Aurillac&network=cap-emploi")
    assert "personne en situation de handicap (RQTH) seulement" in cap


def test_who_gives_the_cep(client):
    form = page(client, "/")
    assert "Qui fait le conseil en évolution professionnelle (CEP) pour moi ?" in form
    html = page(client, "/?q=Grenoble&age=45&status=salaries&level=2")
    assert "pour vous (salarié·e), c'est Conseil en évolution professionnelle (opérateur CEP)" in html
    link = re.search(r'<a href="([^"]*network=cep[^"]*)">Voir seulement ces lieux</a>', html).group(1)
    only = page(client, link)
    assert cards_of(only) and all("opérateur CEP" in c for c in cards_of(only))
    jobseeker = page(client, "/?q=Grenoble&age=30&status=demandeurs-emploi&level=2")
    assert "c'est France Travail" in jobseeker


def test_appointment_says_how(client):
    html = page(client, "/?q=Aurillac&network=france-travail")
    card = cards_of(html)[0]
    assert re.search(r"Sur rendez-vous : appelez le [\d ]+", card)


def test_directions_start_from_the_searched_place(client):
    html = page(client, "/?commune=15014")
    card = cards_of(html)[0]
    start = "route=44.93032%2C2.44495%3B"  # Aurillac's town hall, then the site
    assert start in card and "Itinéraire depuis Aurillac" in card and "(OpenStreetMap)" in card
    site_link = re.search(r'<h3 class="card-title"[^>]*>.*?<a href="([^"]+)"', card, re.S).group(1)
    assert "lat=44.93032" in site_link
    site = page(client, site_link)
    assert "Itinéraire depuis Aurillac (OpenStreetMap)" in site and start in site
    plain = page(client, "/lieux/lieu-0001")
    assert "route=%3B46.2" in plain  # no start known: the provider asks for it
    bad = page(client, "/lieux/lieu-0001?lat=abc&lon=2")
    assert "Point de départ de l'itinéraire ignoré" in bad


def test_directions_provider_is_configurable(tmp_path):
    url = "https://maps.example/dir/?origin={from}&destination={to}"
    client = make_app(tmp_path, DIRECTIONS_URL=url, DIRECTIONS_PROVIDER="Exemple").test_client()
    card = cards_of(page(client, "/?commune=15014"))[0]
    assert "https://maps.example/dir/?origin=44.93032%2C2.44495&destination=4" in card and "(Exemple)" in card


def test_results_come_first_with_a_one_line_summary(client):
    html = page(client, "/?commune=15117&age=19&level=2")
    summary = re.search(r"<summary>(.*?)</summary>", html, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", summary)
    assert text == "Votre recherche : Marcolès · 19 ans · être conseillé·e et accompagné·e — Modifier la recherche"
    assert html.index('<details class="search-edit">') < html.index('<form class="search-form"')
    assert html.index("</details>") < html.index('id="results-title"')
    assert 'id="results-title" tabindex="-1"' in html
    assert 'class="lead"' not in html  # the home page's introduction gives way to the results
    home = page(client, "/")
    assert "search-edit" not in home and 'class="lead"' in home  # nothing to fold before a search
    assert "search-edit" in page(client, "/embed?commune=15117")  # the widget preset to a commune folds too


def test_a_postcode_lists_every_commune_and_names_say_how_many_more(client):
    html = page(client, "/?q=26400")
    assert "24 communes correspondent à « 26400 »" in html
    assert html.count('<li><a href="/?commune=') == 24 and "autre" not in html.split("choice-list")[1][:2000]
    names = page(client, "/?q=Saint-Martin")
    listed = names.count('<li><a href="/?commune=')
    more = int(re.search(r"Et (\d+) autres communes : précisez le nom complet ou le code postal", names).group(1))
    assert listed == 10 and listed + more == int(re.search(r"(\d+) communes correspondent", names).group(1))


def test_an_address_found_only_as_its_commune_says_so(client):
    html = page(client, "/?q=15+rue+Lesdigui%C3%A8res+Grenoble")
    assert "Adresse non trouvée précisément : distances depuis la mairie de Grenoble." in html
    assert "Adresse non trouvée" not in page(client, "/?q=Grenoble")
    form = page(client, "/")
    assert "Commune ou code postal" in form and "rue Félix Poulat" not in form  # no address service here


def test_a_position_is_named_once(client):
    html = page(client, "/?lat=45.7667&lon=4.88")
    assert "près de Villeurbanne (votre position)" in html and "près de près de" not in html


def test_with_an_address_service_a_street_is_exact_or_said_approximate(tmp_path):
    with FakeBan() as ban:
        client = make_app(tmp_path, BAN_URL=ban.url).test_client()
        form = page(client, "/")
        assert "Adresse, commune ou code postal" in form and "rue Félix Poulat" in form
        exact = page(client, "/?q=12+rue+F%C3%A9lix+Poulat+Grenoble")
        assert "près de 12 Rue Félix Poulat 38000 Grenoble" in exact and "Adresse non trouvée" not in exact
        unknown = page(client, "/?q=15+rue+Lesdigui%C3%A8res+Grenoble")  # the BAN does not know this street
        assert "Adresse non trouvée précisément : distances depuis la mairie de Grenoble." in unknown
