"""Real HTTP servers for an app on a free loopback port: werkzeug in a thread, or gunicorn as scripts/run starts it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from finder.config import ROOT


@contextmanager
def serve(app, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL (no trailing slash)."""
    server = make_server(host, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(instance: Path, settings: dict[str, str], workers: int = 2) -> Iterator[str]:
    """gunicorn with the app's settings file (preload, sync workers) on a free loopback port, stopped by its pid.

    ``settings``: SPRO_* environment variables (the instance folder and a secret key are set).
    """
    port = free_port()
    env = dict(os.environ, SPRO_INSTANCE_PATH=str(instance), SPRO_SECRET_KEY="k" * 32, **settings)
    cmd = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "finder" / "web" / "gunicorn_conf.py")]
    cmd += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "finder.web.wsgi:app"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn stopped: " + proc.stderr.read().decode()[-2000:])
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer in 60 s")
