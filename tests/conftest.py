"""Shared fixtures: an app on a temporary store, its client and CLI runner; databases on both backends.

No test reaches the network: pytest-socket allows loopback connections only. PostgreSQL
tests run on a throwaway cluster started once per session on a loopback port
(tests/pg_server.py): ``database_url`` and ``demo_url`` are parametrized over both backends
(marker ``postgres`` on the PostgreSQL half, ``-m "not postgres"`` to leave it out). The shared rate
limit runs on a throwaway redis-server (tests/redis_server.py, marker ``redis``).
"""

from __future__ import annotations

import pytest

from finder.domain import geography
from finder.domain.engine import Engine
from finder.storage.store import Store
from finder.web import create_app
from finder.web.state import _geography

DEMO = geography.GEODATA_DIR / "demo" / "directory.json"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_configure(config):
    # Loopback only: fake external services run on 127.0.0.1, nothing else is reachable.
    config.option.allow_hosts = "127.0.0.1,::1,localhost"


@pytest.fixture(autouse=True)
def _stop_job_threads():
    """Job threads started by a test's app (a queued export or import) end with the test."""
    yield
    from finder.web import jobs

    jobs.stop_all()


@pytest.fixture(scope="session")
def geo():
    return _geography(geography.DEFAULT_REGION, str(geography.GEODATA_DIR))


@pytest.fixture(scope="session")
def engine(geo, tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("engine") / "spro.sqlite3")
    store.initialise(DEMO)
    return Engine(store.load(), geo)


def make_app(tmp_path, **config):
    # A publish is built in the request that sees it, so a test reads the new version at once;
    # tests/web/test_background_reload.py checks the default (a background build per worker).
    settings = {
        "TESTING": True,
        "DATABASE": str(tmp_path / "spro.sqlite3"),
        "RELOAD_IN_BACKGROUND": False,
        "CACHE_DIR": str(tmp_path / "cache"),
    }
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


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL cluster (stopped by pid and removed at the end)."""
    from tests.pg_server import PgServer

    server = PgServer()
    try:
        yield server.start()
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def pg_demo_template(pg_server):
    """A database holding the demo directory, copied for each test that wants one (faster than loading)."""
    url = pg_server.create_database()
    store = Store(url)
    store.initialise(DEMO)
    store.db.close()  # a template must have no open connection when copied
    return url.rsplit("/", 1)[1]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """An empty database: a SQLite path, or a new PostgreSQL database's URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "spro.sqlite3")
        return
    server = request.getfixturevalue("pg_server")
    url = server.create_database()
    yield url
    server.drop_database(url)


@pytest.fixture(params=BACKENDS)
def demo_url(request, tmp_path):
    """A database with the demo directory published as version 1, on each backend."""
    if request.param == "sqlite":
        url = str(tmp_path / "spro.sqlite3")
        Store(url).initialise(DEMO)
        yield url
        return
    server = request.getfixturevalue("pg_server")
    url = server.create_database(template=request.getfixturevalue("pg_demo_template"))
    yield url
    server.drop_database(url)


@pytest.fixture()
def demo_store(demo_url):
    store = Store(demo_url)
    yield store
    store.db.close()


@pytest.fixture(scope="session")
def redis_server():
    """The session's redis-server on a loopback port (stopped by pid at the end)."""
    from tests.redis_server import RedisServer

    server = RedisServer()
    try:
        yield server.start()
    finally:
        server.destroy()


@pytest.fixture()
def redis_url(redis_server):
    """The session's Redis, emptied for this test (and started again if a test stopped it)."""
    import redis

    if not redis_server.ping():
        redis_server.start()
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url
