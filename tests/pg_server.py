"""A throwaway PostgreSQL cluster for the tests: Debian's binaries, a temporary folder, a free loopback port.

``PgServer.start()`` runs ``initdb`` and ``pg_ctl start`` (as the ``postgres`` user when the tests run
as root: PostgreSQL refuses to run as root), listening on 127.0.0.1 only, without Unix socket
outside the temporary folder. ``stop()`` ends the postmaster by the pid it wrote, waiting a bounded
time. Durability is off (``fsync``, ``synchronous_commit``): a test cluster is thrown away.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

STOP_SECONDS = 20
START_SECONDS = 30


def bin_dir() -> Path:
    """The folder of initdb / pg_ctl: Debian's newest /usr/lib/postgresql/N/bin, else the PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("pg_ctl")
    if which:
        return Path(which).resolve().parent
    raise RuntimeError("PostgreSQL introuvable : apt-get install -y postgresql (.ci/run l'installe).")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self):
        self.bin = bin_dir()
        self.base = Path(tempfile.mkdtemp(prefix="spro-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self._names = 0

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run(prefix + list(args), check=True, capture_output=True, text=True, timeout=timeout)

    def start(self) -> PgServer:
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
        os.chmod(self.base, 0o700)
        if not self.data.exists():
            self._run(
                str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync",
                "-E", "UTF8", "--locale=C.UTF-8",
            )  # fmt: skip
        self.resume()
        return self

    def resume(self) -> None:
        """Start (or start again) the server on its port; returns when it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.base} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "log"), "-o", options,
            "-w", "-t", str(START_SECONDS), "start",
            timeout=START_SECONDS + 10,
        )  # fmt: skip

    def pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        """Fast shutdown by the postmaster's pid (SIGINT), SIGKILL past STOP_SECONDS."""
        pid = self.pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGINT)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, template: str = "template0") -> str:
        """A new database (empty, or a copy of ``template``); its URL."""
        import psycopg

        self._names += 1
        name = f"spro_{os.getpid()}_{self._names}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a test's database, ending the sessions still open on it (kept for reuse by its stores)."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        if self.pid() is None:
            return
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
