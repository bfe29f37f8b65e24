"""The web adapter: the Flask application factory, blueprints per audience, the HTTP policy.

Owns ``create_app`` (one factory, configuration from ``finder.config``), the served state of
a worker, the blueprints (api, pages, embed, staff, admin, docs), the fast WSGI path of the
nearest endpoint, the HTTP policy (security headers, CORS, ETag, gzip, rate limit) applied
in one place for every route, the static files (fingerprinted, cached a year), the OpenAPI
document, the Prometheus metrics, the WSGI entry point and the gunicorn settings. Views parse input through
``finder.service``, call one core function, render.

May import: every package but ``finder.cli``.
"""

from __future__ import annotations

from flask import Flask

from finder import config as config_mod
from finder.errors import StoreError
from finder.storage import audit
from finder.web.state import State

ROOT = config_mod.ROOT


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Configuration (finder.config.load): defaults < instance/config.py < SPRO_* env < test_config."""
    instance = config_mod.instance_path()
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(instance),
        template_folder=str(ROOT / "templates"),
        static_folder=None,  # served by finder.web.assets (fingerprinted, from memory)
    )
    app.config.update(config_mod.load(test_config, instance))
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    try:
        app.extensions["spro"] = State.from_config(app.config)
    except StoreError as err:  # one French line naming the setting (gunicorn prints a RuntimeError as is)
        raise config_mod.ConfigError(err.message) from None
    audit.to_stream("stdout")

    from finder.web import (
        admin,
        api,
        assets,
        docs,
        embed,
        errors,
        espace,
        fastpath,
        http,
        i18n,
        jobs,
        legal,
        metrics,
        opendata,
        pages,
        printkit,
        queries,
        security,
        staff,
    )

    errors.register(app)
    metrics.init_app(app)  # first: its hook names the route before any other hook may answer
    assets.init_app(app, ROOT / "static")
    http.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    queries.init_app(app)  # after the rate limit: a flood of bad keys is counted too
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    staff.register(app)
    app.register_blueprint(admin.bp)
    jobs.init_app(app)  # job threads start after gunicorn's fork (post_fork) or when this process queues a job
    app.register_blueprint(docs.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(espace.bp)
    app.register_blueprint(opendata.bp)
    app.register_blueprint(legal.bp)
    app.register_blueprint(printkit.bp)
    if app.config["DEMAND_COUNTING"]:
        from finder.service.demand import Counter

        app.extensions["spro_demand"] = Counter(state(app).store, app.config["DEMAND_FLUSH_SECONDS"])
    app.wsgi_app = metrics.Recorder(fastpath.NearestFastPath(app.wsgi_app, app))
    http.trust_proxies(app)
    state(app).store.db.close()  # no database connection crosses gunicorn's fork: each worker opens its own
    return app


def state(app: Flask | None = None) -> State:
    from flask import current_app

    return (app or current_app).extensions["spro"]
