"""Languages and the easy-to-read mode in Debian's Chromium: axe-core in French, English, Arabic (RTL) and
FALC, the Arabic layout really right-to-left, the language switcher used with the keyboard only."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, new_context

pytestmark = pytest.mark.browser

PAGES = ["/", "/?q=Grenoble&age=22&level=2", "/?q=Saint-Martin", "/?q=Lyon&age=abc", "/lieux/lieu-0001",
         "/le-spro-c-est-quoi", "/lieux/nope"]  # fmt: skip


@pytest.mark.parametrize("mode", ["lang=en", "lang=ar", "falc=1", "falc=1&lang=ar", "lang=uk"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_in_every_language_and_in_falc(page, live_server, path, mode):
    page.goto(live_server.url + path + ("&" if "?" in path else "?") + mode)
    lang = mode.split("lang=")[1] if "lang=" in mode else "fr"
    assert page.evaluate("document.documentElement.lang") == lang
    assert axe_violations(page) == []


def test_arabic_layout_is_right_to_left(page, live_server):
    page.goto(live_server.url + "/?q=Grenoble&lang=ar")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    width = page.evaluate("document.documentElement.clientWidth")
    # The title's text starts at the right edge of its column
    box = page.evaluate(
        """() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('h1'));
                   const t = r.getBoundingClientRect();
                   const c = document.querySelector('main .wrap').getBoundingClientRect();
                   return {right: t.right, left: t.left, cright: c.right}; }"""
    )
    assert box["right"] > width / 2 and abs(box["right"] - box["cright"]) < 40
    # Logical properties: list indents and accent borders sit on the right
    page.goto(live_server.url + "/lieux/lieu-0001?lang=ar")
    facts = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.facts'));"
        " return [s.paddingRight, s.paddingLeft]; })()"
    )
    assert facts[0] != "0px" and facts[1] == "0px"
    # The map keeps its own left-to-right controls
    page.locator(".leaflet-container").first.wait_for()
    assert page.evaluate("getComputedStyle(document.querySelector('.leaflet-container')).direction") == "ltr"
    assert page.console_errors == []


def test_language_switcher_with_the_keyboard_keeps_the_search(browser, blocked, live_server):
    context = new_context(browser, blocked)
    page = context.new_page()
    page.goto(live_server.url + "/?q=Grenoble&age=22")
    assert page.evaluate("document.documentElement.lang") == "fr"
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('hreflang')") == "ar":
            break
    assert page.evaluate("document.activeElement.getAttribute('hreflang')") == "ar"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # visible focus
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert "q=Grenoble" in page.url and "age=22" in page.url
    assert "Grenoble" in page.inner_text("#results-title")
    page.goto(live_server.url + "/")  # the cookie keeps the choice
    assert page.evaluate("document.documentElement.lang") == "ar"
    context.close()
    assert blocked == []
