"""A throwaway redis-server for the tests: Debian's binary on a free loopback port, nothing saved.

``RedisServer().start()`` runs ``redis-server --port P --bind 127.0.0.1 --save "" --appendonly no``
in a temporary folder; ``stop()`` ends it by its pid (SIGTERM, SIGKILL past a bounded wait) and
``start()`` again brings it back on the same port, empty (as after a real restart without
persistence).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.pg_server import free_port

START_SECONDS = 10


def binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError("redis-server introuvable : apt-get install -y redis-server (.ci/run l'installe).")
    return found


class RedisServer:
    def __init__(self):
        self.bin = binary()
        self.base = Path(tempfile.mkdtemp(prefix="spro-redis-"))
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        cmd = [self.bin, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        cmd += ["--dir", str(self.base), "--logfile", str(self.base / "redis.log")]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("redis-server stopped: " + (self.base / "redis.log").read_text()[-2000:])
            if self.ping():
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not answer in {START_SECONDS} s")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
