"""Languages of the citizen pages, the widget and the API's error messages (Flask-Babel, gettext).

French is the source language: msgids are the French texts (templates, ``finder.text.N_`` marks),
so a missing translation shows French, never a key. Catalogues live in ``translations/<lang>/``
(``scripts/i18n``: extract, update, compile). The language of a request, first that applies:

1. the ``lang`` parameter (a link of the language switcher, a widget preset);
2. the ``lang`` cookie, set when a ``lang`` parameter was given on a page (never on the widget,
   which is cookie-less, nor on the API);
3. ``Accept-Language`` (the first visit);
4. French.

Staff and partner pages (configurator, API documentation, coverage, bilan...) stay in French.
The easy-to-read mode (FALC, ``falc=1``) is chosen and kept the same way, by parameter then cookie.
"""

from __future__ import annotations

from urllib.parse import urlencode

from babel import support
from flask import Flask, g, request
from flask_babel import Babel, get_locale
from werkzeug.urls import iri_to_uri

from finder.config import ROOT
from finder.service import params
from finder.text import Text, in_language

LANGUAGES = tuple(code for code, _name in params.LANGUAGES)  # declared once, with the ``lang`` parameter
NAMES = dict(params.LANGUAGES)
RTL = frozenset({"ar"})
DEFAULT = "fr"
COOKIE = "lang"
FALC_COOKIE = "falc"
COOKIE_AGE = 365 * 24 * 3600
TRANSLATIONS = ROOT / "translations"
CITIZEN = frozenset({"pages.index", "pages.site", "pages.falc", "embed.widget_page"})
EMBED = "embed.widget_page"
TRUE = ("1", "true", "oui", "on")
FALSE = ("0", "false", "non", "off")


def translated() -> bool:
    """Whether this request is answered in the reader's language (citizen pages, widget, API errors)."""
    if request.path.startswith("/api/"):
        return True
    if request.endpoint is None:  # a 404/405 page: the visitor's language
        return True
    return request.endpoint in CITIZEN


def remembers() -> bool:
    """Cookies keep the choices on the citizen pages only (the widget and the API are cookie-less)."""
    return request.endpoint in CITIZEN and request.endpoint != EMBED


def select_locale() -> str:
    if not translated():
        return DEFAULT
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    if remembers() and request.cookies.get(COOKIE) in LANGUAGES:
        return request.cookies[COOKIE]
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def falc_mode() -> bool:
    """The easy-to-read mode: ``falc=1`` (or 0), else the cookie of an earlier choice."""
    if "falc" not in g:
        asked = (request.args.get("falc") or "").lower()
        if asked in TRUE or asked in FALSE:
            g.falc = asked in TRUE
        else:
            g.falc = remembers() and request.cookies.get(FALC_COOKIE) == "1"
    return g.falc


def lang() -> str:
    locale = get_locale()
    return str(locale) if locale else DEFAULT


_CATALOGUES: dict[str, support.NullTranslations] = {}  # per process: compiled catalogues never change while serving


def catalogue() -> support.NullTranslations:
    """The request's compiled catalogue, looked up once per request (Flask-Babel's own lookup costs
    about 20 µs a string: a results page asks for some 300)."""
    found = g.get("_catalogue")
    if found is None:
        code = lang()
        found = _CATALOGUES.get(code)
        if found is None:
            found = _CATALOGUES[code] = support.Translations.load(str(TRANSLATIONS), [code])
        g._catalogue = found
    return found


def gettext(string: str) -> str:
    return catalogue().ugettext(string)


def ngettext(singular: str, plural: str, num: int) -> str:
    return catalogue().ungettext(singular, plural, num)


def translate(text: str) -> str:
    """A text in the request's language: a ``finder.text.Text`` by its msgid, any other str as is."""
    return in_language(text, gettext, ngettext) if isinstance(text, Text) else text


def switch_url(code: str) -> str:
    """The current page in another language, its search kept (every parameter but lang)."""
    args = [(k, v) for k, vs in request.args.lists() if k != "lang" for v in vs]
    args.append(("lang", code))
    return iri_to_uri(request.path) + "?" + urlencode(args)


def falc_url(on: bool) -> str:
    """The current page with the easy-to-read mode on or off, its search kept."""
    args = [(k, v) for k, vs in request.args.lists() if k != "falc" for v in vs]
    args.append(("falc", "1" if on else "0"))
    return iri_to_uri(request.path) + "?" + urlencode(args)


def template_context() -> dict:
    code = lang()
    return {
        "lang": code,
        "text_dir": "rtl" if code in RTL else "ltr",
        "languages": [(c, NAMES[c]) for c in LANGUAGES],
        "translated": translated(),
        "falc": translated() and falc_mode(),
        "switch_url": switch_url,
        "falc_url": falc_url,
    }


def remember(response):
    """Keep a language or FALC choice given by parameter in a cookie; say what the page varies on."""
    if not translated() or request.path.startswith("/api/"):
        return response
    response.vary.update(("Accept-Language", "Cookie"))  # one Vary header, merged with Accept-Encoding
    if not remembers():
        return response
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
    falc = (request.args.get("falc") or "").lower()
    if falc in TRUE or falc in FALSE:
        value = "1" if falc in TRUE else "0"
        if request.cookies.get(FALC_COOKIE, "0") != value:
            response.set_cookie(FALC_COOKIE, value, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_locale)
    # Jinja's "newstyle" gettext formats and escapes the values itself: it only needs the lookups.
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)
    app.context_processor(template_context)
    app.jinja_env.globals["tr"] = translate  # imported macros (_fields.html) see globals, not the context
    app.jinja_env.filters["tr"] = translate
    app.after_request(remember)
