"""One French line saying why a site suits the person's profile."""

from __future__ import annotations

from finder.domain import vocab
from finder.domain.criteria import Criteria
from finder.domain.model import Site


def publics_text(site: Site) -> str:
    """Who the site receives, in plain French."""
    parts = []
    if site.age_min is not None and site.age_max is not None:
        parts.append(f"de {site.age_min} à {site.age_max} ans")
    elif site.age_min is not None:
        parts.append(f"à partir de {site.age_min} ans")
    elif site.age_max is not None:
        parts.append(f"jusqu'à {site.age_max} ans")
    if site.statuses:
        parts.append(", ".join(vocab.label(vocab.STATUSES, s).lower() for s in site.statuses))
    if site.qualifications:
        parts.append(", ".join(vocab.label(vocab.QUALIFICATIONS, q).lower() for q in site.qualifications))
    return " ; ".join(parts) if parts else "tout public"


def why(site: Site, c: Criteria, in_territory: bool | None) -> str:
    """E.g. « Reçoit les 16–25 ans · conseil personnalisé · compétent pour votre commune »."""
    reasons = []
    if c.age is not None and (site.age_min is not None or site.age_max is not None):
        lo = site.age_min if site.age_min is not None else 0
        reasons.append(f"reçoit les {lo}–{site.age_max} ans" if site.age_max is not None else f"dès {lo} ans")
    if c.status and site.statuses:
        reasons.append(f"public : {vocab.label(vocab.STATUSES, c.status).lower()}")
    elif not site.statuses:
        reasons.append("ouvert à toutes les situations")
    if c.qualification and site.qualifications:
        reasons.append(vocab.label(vocab.QUALIFICATIONS, c.qualification).split(" (")[0].lower())
    if c.level == 2:
        reasons.append("conseil et accompagnement personnalisés")
    elif c.level == 1:
        reasons.append("accueil et information")
    if c.mode == "a-distance":
        reasons.append("possible à distance")
    if c.accessible:
        reasons.append("accessible en fauteuil roulant")
    if in_territory:
        reasons.append("compétent pour votre commune")
    text = " · ".join(reasons) if reasons else "correspond à votre recherche"
    return text[0].upper() + text[1:]
