"""The widget in a real browser (Debian Chromium): a partner page on another port embeds it with embed.js.

Two loopback servers: the app, and a "partner" host page (which also serves stand-in map
tiles, so nothing leaves the machine; any other request is aborted).
"""

from __future__ import annotations

import base64
from contextlib import contextmanager

import pytest
from playwright.sync_api import sync_playwright

from ..conftest import make_app
from ..live import serve

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
HOST_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Lycée partenaire</title></head>
<body>
<h1>Orientation : où se faire accompagner ?</h1>
<div id="widget" data-spro-widget data-commune="69123" data-limit="3" data-accent="#aa0000"></div>
<p id="after">Fin de la page partenaire.</p>
<script src="{app}/static/embed.js" async></script>
</body></html>
"""


class PartnerSite:
    """A WSGI app: the host page at / and 1x1 PNG map tiles under /tiles/."""

    def __init__(self):
        self.app_url = ""

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        if path.startswith("/tiles/"):
            start_response("200 OK", [("Content-Type", "image/png"), ("Content-Length", str(len(TILE)))])
            return [TILE]
        body = HOST_PAGE.format(app=self.app_url).encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]


@contextmanager
def servers(tmp_path):
    partner = PartnerSite()
    with serve(partner, host="127.0.0.1") as partner_url:
        app = make_app(tmp_path, TILES_URL=partner_url + "/tiles/{z}/{x}/{y}.png", RATELIMIT_ENABLED=False)
        with serve(app) as app_url:
            partner.app_url = app_url
            yield app, app_url, partner_url


def _loopback_only(route):
    url = route.request.url
    if url.startswith(("http://127.0.0.1:", "about:", "data:")):
        route.continue_()
    else:
        route.abort()


@pytest.fixture()
def browser():
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def test_partner_page_embeds_a_working_resizing_widget(tmp_path, browser):
    with servers(tmp_path) as (app, app_url, partner_url):
        context = browser.new_context(viewport={"width": 1000, "height": 800})
        context.route("**/*", _loopback_only)
        page = context.new_page()
        problems = []
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

        page.goto(partner_url + "/")
        iframe = page.locator("#widget iframe")
        iframe.wait_for()
        assert iframe.get_attribute("src").startswith(app_url + "/embed?")
        frame = page.frame_locator("#widget iframe")
        frame.locator(".card").first.wait_for()
        assert frame.locator(".card").count() == 3

        # A search inside the widget
        frame.locator("#q").fill("Aurillac")
        frame.locator("form.search-form button[type=submit]").click()
        frame.locator("#results-title", has_text="Aurillac").wait_for()
        frame.locator(".card").first.wait_for()

        # The iframe grows to its content (reported with postMessage, applied by embed.js)
        inner = page.frames[1]
        content = inner.evaluate("Math.ceil(document.getElementById('embed-root').getBoundingClientRect().height)")
        page.wait_for_function(
            "h => Math.abs(document.querySelector('#widget iframe').getBoundingClientRect().height - h) <= 2",
            arg=content,
        )
        assert content > 640  # taller than the loader's initial height: it grew
        assert page.locator("#after").is_visible()

        # Counted once, for the partner's origin; the search inside is not a new load
        from finder import usage

        counted = {r["origin"]: r["count"] for r in usage.counts(app.config["DATABASE"])}
        assert counted == {partner_url: 1}
        assert problems == []
        context.close()


def test_main_page_refuses_to_be_framed(tmp_path, browser):
    with servers(tmp_path) as (app, app_url, partner_url):
        context = browser.new_context()
        context.route("**/*", _loopback_only)
        page = context.new_page()
        page.goto(partner_url + "/")
        page.set_content(
            f'<iframe id="a" src="{app_url}/"></iframe><iframe id="b" src="{app_url}/embed?commune=15014"></iframe>'
        )
        page.frame_locator("#b").locator(".card").first.wait_for()
        page.wait_for_timeout(300)
        blocked = page.frame_locator("#a").locator("form.search-form")
        assert blocked.count() == 0  # the browser did not render the search page inside another site
        assert page.frame_locator("#b").locator("form.search-form").count() == 1
        context.close()
