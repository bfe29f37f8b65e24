"""What the legal pages say: accessibility conformity (RGAA 4.1), publisher, personal data.

Pure: the web layer passes the configuration. No audit, no claim: without an RGAA audit
result the service is « non conforme » (the RGAA rule for a service never audited); with one,
the rate decides (100 % totalement, at least 50 % partiellement, else non conforme).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

RGAA = "RGAA 4.1"
AXE_CORE = "axe-core 4.14.1"  # static/vendor/README.md: the copy the browser tests inject
BROWSER = "Chromium (Debian), sans tête, pilotée par Playwright ; écrans de 375 px et 1 280 px"
TECHNOLOGIES = ("HTML5", "CSS", "JavaScript (facultatif : les pages fonctionnent sans)", "SVG", "WAI-ARIA")

# Pages the automated checks cover: tests/browser/test_legal_browser.py runs axe-core on each.
AUDITED_PAGES = (
    ("Accueil et recherche", "/"),
    ("Résultats d'une recherche", "/?q=Grenoble&age=22&level=2"),
    ("Choix entre plusieurs communes", "/?q=Saint-Martin"),
    ("Recherche avec une erreur de saisie", "/?q=Lyon&age=abc"),
    ("Fiche d'un lieu", "/lieux/lieu-0001"),
    ("Widget pour les sites partenaires", "/embed?commune=15014"),
    ("Intégrer la recherche à votre site", "/integrer"),
    ("API publique", "/api"),
    ("Déclaration d'accessibilité", "/accessibilite"),
    ("Mentions légales", "/mentions-legales"),
    ("Données personnelles", "/donnees-personnelles"),
)

TO_COMPLETE = "à compléter par l'exploitant (réglage {})"


@dataclass(frozen=True)
class Conformity:
    state: str  # « totalement conforme », « partiellement conforme », « non conforme »
    rate: float | None  # share of RGAA criteria met, from an audit (None: no audit)
    audit_date: str | None
    auditor: str | None


def conformity(audit: Mapping | None) -> Conformity:
    """The state of conformity to declare, from the configured audit result (None: never audited)."""
    if not audit or audit.get("rate") is None:
        return Conformity("non conforme", None, None, None)
    rate = float(audit["rate"])
    state = "totalement conforme" if rate >= 100 else "partiellement conforme" if rate >= 50 else "non conforme"
    return Conformity(state, rate, audit.get("date"), audit.get("auditor"))


def setting(config: Mapping, name: str) -> str:
    """A configured legal value, or the honest « à compléter » naming the setting."""
    return config.get(name) or TO_COMPLETE.format(name)


def context(config: Mapping) -> dict:
    """What the three legal templates show."""
    return {
        "conformity": conformity(config.get("ACCESSIBILITY_AUDIT")),
        "rgaa": RGAA,
        "axe_core": AXE_CORE,
        "browser": BROWSER,
        "technologies": TECHNOLOGIES,
        "audited_pages": AUDITED_PAGES,
        "declared_on": config.get("ACCESSIBILITY_DECLARED_ON"),
        "publisher": setting(config, "LEGAL_PUBLISHER"),
        "director": setting(config, "LEGAL_DIRECTOR"),
        "host": setting(config, "LEGAL_HOST"),
        "contact": config.get("LEGAL_CONTACT"),
        "contact_text": setting(config, "LEGAL_CONTACT"),
        "log_retention": setting(config, "LEGAL_LOG_RETENTION"),
        "session_cookie": config.get("SESSION_COOKIE_NAME", "spro_session"),
        "session_hours": int(config.get("PERMANENT_SESSION_LIFETIME", 8 * 3600)) // 3600,
        "demand_window": config.get("DEMAND_WINDOW_DAYS"),
        "demand_counting": bool(config.get("DEMAND_COUNTING", True)),
    }
