"""spro-finder user add --role referent, user invite, campaign start/remind/list, export --format data-inclusion,
import of the two data·inclusion files."""

from __future__ import annotations

import json
import re

import pytest
from data_inclusion.schema import v1

from finder.cli import main as cli
from finder.service import referents
from finder.storage.store import Store
from tests.smtp_server import smtp_server

PASSWORD = "un mot de passe solide"


@pytest.fixture()
def db(tmp_path):
    path = str(tmp_path / "s.sqlite3")
    assert cli.main(["--database", path, "init"]) == 0
    return path


def test_a_referent_is_created_with_an_invitation_link(db, capsys, monkeypatch):
    monkeypatch.setenv("SPRO_PUBLIC_URL", "https://orientation.example.org")
    args = ["--database", db, "user", "add", "rachid", "--role", "referent", "--structure", "str-0001,str-0002",
            "--email", "r@example.org"]  # fmt: skip
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    token = re.search(r"https://orientation\.example\.org/espace/invitation/([A-Za-z0-9_-]{43})", out).group(1)
    store = Store(db)
    assert referents.accept(store, token, PASSWORD, PASSWORD) == "rachid"
    assert cli.main(["--database", db, "user", "invite", "rachid"]) == 0
    assert "/espace/invitation/" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--role", "referent", "--email", "r@example.org"], "au moins une structure"),
        (["--role", "referent", "--structure", "str-9999", "--email", "r@example.org"], "str-9999"),
        (["--role", "referent", "--structure", "str-0001"], "Courriel obligatoire"),
    ],
)
def test_bad_referents_are_one_french_line(db, capsys, extra, message):
    assert cli.main(["--database", db, "user", "add", "rachid", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_campaign_from_the_command_line(db, capsys, monkeypatch):
    store = Store(db)
    referents.create_account(store, None, "rachid", "referent", ["str-0001"], store.load().structures, "r@example.org")
    with smtp_server() as (recorder, port):
        for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none"}.items():
            monkeypatch.setenv(f"SPRO_{key}", value)
        assert cli.main(["--database", db, "campaign", "start", "--structure", "str-0001,str-0002"]) == 0
        assert "1 courriel(s) envoyé(s)" in capsys.readouterr().out
        assert cli.main(["--database", db, "campaign", "remind", "1"]) == 0
        assert len(recorder.messages) == 2 and recorder.messages[1]["Subject"].startswith("Rappel")
    assert cli.main(["--database", db, "campaign", "list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^1 .* 1 +0 +0 +1 +1$", out, re.M), out


def test_export_data_inclusion_then_import_it_back(db, tmp_path, capsys):
    folder = tmp_path / "opendata"
    assert cli.main(["--database", db, "export", "--format", "data-inclusion", str(folder)]) == 0
    structures = json.loads((folder / "structures.json").read_text(encoding="utf-8"))
    services = json.loads((folder / "services.json").read_text(encoding="utf-8"))
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert meta["licence"] == "etalab-2.0" and meta["files"] == {"structures.json": len(structures),
                                                                  "services.json": len(services)}  # fmt: skip
    v1.Structure.model_validate(structures[0])
    v1.Service.model_validate(services[0])
    capsys.readouterr()
    args = ["--database", db, "import", str(folder / "structures.json"), str(folder / "services.json"), "--dry-run"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "0 lieu(x) ajouté(s), 0 supprimé(s), 0 modifié(s)" in out
