"""One configuration loader: defaults < instance/config.py < SPRO_* environment < overrides, for the app and
every command alike."""

from __future__ import annotations

import os

import pytest

from finder import config
from finder.cli import main as cli
from finder.storage.store import Store
from finder.web import create_app
from tests.conftest import DEMO


@pytest.fixture()
def instance(tmp_path, monkeypatch):
    """An empty instance folder named by SPRO_INSTANCE_PATH, and no other SPRO_* variable."""
    for name in [n for n in os.environ if n.startswith("SPRO_")]:
        monkeypatch.delenv(name)
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setenv("SPRO_INSTANCE_PATH", str(folder))
    return folder


def write_config(folder, text: str) -> None:
    (folder / "config.py").write_text(text, encoding="utf-8")


def test_defaults_and_the_database_beside_the_instance(instance):
    cfg = config.load()
    assert cfg["BAN_TIMEOUT"] == 2.0 and cfg["TILES_URL"] == config.DEFAULTS["TILES_URL"]
    assert cfg["DATABASE"] == str(instance / "spro.sqlite3")


def test_each_source_overrides_the_one_before(instance, monkeypatch):
    write_config(instance, "BAN_TIMEOUT = 1.0\nIMPORT_MAX_ROWS = 10\nLOGIN_MAX_FAILURES = 3\n")
    monkeypatch.setenv("SPRO_IMPORT_MAX_ROWS", "20")
    monkeypatch.setenv("SPRO_LOGIN_MAX_FAILURES", "7")
    cfg = config.load({"LOGIN_MAX_FAILURES": 9})
    assert (cfg["BAN_TIMEOUT"], cfg["IMPORT_MAX_ROWS"], cfg["LOGIN_MAX_FAILURES"]) == (1.0, 20, 9)


def test_environment_values_are_json_when_they_parse(instance, monkeypatch):
    monkeypatch.setenv("SPRO_SESSION_COOKIE_SECURE", "false")
    monkeypatch.setenv("SPRO_CACHE_MAX_AGE", "60")
    monkeypatch.setenv("SPRO_BAN_URL", "http://127.0.0.1:9/ban")
    monkeypatch.setenv("SPRO_EXTRA__DEPTH", '{"a": 1}')
    cfg = config.load()
    assert cfg["SESSION_COOKIE_SECURE"] is False and cfg["CACHE_MAX_AGE"] == 60
    assert cfg["BAN_URL"] == "http://127.0.0.1:9/ban"
    assert cfg["EXTRA"] == {"DEPTH": {"a": 1}}


def test_the_instance_file_gives_its_uppercase_names_only(instance):
    write_config(instance, "import os\nlower = 1\nTILES_URL = 'https://t.example/{z}/{x}/{y}.png'\n")
    cfg = config.load()
    assert cfg["TILES_URL"] == "https://t.example/{z}/{x}/{y}.png"
    assert "lower" not in cfg and "os" not in cfg


def test_a_broken_instance_file_stops_the_start(instance):
    write_config(instance, "TILES_URL = (\n")
    with pytest.raises(SyntaxError):
        config.load()


def test_a_bad_value_stops_the_start_with_a_clear_message(instance, monkeypatch, capsys):
    monkeypatch.setenv("SPRO_BAN_TIMEOUT", "5")
    with pytest.raises(config.ConfigError, match="BAN_TIMEOUT"):
        config.load()
    assert cli.main(["info"]) == 2
    assert "Erreur (configuration) : BAN_TIMEOUT doit être compris entre 0 et 2" in capsys.readouterr().err


def test_app_and_every_command_use_the_database_of_the_instance_file(instance, tmp_path, capsys):
    shared = tmp_path / "ailleurs" / "shared.sqlite3"
    write_config(instance, f"DATABASE = {str(shared)!r}\n")
    assert cli.main(["init"]) == 0
    assert str(shared) in capsys.readouterr().out
    store = Store(shared)
    d = store.load()
    v2 = store.add_version(list(d.structures.values()), d.sites[:7], demo=False, source="test", author="me")
    store.publish(v2, "me", "test")

    assert cli.main(["info"]) == 0
    assert capsys.readouterr().out.startswith(f"Version {v2} — 566 structures, 7 lieux")
    assert cli.main(["versions"]) == 0
    assert f"*  {v2}" in capsys.readouterr().out
    assert cli.main(["nearest", "--commune", "15014", "--limit", "50"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2 + 7
    app = create_app({"TESTING": True})
    assert app.config["DATABASE"] == str(shared)
    assert app.test_client().get("/healthz").get_json()["dataset"]["version"] == v2
    assert not (instance / "spro.sqlite3").exists(), "no second database beside the instance file"


def test_the_command_line_database_wins(instance, tmp_path, capsys):
    write_config(instance, f"DATABASE = {str(tmp_path / 'configured.sqlite3')!r}\n")
    other = tmp_path / "other.sqlite3"
    assert cli.main(["--database", str(other), "info"]) == 0
    assert other.exists() and not (tmp_path / "configured.sqlite3").exists()


def test_a_relative_instance_path_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPRO_INSTANCE_PATH", "inst")
    assert config.instance_path() == tmp_path / "inst"
    assert config.instance_path(DEMO.parent) == DEMO.parent


# -- DATABASE_URL (issue 10): a SQLite path or a postgresql:// URL; DATABASE is its older name ----------
def test_database_url_and_its_older_name(instance, tmp_path, monkeypatch):
    old = str(tmp_path / "ancien.sqlite3")
    monkeypatch.setenv("SPRO_DATABASE", old)
    assert config.load()["DATABASE_URL"] == old, "SPRO_DATABASE keeps working as the SQLite path"
    monkeypatch.setenv("SPRO_DATABASE_URL", "postgresql://spro@db.example:5432/spro")
    cfg = config.load()
    assert cfg["DATABASE_URL"] == cfg["DATABASE"] == "postgresql://spro@db.example:5432/spro"
    assert config.load({"DATABASE_URL": old})["DATABASE_URL"] == old, "--database wins over the environment"
    monkeypatch.delenv("SPRO_DATABASE")
    monkeypatch.delenv("SPRO_DATABASE_URL")
    write_config(instance, "DATABASE_URL = 'postgresql://spro@fichier/spro'\n")
    assert config.load()["DATABASE_URL"] == "postgresql://spro@fichier/spro"
    monkeypatch.setenv("SPRO_DATABASE", old)
    assert config.load()["DATABASE_URL"] == old, "the environment's DATABASE beats the instance file's URL"


def test_the_command_line_and_the_app_read_database_url(instance, tmp_path, monkeypatch, capsys):
    shared = tmp_path / "partagee.sqlite3"
    monkeypatch.setenv("SPRO_DATABASE_URL", str(shared))
    assert cli.main(["init"]) == 0 and shared.exists()
    assert create_app({"TESTING": True}).config["DATABASE_URL"] == str(shared)


@pytest.mark.parametrize("value", ["25/12/2026", "demain", "2026-13-01T10:00"])
def test_fixed_now_must_be_an_iso_date_time(instance, monkeypatch, value):
    monkeypatch.setenv("SPRO_FIXED_NOW", value)
    with pytest.raises(config.ConfigError, match="FIXED_NOW"):
        config.load()


@pytest.mark.parametrize("value", ["ftp://x/{to}", "https://maps.example/dir"])
def test_directions_url_must_be_a_web_template(instance, monkeypatch, value):
    monkeypatch.setenv("SPRO_DIRECTIONS_URL", value)
    with pytest.raises(config.ConfigError, match="DIRECTIONS_URL"):
        config.load()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"EDIT_POLICY": {"horaires": "publish"}}, "groupe inconnu « horaires »"),
        ({"EDIT_POLICY": {"hours": "maybe"}}, "publish ou review"),
        ({"EDIT_POLICY": "hours"}, "dictionnaire"),
        ({"SMTP_SECURITY": "tls"}, "SMTP_SECURITY"),
        ({"SMTP_PORT": 70000}, "SMTP_PORT"),
        ({"FRESHNESS_FLAG_DAYS": 365, "FRESHNESS_HIDE_DAYS": 100}, "FRESHNESS_HIDE_DAYS"),
        ({"INVITATION_DAYS": 0}, "INVITATION_DAYS"),
        ({"PUBLIC_URL": "orientation.example.org"}, "PUBLIC_URL"),
        ({"MAIL_FROM": "SPRO"}, "MAIL_FROM"),
    ],
)
def test_bad_settings_of_issue_12_stop_the_start(instance, overrides, message):
    with pytest.raises(config.ConfigError, match=message):
        config.load(overrides, instance)


def test_the_edit_policy_is_merged_over_its_defaults(instance):
    cfg = config.load({"EDIT_POLICY": {"hours": "review"}, "PUBLIC_URL": "https://o.example.org/"}, instance)
    assert cfg["EDIT_POLICY"] == {**config.EDIT_POLICY_DEFAULTS, "hours": "review"}
    assert cfg["PUBLIC_URL"] == "https://o.example.org"
