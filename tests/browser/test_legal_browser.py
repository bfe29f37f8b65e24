"""axe-core on the pages the accessibility statement lists as checked, and on the no-result page.

The statement (``finder.service.legal.AUDITED_PAGES``) says these pages pass axe-core without a
serious or critical violation: this test is what makes that sentence true.
"""

from __future__ import annotations

import pytest

from finder.service import legal
from tests.browser.conftest import axe_violations, serve

pytestmark = pytest.mark.browser

NOTHING = "/?commune=15014&age=40&level=2&network=apec&accessible=true"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = serve(tmp_path_factory.mktemp("legal"), REGIONAL_PHONE="04 00 00 00 00")
    yield s
    s.stop()


@pytest.mark.parametrize("name, path", legal.AUDITED_PAGES)
def test_the_listed_pages_pass_axe(page, server, name, path):
    page.goto(server.url + path)
    page.wait_for_load_state("load")
    assert axe_violations(page) == [], name


@pytest.mark.parametrize("path", [NOTHING, "/embed?commune=15014&age=40&level=2&network=apec&accessible=true"])
def test_the_no_result_page_passes_axe_and_its_links_work_by_keyboard(page, server, path):
    page.goto(server.url + path)
    assert page.locator(".relax-list a").count() >= 1 and page.locator(".regional-phone").is_visible()
    assert axe_violations(page) == []
    page.locator(".relax-list a").first.focus()
    assert page.evaluate("document.activeElement.closest('.relax-list') !== null")
