"""The legal pages public services owe: accessibility statement, legal notice, personal data.

Thin views over ``finder.service.legal``; linked from every page footer (base.html, embed.html).
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from finder.service import legal

bp = Blueprint("legal", __name__)


def _render(template: str):
    return render_template(template, **legal.context(current_app.config))


@bp.get("/accessibilite")
def accessibility():
    return _render("legal/accessibilite.html")


@bp.get("/mentions-legales")
def notice():
    return _render("legal/mentions_legales.html")


@bp.get("/donnees-personnelles")
def personal_data():
    return _render("legal/donnees_personnelles.html")


@bp.app_context_processor
def inject_conformity():
    """Every footer says the state of conformity: « Accessibilité : non conforme » (RGAA)."""
    return {"legal_conformity": lambda: legal.conformity(current_app.config.get("ACCESSIBILITY_AUDIT")).state}
