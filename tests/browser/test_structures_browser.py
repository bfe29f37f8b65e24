"""In Debian's Chromium: a référent confirms a campaign and edits hours with the form, a staff member
accepts the change, a citizen sees it."""

from __future__ import annotations

import re

import pytest

from finder.service import referents
from finder.service.accounts import Accounts
from finder.storage.store import Store
from tests.browser.conftest import axe_violations, new_context, serve

pytestmark = pytest.mark.browser
PASSWORD = "un mot de passe solide"


@pytest.fixture()
def server(tmp_path):
    server = serve(
        tmp_path,
        SECRET_KEY="k" * 32,
        SESSION_COOKIE_SECURE=False,
        RELOAD_CHECK_SECONDS=0,
        EDIT_POLICY={"hours": "review"},
    )
    store = Store(server.server.app.config["DATABASE"])
    Accounts(store).add("alice", PASSWORD)
    server.invitation = referents.create_account(
        store, None, "rachid", "referent", ["str-0001"], store.load().structures, "r@example.org"
    )
    yield server
    server.stop()


def errors_of(page) -> list:
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return page.console_errors


def test_confirm_edit_accept_and_see(browser, blocked, server):
    staff_ctx, referent_ctx, citizen_ctx = (new_context(browser, blocked) for _ in range(3))
    staff, referent, citizen = staff_ctx.new_page(), referent_ctx.new_page(), citizen_ctx.new_page()
    console = errors_of(referent)

    # Staff start a campaign (no SMTP configured: the personal link is shown to them).
    staff.goto(server.url + "/admin/login")
    staff.fill("#username", "alice")
    staff.fill("#password", PASSWORD)
    staff.click("button[type=submit]")
    staff.goto(server.url + "/admin/campagnes")
    staff.select_option("#structures", "str-0001")
    staff.click("text=Lancer et envoyer les courriels")
    link = re.search(r"/espace/campagne/[A-Za-z0-9_-]{43}", staff.inner_text("#sending")).group(0)

    # The référent sets a password through the invitation, then confirms through the campaign link.
    referent.goto(server.url + server.invitation.path)
    referent.fill("#password", PASSWORD)
    referent.fill("#confirmation", PASSWORD)
    referent.click("button[type=submit]")
    referent.wait_for_selector("text=Mot de passe enregistré")
    referent.goto(server.url + link)
    assert "Mission locale Bourg-en-Bresse" in referent.inner_text("#campaign-sites")
    referent.click("#confirm")
    referent.wait_for_selector("#confirmed")
    referent.goto(server.url + link)
    assert "Lien non valable" in referent.inner_text("h1")
    assert console == ["Failed to load resource: the server responded with a status of 410 (GONE)"]
    console.clear()

    # The référent edits Monday's hours with the grid, previews them in words, saves.
    referent.goto(server.url + "/espace/lieux/lieu-0001")
    referent.locator("#pin-map .leaflet-marker-icon").wait_for()  # the position pin is on its map
    referent.fill("#h_Mo_1_start", "09:00")
    referent.fill("#h_Mo_1_end", "12:00")
    referent.fill("#h_Mo_2_start", "")
    referent.fill("#h_Mo_2_end", "")
    referent.click("#preview")
    assert "Lundi : 9 h – 12 h" in referent.inner_text("#hours-preview")
    referent.click("#save")
    assert "en attente de validation" in referent.inner_text("#saved")
    assert referent.locator("#pin-map").count() == 0 and console == []

    # Staff accept it; the citizen sees the new hours.
    staff.goto(server.url + "/admin/revue")
    assert "Mo 09:00-12:00; Tu-Fr 08:30-12:30,13:30-17:30" in staff.inner_text("ins")
    staff.locator("[id^=accept-]").first.click()
    staff.wait_for_selector("#accepted")
    citizen.goto(server.url + "/lieux/lieu-0001")
    assert "Lundi : 9\u00a0h – 12\u00a0h\nDu mardi au vendredi" in citizen.inner_text(".usual-hours")  # in words
    assert "Informations à confirmer" not in citizen.inner_text("main")
    for ctx in (staff_ctx, referent_ctx, citizen_ctx):
        ctx.close()
    assert blocked == []


def test_the_referent_pages_pass_axe(browser, blocked, server):
    context = new_context(browser, blocked)
    page = context.new_page()
    page.goto(server.url + server.invitation.path)
    assert axe_violations(page) == []
    page.fill("#password", PASSWORD)
    page.fill("#confirmation", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Mot de passe enregistré")
    for path in ("/espace/", "/espace/lieux/lieu-0001"):
        page.goto(server.url + path)
        assert axe_violations(page) == [], path
    context.close()
