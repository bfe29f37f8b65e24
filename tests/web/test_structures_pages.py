"""The référents' space and the staff pages of issue 12, through HTTP: invitation, login, 403 on another
structure (audited), CSRF, no-store, edit → publish → citizen page, review queue, campaign link,
hostile text escaped, open data endpoints, search counts on /couverture, freshness flags."""

from __future__ import annotations

import dataclasses
import logging
import re

import pytest

from finder.service import referents
from finder.service.accounts import Accounts
from finder.storage import demand as demand_rows
from finder.storage import site_changes
from finder.storage.store import Store
from tests.conftest import make_app

PASSWORD = "un mot de passe solide"
XSS = "<script>alert(1)</script>"


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture()
def app(tmp_path):
    app = make_app(tmp_path, SECRET_KEY="k" * 32, RELOAD_CHECK_SECONDS=0, DEMAND_FLUSH_SECONDS=0)
    store = Store(app.config["DATABASE"])
    Accounts(store).add("alice", PASSWORD)
    app.invitation = referents.create_account(
        store, None, "rachid", "referent", ["str-0001"], store.load().structures, "r@example.org"
    )
    app.store = store
    return app


def accept_invitation(client, path, name="rachid"):
    page = client.get(path)
    assert page.status_code == 200 and name in page.text
    return client.post(path, data={"csrf_token": token(page.text), "password": PASSWORD, "confirmation": PASSWORD})


@pytest.fixture()
def referent(app):
    client = app.test_client()
    assert accept_invitation(client, app.invitation.path).status_code == 303
    client.csrf = token(client.get("/espace/").text)
    return client


@pytest.fixture()
def staff(app):
    client = app.test_client()
    page = client.get("/admin/login")
    client.post("/admin/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token(page.text)})
    client.csrf = token(client.get("/admin/").text)
    return client


def test_the_invitation_link_works_once_and_cannot_be_guessed(app):
    client = app.test_client()
    r = accept_invitation(client, app.invitation.path)
    assert r.status_code == 303 and r.location.startswith("/espace/")
    assert "Mission locale Bourg-en-Bresse" in client.get("/espace/").text
    again = app.test_client()
    assert again.get(app.invitation.path).status_code == 410
    assert again.get("/espace/invitation/" + "A" * 43).status_code == 410


def test_referent_login_uses_the_staff_lockout(app):
    client = app.test_client()
    accept_invitation(app.test_client(), app.invitation.path)
    for _ in range(5):
        page = client.get("/espace/connexion")
        r = client.post(
            "/espace/connexion", data={"username": "rachid", "password": "faux", "csrf_token": token(page.text)}
        )
    assert r.status_code == 401
    page = client.get("/espace/connexion")
    r = client.post(
        "/espace/connexion", data={"username": "rachid", "password": PASSWORD, "csrf_token": token(page.text)}
    )
    assert r.status_code == 429 and "Trop de tentatives" in r.text


def test_pages_need_a_login_and_are_not_stored(app, referent):
    anonymous = app.test_client()
    r = anonymous.get("/espace/lieux/lieu-0001")
    assert r.status_code == 302 and r.location.startswith("/espace/connexion?next=")
    assert anonymous.post("/espace/lieux/lieu-0001", data={}).status_code == 401
    r = referent.get("/espace/lieux/lieu-0001")
    assert r.headers["Cache-Control"] == "no-store" and "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


def test_another_structures_site_is_403_and_audited(app, referent, caplog):
    caplog.set_level(logging.INFO, logger="spro.audit")
    assert referent.get("/espace/lieux/lieu-0015").status_code == 403
    r = referent.post("/espace/lieux/lieu-0015", data={"csrf_token": referent.csrf, "telephone": "0411223344"})
    assert r.status_code == 403
    refused = [rec.audit for rec in caplog.records if rec.getMessage() == "access_refused"]
    assert len(refused) == 2 and refused[0]["user"] == "rachid" and refused[0]["structure"] == "str-0002"
    assert app.store.published_version() == 1


def test_a_referent_is_refused_on_staff_pages(referent):
    assert referent.get("/admin/").status_code == 403
    assert referent.get("/admin/revue").status_code == 403
    assert referent.post("/admin/campagnes", data={"csrf_token": referent.csrf, "all": "1"}).status_code == 403


def test_every_post_needs_the_csrf_token(referent):
    r = referent.post("/espace/lieux/lieu-0001", data={"telephone": "0411223344"})
    assert r.status_code == 400 and "Jeton de sécurité" in r.text


def form_of(client, site_id="lieu-0001") -> dict:
    """The edit form's current values, as a browser would send them back."""
    html = client.get(f"/espace/lieux/{site_id}").text
    data = {"csrf_token": client.csrf, "hours_mode": "grille"}
    for name, value in re.findall(
        r'<input type="(?:text|tel|email|url|number)" id="[^"]*" name="([^"]+)" value="([^"]*)"', html
    ):
        data[name] = value.replace("&#39;", "'").replace("&amp;", "&")
    for name, value in re.findall(r'name="(h_[^"]+)" value="([^"]*)"', html):
        data[name] = value
    if re.search(r'name="ph_off" value="1" id="ph_off" checked', html):
        data["ph_off"] = "1"
    for name, value in re.findall(r'<input type="checkbox" name="([^"]+)" value="([^"]+)" checked', html):
        data.setdefault(name, []).append(value)
    for name in ("sur_rendez_vous", "accessible_pmr"):
        block = re.search(rf'name="{name}".*?</select>', html, re.S).group(0)
        found = re.search(r'<option value="([^"]*)" selected', block)
        data[name] = found.group(1) if found else ""
    data["description"] = re.search(
        r'<textarea id="description" name="description"[^>]*>(.*?)</textarea>', html, re.S
    ).group(1)
    return data


def test_hours_edited_in_the_grid_are_published_and_seen_by_citizens(app, referent):
    data = form_of(referent)
    data.update({"h_Mo_1_start": "09:00", "h_Mo_1_end": "12:00", "h_Mo_2_start": "", "h_Mo_2_end": ""})
    preview = referent.post("/espace/lieux/lieu-0001", data={**data, "action": "preview"})
    assert "Lundi : 9 h – 12 h" in preview.text and app.store.published_version() == 1
    r = referent.post("/espace/lieux/lieu-0001", data={**data, "action": "save"})
    assert r.status_code == 303, r.text[:2000]
    assert "1 champ(s) publié(s)" in referent.get(r.location).text
    client = app.test_client()
    published = client.get("/api/v1/sites/lieu-0001").get_json()["properties"]["opening_hours"]
    assert published.startswith("Mo 09:00-12:00; Tu-Fr 08:30-12:30,13:30-17:30")
    page = client.get("/lieux/lieu-0001").text.replace("\xa0", " ")
    assert "lundi : 9 h – 12 h" in page.lower() and published not in page  # in words, never the code


def test_bad_values_come_back_with_a_french_message_on_their_field(referent):
    data = {**form_of(referent), "telephone": "12", "h_Tu_1_start": "9h", "action": "save"}
    r = referent.post("/espace/lieux/lieu-0001", data=data)
    assert r.status_code == 400
    assert 'id="h_Tu_1_start-error"' in r.text and "HH:MM" in r.text
    data["h_Tu_1_start"] = "08:30"
    r = referent.post("/espace/lieux/lieu-0001", data=data)
    assert r.status_code == 400 and 'id="telephone-error"' in r.text and "Téléphone invalide" in r.text


def test_a_queued_change_is_reviewed_with_its_diff_then_published(app, referent, staff):
    data = {**form_of(referent), "niveaux_service": ["1"], "action": "save"}
    r = referent.post("/espace/lieux/lieu-0001", data=data)
    assert "1 champ(s) en attente de validation" in referent.get(r.location).text
    queue = staff.get("/admin/revue").text
    assert "Niveaux de service" in queue and "<del>1,2</del>" in queue and "<ins>1</ins>" in queue
    change_id = int(re.search(r'id="accept-(\d+)"', queue).group(1))
    r = staff.post(f"/admin/revue/{change_id}", data={"csrf_token": staff.csrf, "decision": "refuse", "reason": ""})
    assert r.status_code == 400 and "motif du refus" in r.text
    r = staff.post(f"/admin/revue/{change_id}", data={"csrf_token": staff.csrf, "decision": "accept"})
    assert r.status_code == 303 and app.store.published_version() == 2
    assert "Accueil et information</li>" in app.test_client().get("/lieux/lieu-0001").text
    assert "Conseil et accompagnement" not in app.test_client().get("/lieux/lieu-0001").text
    trail = staff.get("/admin/journal").text
    assert "rachid" in trail and "accepted" in trail


def test_hostile_text_in_edited_fields_is_escaped_everywhere(app, referent, staff):
    data = {**form_of(referent), "nom": XSS, "description": XSS, "niveaux_service": ["1"], "action": "save"}
    assert referent.post("/espace/lieux/lieu-0001", data=data).status_code == 303
    pages = [
        (app.test_client(), "/lieux/lieu-0001"),
        (app.test_client(), "/?commune=01053"),
        (referent, "/espace/"),
        (referent, "/espace/lieux/lieu-0001"),
        (staff, "/admin/revue"),
        (staff, "/admin/journal"),
        (staff, "/admin/comptes"),
    ]
    seen = 0
    for client, url in pages:
        body = client.get(url).text
        assert "<script>alert" not in body, url
        seen += "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert seen >= 5
    r = staff.post("/admin/campagnes", data={"csrf_token": staff.csrf, "structures": "str-0001", "title": XSS})
    assert "<script>alert" not in r.text
    link = re.search(r"(/espace/campagne/[A-Za-z0-9_-]{43})", r.text).group(1)
    assert "<script>alert" not in app.test_client().get(link).text
    assert "<script>alert" not in staff.get("/admin/campagnes/1").text


def test_the_campaign_link_confirms_once(app, staff):
    r = staff.post("/admin/campagnes", data={"csrf_token": staff.csrf, "structures": ["str-0001", "str-0003"]})
    assert "structure(s) sans référent" in r.text  # no SMTP: the links are shown to staff
    link = re.search(r"(/espace/campagne/[A-Za-z0-9_-]{43})", r.text).group(1)
    visitor = app.test_client()
    page = visitor.get(link)
    assert page.status_code == 200 and "Rien n'a changé" in page.text and page.headers["Cache-Control"] == "no-store"
    assert visitor.post(link, data={}).status_code == 400  # CSRF
    r = visitor.post(link, data={"csrf_token": token(page.text)})
    assert r.status_code == 200 and "Vos lieux sont confirmés" in r.text
    assert visitor.get(link).status_code == 410
    board = staff.get("/admin/campagnes/1").text
    assert "rien n&#39;a changé" in board and "sans référent" in board
    reminded = staff.post("/admin/campagnes/1/relancer", data={"csrf_token": staff.csrf}).text
    assert "/espace/campagne/" not in reminded  # rachid answered: nobody to remind, no new link


def test_open_data_endpoints(app):
    client = app.test_client()
    for name in ("structures", "services"):
        r = client.get(f"/api/v1/opendata/data-inclusion/{name}.json")
        assert r.status_code == 200 and r.mimetype == "application/json"
        assert 'rel="license"' in r.headers["Link"] and "etalab-2.0" in r.headers["Link"]
        items = r.get_json()
        assert isinstance(items, list) and items and items[0]["source"] == "spro-aura"
        again = client.get(r.request.path, headers={"If-None-Match": r.headers["ETag"]})
        assert again.status_code == 304
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/opendata/data-inclusion/structures.json" in paths
    assert "/api/v1/opendata/data-inclusion/services.json" in paths


def test_searches_are_counted_and_shown_on_couverture_only_from_five(app):
    client = app.test_client()
    for _ in range(4):
        client.get("/?q=Aurillac&level=2")
    page = client.get("/couverture?level=2&max_km=20").text
    assert "on cherche sans trouver" in page and "Pas encore assez de recherches" in page
    assert "sans adresse, sans texte saisi, sans adresse IP" in page
    client.get("/?q=Aurillac&level=2")
    page = client.get("/couverture?level=2&max_km=20").text
    assert 'id="demand-table"' in page and "Aurillac" in page.split('id="demand-table"')[1]
    assert {r[1] for r in demand_rows.rows(app.store)} == {"15014"}


def test_counting_can_be_switched_off(tmp_path):
    app = make_app(tmp_path, DEMAND_COUNTING=False)
    app.test_client().get("/?q=Aurillac")
    assert "spro_demand" not in app.extensions
    assert demand_rows.rows(Store(app.config["DATABASE"])) == []


def set_checked(app, site_id: str, day: str):
    store = app.store
    d = store.load()
    sites = [dataclasses.replace(s, date_maj=day) if s.id == site_id else s for s in d.sites]
    store.publish(store.add_version(list(d.structures.values()), sites, True, "t", "t"), "t")


def test_unconfirmed_sites_are_flagged_to_citizens(app):
    set_checked(app, "lieu-0001", "2000-01-01")
    client = app.test_client()
    page = client.get("/lieux/lieu-0001").text
    assert "Informations à confirmer" in page and "1er janvier 2000" in page
    results = client.get("/?commune=01053").text
    card = results.split('id="lieu-lieu-0001"')[1].split("</li>")[0]
    assert "Informations à confirmer" in card


def test_by_policy_unconfirmed_sites_are_hidden(tmp_path):
    app = make_app(tmp_path, RELOAD_CHECK_SECONDS=0, FRESHNESS_FLAG_DAYS=365, FRESHNESS_HIDE_DAYS=3650)
    app.store = Store(app.config["DATABASE"])
    client = app.test_client()
    assert client.get("/lieux/lieu-0001").status_code == 200
    set_checked(app, "lieu-0001", "2000-01-01")
    assert client.get("/lieux/lieu-0001").status_code == 404
    assert "lieu-0001" not in client.get("/?commune=01053").text
    assert all(f["id"] != "lieu-0001" for f in client.get("/api/v1/sites").get_json()["features"])


def test_the_two_open_data_files_import_from_the_staff_page(app, staff):
    import io

    client = app.test_client()
    files = [client.get(f"/api/v1/opendata/data-inclusion/{n}.json").data for n in ("services", "structures")]
    form = {
        "csrf_token": staff.csrf,
        "essai": "1",
        "fichier": [(io.BytesIO(files[0]), "services.json"), (io.BytesIO(files[1]), "structures.json")],
    }
    r = staff.post("/admin/import", data=form, content_type="multipart/form-data")
    from tests.import_helpers import settle

    report = settle(staff, r.location).text
    assert "services.json + structures.json" in report and "0 lieu(x) ajouté(s), 0 supprimé(s), 0 modifié(s)" in report


def test_locate_the_address_through_the_ban_then_save_the_position(tmp_path):
    from tests.fake_ban import FakeBan, feature

    found = feature(46.2011, 5.2671, "01053")
    found["properties"]["label"] = "122 Rue de la Liberté 01000 Bourg-en-Bresse"
    with FakeBan({"liberte": found}) as ban:
        app = make_app(tmp_path, SECRET_KEY="k" * 32, RELOAD_CHECK_SECONDS=0, BAN_URL=ban.url)
        store = Store(app.config["DATABASE"])
        invitation = referents.create_account(store, None, "rachid", "referent", ["str-0001"], store.load().structures,
                                              "r@example.org")  # fmt: skip
        client = app.test_client()
        accept_invitation(client, invitation.path)
        client.csrf = token(client.get("/espace/").text)
        data = {**form_of(client), "adresse": "122 rue de la Liberte", "action": "locate"}
        r = client.post("/espace/lieux/lieu-0001", data=data)
        assert "Position trouvée" in r.text and 'value="46.201100"' in r.text and 'value="5.267100"' in r.text
        assert ban.requests and "Liberte" in ban.requests[-1]["q"]
        assert store.published_version() == 1  # locating saves nothing
        data.update(latitude="46.201100", longitude="5.267100", action="save")
        assert client.post("/espace/lieux/lieu-0001", data=data).status_code == 303
        (pending,) = site_changes.listing(store)
        assert pending["status"] == "pending" and pending["after"]["lat"] == 46.2011
        assert pending["after"]["address"] == "122 rue de la Liberte" and pending["after"]["position_source"] is None
        data.update(adresse="1 rue inconnue", action="locate")
        r = client.post("/espace/lieux/lieu-0001", data=data)
        assert "Adresse introuvable" in r.text


def test_an_invitation_from_the_staff_page_goes_by_email(tmp_path):
    from tests.smtp_server import mail_settings, smtp_server

    with smtp_server() as (recorder, port):
        app = make_app(
            tmp_path, SECRET_KEY="k" * 32, PUBLIC_URL="https://orientation.example.org", **mail_settings(port)
        )
        Accounts(Store(app.config["DATABASE"])).add("alice", PASSWORD)
        client = app.test_client()
        page = client.get("/admin/login")
        client.post("/admin/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token(page.text)})
        csrf = token(client.get("/admin/comptes").text)
        form = {"csrf_token": csrf, "username": "sonia", "role": "referent", "email": "s@example.org",
                "structures": "str-0001, str-0002"}  # fmt: skip
        r = client.post("/admin/comptes", data=form)
        assert "envoyée par courriel à s@example.org" in r.text and "/espace/invitation/" not in r.text
        (message,) = recorder.messages
        link = re.search(
            r"https://orientation\.example\.org(/espace/invitation/[A-Za-z0-9_-]{43})", message.get_content()
        )
        assert message["To"] == "s@example.org" and link
        assert accept_invitation(app.test_client(), link.group(1), "sonia").status_code == 303
        bad = client.post("/admin/comptes", data={**form, "username": "paul", "structures": "str-9999"})
        assert bad.status_code == 400 and "str-9999" in bad.text


def test_a_form_sent_back_unchanged_changes_nothing(app, referent):
    for site_id in ("lieu-0001", "lieu-0002", "lieu-0003", "lieu-0004", "lieu-0005"):
        r = referent.post(f"/espace/lieux/{site_id}", data={**form_of(referent, site_id), "action": "save"})
        assert r.status_code == 303 and "attente=0" in r.location and "publie=0" in r.location, (site_id, r.location)
    assert app.store.published_version() == 1 and site_changes.listing(app.store) == []
