"""Shared fixtures: an app on a temporary store, its client and CLI runner.

No test reaches the network: pytest-socket allows loopback connections only.
"""

from __future__ import annotations

import pytest

from finder.domain import geography
from finder.domain.engine import Engine
from finder.storage.store import Store
from finder.web import create_app
from finder.web.state import _geography

DEMO = geography.GEODATA_DIR / "demo" / "directory.json"


def pytest_configure(config):
    # Loopback only: fake external services run on 127.0.0.1, nothing else is reachable.
    config.option.allow_hosts = "127.0.0.1,::1,localhost"


@pytest.fixture(scope="session")
def geo():
    return _geography(str(geography.GEODATA_DIR))


@pytest.fixture(scope="session")
def engine(geo, tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("engine") / "spro.sqlite3")
    store.initialise(DEMO)
    return Engine(store.load(), geo)


def make_app(tmp_path, **config):
    settings = {"TESTING": True, "DATABASE": str(tmp_path / "spro.sqlite3")}
    settings.update(config)
    return create_app(settings)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """A read-only app shared by the session (tests that write use make_app)."""
    return make_app(tmp_path_factory.mktemp("app"))


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()
