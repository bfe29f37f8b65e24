"""Real-browser fixtures: the app on a loopback port and Debian's Chromium driven by Playwright.

Every request the browser makes to a host other than 127.0.0.1 is aborted and recorded,
so no browser test reaches the internet (map tiles point at a local image).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()


def serve(tmp_path, **config) -> LiveServer:
    """Start the app on a free loopback port; tiles come from a local image."""
    server = LiveServer(None)
    tiles = server.url + "/static/vendor/leaflet/images/layers.png?z={z}&x={x}&y={y}"
    server.server.app = make_app(tmp_path, TILES_URL=tiles, **config)
    return server.start()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    server = serve(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def blocked():
    """Requests the browser tried to send off the machine (should stay empty)."""
    return []


def new_context(browser, blocked, **options):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", **options)

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context


@pytest.fixture()
def page(browser, blocked):
    context = new_context(browser, blocked)
    p = context.new_page()
    p.console_errors = []
    p.on("console", lambda m: m.type == "error" and p.console_errors.append(m.text))
    p.on("pageerror", lambda e: p.console_errors.append(str(e)))
    yield p
    context.close()
    assert blocked == [], f"requests to other hosts: {blocked}"


def axe_violations(page) -> list[dict]:
    """Serious or critical axe-core violations on the current page."""
    # Served by the app itself (vendored): an inline copy would be refused by the pages' CSP.
    parts = urlsplit(page.url)
    page.add_script_tag(url=f"{parts.scheme}://{parts.netloc}/static/vendor/axe-core/axe.min.js")
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]
