"""Field-staff tools: the coverage API, the /couverture and /bilan pages and their exports."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register every field-staff blueprint (one call from create_app)."""
    from . import coverage_api

    app.register_blueprint(coverage_api.bp)
