"""Thin web layer: the application factory and the served state.

Views parse input with finder.query, call the engine, and render; nothing else.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .. import config as config_mod
from .state import State

ROOT = config_mod.ROOT


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Configuration: defaults < instance/config.py < SPRO_* env < test_config."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("SPRO_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(config_mod.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SPRO")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("DATABASE"):
        app.config["DATABASE"] = str(Path(app.instance_path) / "spro.sqlite3")
    config_mod.check(app.config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    app.extensions["spro"] = State.from_config(app.config)

    from . import admin, api, docs, embed, errors, fastpath, http, pages, security, staff

    errors.register(app)
    http.init_app(app)
    security.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    staff.register(app)
    app.register_blueprint(admin.bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(embed.bp)
    app.wsgi_app = fastpath.NearestFastPath(app.wsgi_app, app)
    http.trust_proxies(app)
    return app


def state(app: Flask | None = None) -> State:
    from flask import current_app

    return (app or current_app).extensions["spro"]
