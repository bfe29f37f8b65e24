"""The deploy/ files are valid for the tools that read them: ``nginx -t`` on the site (a copy whose
addresses and paths are the test's), ``systemd-analyze verify`` on the units (paths of this checkout),
the example environment file names real settings."""

from __future__ import annotations

import subprocess

import pytest

from finder import config
from tests import topology
from tests.deploy.conftest import need


def test_the_nginx_site_passes_nginx_t(tmp_path):
    need("nginx", "openssl")
    nginx = topology.Nginx(tmp_path, [18001, 18002])
    result = nginx.check()
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_nginx_t_catches_a_broken_site(tmp_path):
    need("nginx", "openssl")
    nginx = topology.Nginx(tmp_path, [18001, 18002])
    site = nginx.folder / "spro-finder.conf"
    site.write_text(site.read_text().replace("proxy_next_upstream_tries 2;", "proxy_next_upstream_tries;"))
    result = nginx.check()
    assert result.returncode != 0 and "proxy_next_upstream_tries" in result.stderr


def test_the_site_retries_only_idempotent_requests_and_hides_metrics():
    text = topology.SITE.read_text()
    (retry,) = [line.strip() for line in text.splitlines() if line.strip().startswith("proxy_next_upstream ")]
    assert retry.startswith("proxy_next_upstream error timeout") and "non_idempotent" not in retry
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in text
    assert "location = /metrics" in text


def verify(tmp_path, units: dict[str, str]) -> subprocess.CompletedProcess:
    for name, text in units.items():
        (tmp_path / name).write_text(text.replace(f"{topology.RELEASE}/", f"{config.ROOT}/"))
    paths = [str(tmp_path / name) for name in units]
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *paths], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )


def units() -> dict[str, str]:
    return {p.name: p.read_text() for p in (topology.UNIT, topology.MIGRATE_UNIT)}


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    need("systemd-analyze")
    if not (config.ROOT / ".venv" / "bin" / "gunicorn").exists():
        pytest.fail("the units run .venv/bin/gunicorn and .venv/bin/spro-finder: scripts/test creates .venv")
    result = verify(tmp_path, units())
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_systemd_analyze_verify_catches_a_broken_unit(tmp_path):
    need("systemd-analyze")
    broken = units()
    broken["spro-finder.service"] = broken["spro-finder.service"].replace("KillMode=mixed", "KillMode=mixte")
    result = verify(tmp_path, broken)
    assert "kill mode" in result.stderr and "mixte" in result.stderr


def test_the_units_run_the_app_with_its_gunicorn_settings_after_migrating():
    command = topology.exec_start(topology.UNIT)
    assert command[0].endswith("/.venv/bin/gunicorn") and command[-1] == "finder.web.wsgi:app"
    assert command[command.index("--config") + 1] == str(config.ROOT / "finder" / "web" / "gunicorn_conf.py")
    assert topology.exec_start(topology.MIGRATE_UNIT)[1:] == ["migrate"]
    assert topology.unit_values(topology.UNIT, "Type") == ["notify"]
    assert "Requires=spro-finder-migrate.service" in topology.UNIT.read_text()


def test_the_example_environment_names_real_settings():
    env = topology.environment_file(topology.ENV_EXAMPLE)
    spro = {key.removeprefix("SPRO_") for key in env if key.startswith("SPRO_")}
    assert spro - {"INSTANCE_PATH"} <= set(config.DEFAULTS), spro - set(config.DEFAULTS)
    assert {"DATABASE_URL", "SECRET_KEY", "RATELIMIT_STORAGE_URL", "TRUSTED_PROXIES"} <= spro
    assert set(env) - {f"SPRO_{k}" for k in spro} == {"GUNICORN_CMD_ARGS"}


def test_no_container_file_is_shipped():
    """CI cannot build or run one here (no container engine): none is shipped untested."""
    names = ("Dockerfile", "Containerfile")
    found = [p for p in config.ROOT.rglob("*") if p.name in names and ".venv" not in p.parts]
    assert not found
