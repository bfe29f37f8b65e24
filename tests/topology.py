"""A real deployment on loopback, built from the files in deploy/: PostgreSQL, Redis, two app servers, nginx.

Used by tests/deploy/ and scripts/bench_hosts.py. Everything listens on 127.0.0.1, in a temporary
folder, and is stopped by its pid:

- the app servers run the ``ExecStart`` of ``deploy/systemd/spro-finder.service`` (after the
  migrate unit's), with the variables of ``deploy/spro-finder.env.example`` and of the unit's
  ``Environment=`` lines, test values replacing addresses, secrets and paths;
- nginx runs a copy of ``deploy/nginx/spro-finder.conf`` where only the tokens of ``SITE_TOKENS``
  change (upstream addresses, listening ports, certificate, log and release paths), inside a
  minimal main configuration; its certificate is a self-signed one made by ``openssl``;
- Redis is ``tests/redis_server.py``, PostgreSQL ``tests/pg_server.py`` (the caller's cluster).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from finder.config import ROOT
from tests.pg_server import free_port
from tests.redis_server import RedisServer

DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "spro-finder.conf"
UNIT = DEPLOY / "systemd" / "spro-finder.service"
MIGRATE_UNIT = DEPLOY / "systemd" / "spro-finder-migrate.service"
ENV_EXAMPLE = DEPLOY / "spro-finder.env.example"
RELEASE = "/srv/spro-finder"  # where the units and the site expect the release
SECRET = "une clé de test partagée par les deux hôtes"
START_SECONDS = 60


# -- deploy/ files, made runnable on loopback ---------------------------------------------------
def replace_all(text: str, tokens: dict[str, str], name: str) -> str:
    """Replace each token, which must occur in ``text`` (a deploy file cannot drift from its test copy)."""
    for old, new in tokens.items():
        if old not in text:
            raise AssertionError(f"{name}: « {old} » is no longer in the file; update tests/topology.py")
        text = text.replace(old, new)
    return text


def site_tokens(upstreams: list[int], http_port: int, https_port: int, folder: Path) -> dict[str, str]:
    return {
        "app-a.spro.internal:8000": f"127.0.0.1:{upstreams[0]}",
        "app-b.spro.internal:8000": f"127.0.0.1:{upstreams[1]}",
        "    listen [::]:80;\n": "",
        "    listen [::]:443 ssl http2;\n": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/ssl/spro-finder/": f"{folder}/",
        "/var/log/nginx/": f"{folder}/",
        f"{RELEASE}/": f"{ROOT}/",
    }


def nginx_main(site: Path, folder: Path) -> str:
    """The main configuration wrapping the site, as Debian's /etc/nginx/nginx.conf does."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must read the temporary folders
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "".join(f"    {kind}_temp_path {folder}/{kind};\n" for kind in kinds)
    return (
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"{temp}    include {site};\n}}\n"
    )


def self_signed(folder: Path) -> Path:
    """fullchain.pem / privkey.pem for 127.0.0.1 (also the CA file clients verify against)."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return folder / "fullchain.pem"


def unit_values(path: Path, key: str) -> list[str]:
    """Every value of ``key=`` in a unit file's [Service] section."""
    section, out = None, []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and line.startswith(key + "="):
            out.append(line[len(key) + 1 :])
    return out


def environment_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd reads an EnvironmentFile (comments skipped, one level of quotes removed)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out[key.strip()] = value
    return out


def exec_start(unit: Path) -> list[str]:
    (line,) = unit_values(unit, "ExecStart")
    return shlex.split(line.replace(f"{RELEASE}/", f"{ROOT}/"))


# -- processes --------------------------------------------------------------------------------
class AppServer:
    """One host: the unit's gunicorn on a loopback port, its own session (a crash kills its whole group)."""

    def __init__(self, name: str, folder: Path, env: dict[str, str], port: int | None = None):
        self.name = name
        self.folder = folder / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.env = env
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, wait: bool = True) -> AppServer:
        env = dict(self.env)
        env["GUNICORN_CMD_ARGS"] = f"--bind 127.0.0.1:{self.port} --workers {env.get('TEST_WORKERS', '2')}"
        env["PROMETHEUS_MULTIPROC_DIR"] = str(self.folder / "metrics")
        env["SPRO_INSTANCE_PATH"] = str(self.folder / "instance")
        out = open(self.folder / "stdout.log", "ab")
        err = open(self.folder / "stderr.log", "ab")
        self.proc = subprocess.Popen(
            exec_start(UNIT), env=env, cwd=ROOT, stdout=out, stderr=err, start_new_session=True
        )
        out.close()
        err.close()
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} stopped: " + (self.folder / "stderr.log").read_text()[-3000:])
            try:
                if client().get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer in {START_SECONDS} s")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        """SIGTERM to the master (graceful, as systemd stops it), or SIGKILL to its whole group (a crash)."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        if sig == signal.SIGKILL:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group this test started (start_new_session)
        else:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def access_pids(self) -> set[int]:
        """Worker pids named in this host's JSON access log."""
        pids = set()
        for line in (self.folder / "stdout.log").read_text(errors="replace").splitlines():
            if line.startswith('{"ts"') and '"pid"' in line:
                try:
                    pids.add(int(json.loads(line)["pid"]))
                except (ValueError, KeyError):
                    continue
        return pids


class Nginx:
    def __init__(self, folder: Path, upstreams: list[int]):
        self.folder = folder / "nginx"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.http_port, self.https_port = free_port(), free_port()
        self.ca = self_signed(self.folder)
        site = self.folder / "spro-finder.conf"
        tokens = site_tokens(upstreams, self.http_port, self.https_port, self.folder)
        site.write_text(replace_all(SITE.read_text(encoding="utf-8"), tokens, SITE.name))
        self.main = self.folder / "nginx.conf"
        self.main.write_text(nginx_main(site, self.folder))
        self.proc: subprocess.Popen | None = None

    def command(self, *extra: str) -> list[str]:
        return ["nginx", "-c", str(self.main), "-p", str(self.folder), "-e", str(self.folder / "error.log"), *extra]

    def check(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=30)

    def start(self) -> Nginx:
        command = self.command("-g", "daemon off;")
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx stopped: " + self.proc.stderr.read().decode()[-2000:])
            try:
                client(self.ca).get(self.url + "/healthz", timeout=2)
                return self
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError("nginx did not answer in 20 s")

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def access_log(self) -> Path:
        return self.folder / "spro-finder.access.log"

    def log_lines(self) -> list[dict]:
        try:
            text = self.access_log.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        text = text[: text.rfind("\n") + 1]  # nginx may be writing the last line
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGQUIT)  # graceful shutdown, by the master's pid
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None


class SourceAdapter(HTTPAdapter):
    """requests from a chosen loopback source address (127.0.0.2, …): another client for nginx."""

    def __init__(self, source: str, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def client(ca: Path | None = None, source: str = "127.0.0.1") -> requests.Session:
    """A session to our loopback servers only: no proxy or CA bundle from the environment."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(ca) if ca else True
    if source != "127.0.0.1":
        session.mount("https://", SourceAdapter(source))
        session.mount("http://", SourceAdapter(source))
    return session


class Topology:
    """PostgreSQL database (from ``template``), Redis, the migrate unit, hosts A and B, nginx in front."""

    def __init__(self, pg_server, template: str | None, settings: dict[str, str] | None = None, workers: int = 2):
        self.pg = pg_server
        self.folder = Path(tempfile.mkdtemp(prefix="spro-topology-"))
        self.settings = settings or {}
        self.workers = workers
        self.template = template
        self.database_url = None
        self.redis = self.nginx = None
        self.hosts: list[AppServer] = []

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(environment_file(ENV_EXAMPLE))
        for line in unit_values(UNIT, "Environment"):
            key, _, value = line.partition("=")
            env[key] = value
        env.update(
            SPRO_DATABASE_URL=self.database_url,
            SPRO_SECRET_KEY=SECRET,
            SPRO_RATELIMIT_STORAGE_URL=self.redis.url,
            SPRO_METRICS_ALLOWED="127.0.0.0/8",
            TEST_WORKERS=str(self.workers),
        )
        env.update(self.settings)
        return env

    def migrate(self) -> subprocess.CompletedProcess:
        """The migrate unit's ExecStart, with the hosts' environment."""
        return subprocess.run(
            exec_start(MIGRATE_UNIT), env=self.env(), cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
        )

    def __enter__(self) -> Topology:
        try:
            self.database_url = self.pg.create_database(**({"template": self.template} if self.template else {}))
            self.redis = RedisServer().start()
            self.migrate()
            env = self.env()
            self.hosts = [AppServer(name, self.folder, env).start(wait=False) for name in ("a", "b")]
            for host in self.hosts:
                host.wait_ready()
            self.nginx = Nginx(self.folder, [h.port for h in self.hosts]).start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for host in self.hosts:
            host.stop()
        if self.redis is not None:
            self.redis.destroy()
        if self.database_url is not None:
            try:
                self.pg.drop_database(self.database_url)
            except Exception:  # the cluster may be stopped by a failed test: removed with it
                pass
        shutil.rmtree(self.folder, ignore_errors=True)

    def restart(self, host: AppServer) -> AppServer:
        """The same host again on the same port (as systemd would restart it)."""
        host.stop()
        return host.start()
