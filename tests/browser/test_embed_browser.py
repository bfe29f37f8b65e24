"""The widget in a real browser (Debian Chromium): a partner page on another port embeds it with embed.js.

Two loopback servers: the app (the shared ``serve`` of conftest.py, map tiles included) and
a "partner" host page. Requests to any other host are aborted and recorded (``blocked``).
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from finder.storage import widget_loads
from finder.storage.store import Store
from tests.browser.conftest import axe_violations, new_context, serve
from tests.live import serve as serve_wsgi

pytestmark = pytest.mark.browser

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
    """A WSGI app serving the partner's page, which loads the widget from the app's server."""

    def __init__(self, app_url: str, page: str = HOST_PAGE):
        self.body = page.format(app=app_url).encode()

    def __call__(self, environ, start_response):
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(self.body)))]
        start_response("200 OK", headers)
        return [self.body]


@contextmanager
def servers(tmp_path, host_page: str = HOST_PAGE):
    live = serve(tmp_path, RATELIMIT_ENABLED=False)
    try:
        with serve_wsgi(PartnerSite(live.url, host_page)) as partner_url:
            yield live.server.app, live.url, partner_url
    finally:
        live.stop()


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


def test_partner_page_embeds_a_working_resizing_widget(tmp_path, browser, blocked):
    with servers(tmp_path) as (app, app_url, partner_url):
        context = new_context(browser, blocked, viewport={"width": 1000, "height": 800})
        page = context.new_page()
        problems = _watch(page)

        page.goto(partner_url + "/")
        iframe = page.locator("#widget iframe")
        iframe.wait_for()
        assert iframe.get_attribute("src").startswith(app_url + "/embed?")
        frame = page.frame_locator("#widget iframe")
        frame.locator(".card").first.wait_for()
        assert frame.locator(".card").count() == 3

        # The preset commune's results come first, the form folded into a one-line summary
        assert not frame.locator("#q").is_visible()
        frame.locator(".search-edit > summary").click()
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
        counted = {r["origin"]: r["count"] for r in widget_loads.counts(Store(app.config["DATABASE"]))}
        assert counted == {partner_url: 1}
        assert problems == [] and blocked == []
        context.close()


def test_arabic_widget_in_a_cross_origin_host_page(tmp_path, browser, blocked):
    """A partner presets the widget in Arabic: right-to-left inside its iframe, the search inside stays Arabic,
    the host page (French, left-to-right) is untouched."""
    host = HOST_PAGE.replace('data-accent="#aa0000"', 'data-accent="#aa0000" data-lang="ar"')
    with servers(tmp_path, host) as (_app, app_url, partner_url):
        context = new_context(browser, blocked, viewport={"width": 1000, "height": 800})
        page = context.new_page()
        problems = _watch(page)
        page.goto(partner_url + "/")
        iframe = page.locator("#widget iframe")
        iframe.wait_for()
        assert "lang=ar" in iframe.get_attribute("src") and iframe.get_attribute("src").startswith(app_url)
        frame = page.frame_locator("#widget iframe")
        frame.locator(".card").first.wait_for()
        inner = page.frames[1]
        assert inner.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
        assert inner.evaluate("getComputedStyle(document.body).direction") == "rtl"
        assert "ابحث عن مكان استقبال للتوجيه" in frame.locator("h1").inner_text()
        assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"  # the host page
        frame.locator(".search-edit > summary").click()
        frame.locator("#q").fill("Aurillac")
        frame.locator("form.search-form button[type=submit]").click()
        frame.locator("#results-title", has_text="Aurillac").wait_for()
        assert "lang=ar" in page.frames[1].url
        assert page.frames[1].evaluate("document.documentElement.dir") == "rtl"
        assert problems == [] and blocked == []
        context.close()


def test_main_page_refuses_to_be_framed(tmp_path, browser, blocked):
    with servers(tmp_path) as (app, app_url, partner_url):
        context = new_context(browser, blocked)
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


@pytest.mark.parametrize(
    "path",
    [
        "/embed?commune=15014&view=map",
        "/embed?commune=15014&lang=ar",
        "/embed?commune=15014&lang=en&falc=1",
        "/integrer?commune_q=Aurillac",
        "/api",
    ],
)
def test_partner_pages_have_no_serious_accessibility_violation(live_server, page, path):
    page.goto(live_server.url + path)
    page.wait_for_load_state("load")
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_configurator_preview_follows_the_settings(live_server, page):
    page.goto(live_server.url + "/integrer")
    frame = page.locator("iframe.preview")
    before = frame.get_attribute("src")
    page.check("#network-mission-locale")
    page.check("#department-15")
    page.wait_for_function(
        "() => document.querySelector('iframe.preview').getAttribute('src').includes('department=15')"
    )
    src = frame.get_attribute("src")
    assert src != before and "network=mission-locale" in src
    assert "department=15" in page.input_value("#snippet-iframe")
    assert "department=15" in page.url
    assert page.console_errors == []
