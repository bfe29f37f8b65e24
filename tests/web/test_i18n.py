"""Languages: catalogues complete for every string the templates and the code mark, the language chosen
by parameter, cookie or Accept-Language, <html lang dir>, the switcher keeping the search, the widget's
``lang``, API errors translated with the same ``field``, directory content shown as entered, FALC."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from finder.web import i18n

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
OTHERS = [code for code in i18n.LANGUAGES if code != "fr"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def used_msgids() -> dict:
    """Every msgid the templates (_(), ngettext()) and the code (N_()) use -> where (file:line)."""
    found: dict = {}
    for folder, method in (("templates", "jinja2"), ("finder", "python")):
        pattern = "**.html" if method == "jinja2" else "**.py"
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            method_map=[(pattern, method)],
            keywords={"_": None, "gettext": None, "N_": None, "ngettext": (1, 2), "NP_": (1, 2)},
        ):
            found.setdefault(message, f"{folder}/{filename}:{lineno}")
    return found


def catalogue_problems(catalog, used: dict, po_name: str) -> list[str]:
    out = []
    for msgid, where in sorted(used.items(), key=lambda kv: kv[1]):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = catalog.get(key)
        if entry is None:
            out.append(f"{where}: {key!r} missing from {po_name}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if "fuzzy" in entry.flags or not all(strings):
            out.append(f"{where}: {key!r} not translated in {po_name}")
            continue
        wanted = set(PLACEHOLDER.findall(msgid[-1] if isinstance(msgid, tuple) else msgid))
        for s in strings:
            extra = set(PLACEHOLDER.findall(s)) - wanted
            if extra or (not isinstance(msgid, tuple) and set(PLACEHOLDER.findall(s)) != wanted):
                out.append(f"{where}: {key!r} has other placeholders in {po_name}: {s!r}")
    return out


@pytest.fixture(scope="module")
def used():
    found = used_msgids()
    assert len(found) > 150  # the extraction found the marked strings (not an empty comparison)
    return found


@pytest.mark.parametrize("lang", OTHERS)
def test_every_string_used_is_translated(used, lang):
    po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    problems = catalogue_problems(catalog, used, str(po.relative_to(ROOT)))
    assert not problems, "run scripts/i18n all, then translate:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", OTHERS)
def test_compiled_catalogue_is_up_to_date(lang):
    po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} missing: run scripts/i18n compile"
    with po.open("rb") as f:
        source = {_key(m.id): _key(m.string) for m in read_po(f) if m.id and m.string and "fuzzy" not in m.flags}
    with mo.open("rb") as f:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    assert source == compiled, f"{mo} older than its .po: run scripts/i18n compile"


def _key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_the_check_names_file_and_msgid():
    """A catalogue missing a template string fails with the template's place and the msgid."""
    from babel.messages.catalog import Catalog

    used = {"Rechercher": "templates/base.html:21", "Âge": "finder/service/params.py:400"}
    catalog = Catalog(locale="en")
    catalog.add("Âge", "Age")
    assert catalogue_problems(catalog, used, "x.po") == ["templates/base.html:21: 'Rechercher' missing from x.po"]
    catalog.add("Rechercher", "")
    assert catalogue_problems(catalog, used, "x.po") == ["templates/base.html:21: 'Rechercher' not translated in x.po"]
    catalog["Rechercher"].string = "Search %(x)s"
    assert "other placeholders" in catalogue_problems(catalog, used, "x.po")[0]


def text(r) -> str:
    return re.sub(r"<style>.*?</style>", "", htmllib.unescape(r.get_data(as_text=True)), flags=re.S)


@pytest.mark.parametrize(
    ("headers", "query", "lang", "direction", "title"),
    [
        ({}, "", "fr", "ltr", "Trouver un lieu d'accueil pour s'orienter"),
        ({"Accept-Language": "en-GB,en;q=0.8"}, "", "en", "ltr", "Find a place to get guidance"),
        ({"Accept-Language": "ar"}, "", "ar", "rtl", "ابحث عن مكان استقبال للتوجيه"),
        ({"Accept-Language": "de, uk;q=0.5"}, "", "uk", "ltr", "Знайти місце прийому для профорієнтації"),
        ({"Accept-Language": "de"}, "", "fr", "ltr", "Trouver un lieu d'accueil pour s'orienter"),
        ({"Accept-Language": "ar"}, "?lang=es", "es", "ltr", "Encontrar un lugar de atención para orientarse"),
        ({}, "?lang=pt", "pt", "ltr", "Encontrar um local de atendimento para se orientar"),
        ({}, "?lang=xx", "fr", "ltr", "Trouver un lieu d'accueil pour s'orienter"),
    ],
)
def test_language_from_parameter_then_accept_language(app, headers, query, lang, direction, title):
    html = text(app.test_client().get("/" + query, headers=headers))
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f"<h1>{title}</h1>" in html


def test_a_chosen_language_is_kept_by_cookie_on_the_next_visits(app):
    client = app.test_client()
    r = client.get("/?lang=ar")
    assert "lang=ar" in r.headers["Set-Cookie"] and "SameSite=Lax" in r.headers["Set-Cookie"]
    assert '<html lang="ar" dir="rtl">' in text(client.get("/lieux/nope", headers={"Accept-Language": "en"}))
    assert '<html lang="ar" dir="rtl">' in text(client.get("/", headers={"Accept-Language": "en"}))
    assert '<html lang="en" dir="ltr">' in text(client.get("/?lang=en"))
    assert '<html lang="en" dir="ltr">' in text(client.get("/"))


def test_pages_vary_on_the_language(client):
    r = client.get("/")
    assert "Accept-Language" in r.headers.get("Vary", "")


def test_staff_and_partner_pages_stay_french(client):
    for url in ("/integrer", "/api"):
        r = client.get(url, headers={"Accept-Language": "ar"})
        assert r.status_code == 200, url
        assert '<html lang="fr"' in text(r), url


def test_switcher_keeps_the_search_and_links_every_language(client):
    html = text(client.get("/?commune=15014&age=19&status=demandeurs-emploi&lang=en"))
    nav = html[html.index('<nav class="lang-switch"') :]
    nav = nav[: nav.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)" lang="(\w+)" hreflang="\w+"( aria-current="true")?>', nav)
    assert [lang for _url, lang, _current in links] == list(i18n.LANGUAGES)
    for url, lang, current in links:
        assert url.startswith("/?") and "commune=15014" in url and "age=19" in url and f"lang={lang}" in url
        assert url.count("lang=") == 1
        assert bool(current) == (lang == "en")


def test_vocabulary_translated_directory_content_as_entered(client):
    fr = text(client.get("/?commune=15014&lang=fr"))
    ar = text(client.get("/?commune=15014&lang=ar"))
    assert "Demandeur·se d'emploi" in fr and "باحث(ة) عن عمل" in ar  # a status label of the form
    names = re.findall(r'<a href="/lieux/[^"]+">([^<]+)</a>', fr)
    assert names and names == re.findall(r'<a href="/lieux/[^"]+">([^<]+)</a>', ar)
    addresses = re.findall(r'<p class="address">([^<]+)</p>', fr)
    assert addresses and addresses == re.findall(r'<p class="address">([^<]+)</p>', ar)


def test_site_page_hours_and_map_in_the_readers_language(client):
    """The week table, the usual hours, holidays and the map's marker title are translated."""
    fr = text(client.get("/lieux/lieu-0001?lang=fr"))
    en = text(client.get("/lieux/lieu-0001?lang=en"))
    assert "Du lundi au vendredi : 8\u00a0h\u00a030" in fr and "Jours fériés : fermé" in fr
    assert (
        "From Monday to Friday: 8:30" in en and "Public holidays: closed" in en and "Saturday and Sunday: closed" in en
    )
    assert ": fermé" not in en and "Jours fériés" not in en
    results = text(client.get("/?commune=15014&lang=en"))
    assert re.search(r'"title":"1\. Mission locale Aurillac [^"]+ \u2014 [\d,]+ k?m"', results)  # « 1. … — 1,3 km »
    assert '"name":"Starting point: Aurillac"' in results and "Point de départ" not in results
    assert '"name":"Point de départ : Aurillac"' in text(client.get("/?commune=15014&lang=fr"))


def test_the_unknown_parameter_error_in_the_readers_language(client):
    r = client.get("/api/v1/sites?limt=3", headers={"Accept-Language": "en"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "limt"
    assert r.get_json()["error"]["message"].startswith("Unknown parameter: “limt” (accepted parameters: ")


@pytest.mark.parametrize(
    ("url", "headers", "message"),
    [
        ("/api/v1/sites?status=nope", {"Accept-Language": "en"}, "Unknown value for “status”: “nope”."),
        ("/api/v1/sites?status=nope&lang=uk", {"Accept-Language": "en"}, "Невідоме значення для «status»: «nope»."),
        ("/api/v1/sites?status=nope", {}, "Valeur inconnue pour « status » : « nope »."),
        (
            "/api/v1/sites/nearest?lat=45&lon=x",
            {"Accept-Language": "es"},
            "«lon» debe ser un número decimal (recibido: «x»).",
        ),
        ("/api/v1/sites/nearest?lat=45", {"Accept-Language": "ar"}, "«lat» و«lon» يُعطيان معًا: «lon» ناقص."),
        ("/api/v1/sites?network=zz", {"Accept-Language": "en"}, "Unknown Network: “zz”."),
    ],
)
def test_api_errors_in_the_readers_language_same_field_and_code(client, url, headers, message):
    french = client.get(url).get_json()["error"]
    r = client.get(url, headers=headers)
    body = r.get_json()["error"]
    assert r.status_code == 400
    assert body["message"] == message
    assert (body["field"], body["code"]) == (french["field"], french["code"])


def test_api_lang_parameter_is_checked(client):
    r = client.get("/api/v1/sites?lang=xx")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "lang"


def test_widget_language_by_parameter_no_cookie_carried_in_links(client):
    r = client.get("/embed?commune=15014&lang=ar", headers={"Accept-Language": "en"})
    html = text(r)
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    assert '<html lang="ar" dir="rtl">' in html
    assert '<input type="hidden" name="lang" value="ar">' in html  # the search inside keeps the language
    assert "ابحث عن مكان استقبال للتوجيه" in html
    browser = text(client.get("/embed?commune=15014", headers={"Accept-Language": "pt-BR,pt;q=0.9"}))
    assert '<html lang="pt" dir="ltr">' in browser
    bad = client.get("/embed?commune=15014&lang=xx")
    assert bad.status_code == 400 and "« lang »" in text(bad)


def test_configurator_offers_the_widget_language(client):
    html = text(client.get("/integrer?commune_q=15014&lang=uk&falc=true"))
    assert '<select id="lang" name="lang"' in html and '<option value="ar" >العربية</option>' in html
    assert "lang=uk" in html and 'data-lang="uk"' in html and 'data-falc="1"' in html
