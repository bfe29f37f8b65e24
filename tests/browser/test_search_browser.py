"""The citizen pages in Debian's Chromium: search, "Autour de moi", keyboard only, site page, axe-core."""

import pytest

from tests.browser.conftest import axe_violations, new_context

pytestmark = pytest.mark.browser


def test_search_by_commune_shows_list_and_map(page, live_server):
    page.goto(live_server.url + "/")
    page.fill("#q", "Aurillac")
    page.check("#level-2")
    page.click("button[type=submit]")
    page.wait_for_selector("#results-title")
    assert "Aurillac" in page.inner_text("#results-title")
    assert page.locator(".result-list > .card").count() >= 5
    pins = page.locator(".leaflet-marker-pane .map-pin")
    pins.first.wait_for()
    assert pins.count() >= 6  # origin + results
    pins.nth(1).click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("a").count() == 1
    assert "level=2" in page.url and "q=Aurillac" in page.url
    assert page.console_errors == []


def test_around_me_with_a_mocked_position(browser, blocked, live_server):
    context = new_context(
        browser, blocked, geolocation={"latitude": 45.7667, "longitude": 4.88}, permissions=["geolocation"]
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    button = page.locator("#locate")
    assert button.is_visible()
    button.click()
    page.wait_for_selector("#results-title")
    assert "près de Villeurbanne" in page.inner_text("#results-title")
    assert "lat=45.766700" in page.url
    context.close()
    assert blocked == []


def test_keyboard_only_search(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    for _ in range(6):  # from the main landmark to the place field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
    page.keyboard.type("Grenoble")
    while page.evaluate("document.activeElement.id") != "age":
        page.keyboard.press("Tab")
    page.keyboard.type("22")
    page.keyboard.press("Tab")  # situation
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # qualification
    page.keyboard.press("Tab")  # "je ne sais pas encore"
    page.keyboard.press("ArrowDown")  # level 1
    page.keyboard.press("ArrowDown")  # level 2
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Grenoble" in page.inner_text("#results-title")
    assert "age=22" in page.url and "level=2" in page.url and "status=eleves" in page.url


def test_site_page(page, live_server):
    page.goto(live_server.url + "/lieux/lieu-0001")
    assert page.locator("h1").inner_text().startswith("Mission locale")
    assert page.locator("table.week tr").count() == 7
    page.locator(".leaflet-marker-pane .map-pin").first.wait_for()
    assert page.locator("[data-print]").is_visible()
    assert page.console_errors == []


@pytest.mark.parametrize(
    "path",
    ["/", "/?q=Grenoble&age=22&level=2", "/?q=Saint-Martin", "/?q=Lyon&age=abc", "/lieux/lieu-0001"],
)
def test_axe_no_serious_or_critical_violation(page, live_server, path):
    page.goto(live_server.url + path)
    assert axe_violations(page) == []


def test_usable_at_320_pixels(browser, blocked, live_server):
    context = new_context(browser, blocked, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server.url + "/?q=Grenoble")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert not page.locator("#q").is_visible()  # folded: the results come first
    page.click(".search-edit > summary")
    assert page.locator("#q").is_visible() and page.locator("button[type=submit]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    context.close()


def test_axe_harness_detects_a_violation(page, live_server):
    page.goto(live_server.url + "/")
    page.evaluate("document.querySelector('label[for=age]').remove()")  # an input without a label
    assert any(v["id"] == "label" for v in axe_violations(page))
