"""Export → import → export gives the same bytes; the demo imports cleanly; the command line.

The store-level tests run on both backends (``demo_store``: SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import io

import pytest

from finder.cli import main as cli
from finder.directory import export, importer
from finder.domain.model import Closure
from finder.storage.store import Store
from tests.conftest import DEMO
from tests.import_helpers import demo_directory, fingerprint, geo, settings


@pytest.fixture()
def store(demo_store):
    return demo_store


def test_export_import_export_is_identical(store):
    check_round_trip(store, "csv")


def test_export_import_export_is_identical_in_xlsx(tmp_path):
    """The file format is the database's business nowhere: once, on SQLite."""
    s = Store(tmp_path / "spro.sqlite3")
    s.initialise(DEMO)
    check_round_trip(s, "xlsx")


def check_round_trip(store, fmt: str) -> None:
    published = store.load()
    first = export.to_bytes(published, geo(), fmt)
    result = importer.run(first, store, geo(), settings(), "test", f"annuaire.{fmt}", publish=True)
    assert result.report.ok and not result.report.errors
    assert result.diff.empty
    again = store.load()
    assert again.structures == published.structures
    assert sorted(again.sites, key=lambda s: s.id) == sorted(published.sites, key=lambda s: s.id)
    assert export.to_bytes(again, geo(), "csv") == export.to_bytes(published, geo(), "csv")
    assert export.to_bytes(again, geo(), fmt) == first  # XLSX entries carry a fixed date: same bytes too


def test_demo_directory_imports_cleanly(store):
    data = export.to_bytes(demo_directory(), geo())
    report = importer.check(data, store, geo(), settings()).report
    assert report.ok and report.rows == 1073
    assert {i.code for i in report.warnings} <= {"stale"}  # only sites not checked for a year


def test_round_trip_keeps_closures_precision_flags_and_awkward_text(store):
    d = store.load()
    odd = dataclasses.replace(
        d.sites[0],
        name='Accueil "Jeunes"; =1+1, <b>gras</b>',
        description="Ligne 1\nLigne 2 ; avec, séparateurs",
        closures=(Closure("2026-12-24", "2027-01-02", "Congés"), Closure("2027-02-01", "2027-02-03", "")),
        position_source="commune",
        accessible=None,
        phone="+33 4 65 71 00 01",
    )
    d.sites[0] = odd
    for sep in (",", ";"):
        data = export.to_bytes(d, geo(), separator=sep)
        result = importer.check(data, store, geo(), settings())
        assert result.report.ok, result.report.to_text()
        back = next(s for s in result.directory.sites if s.id == odd.id)
        assert back == odd


def test_failed_import_leaves_the_store_as_it_was(store, monkeypatch):
    before = fingerprint(store)
    data = export.to_bytes(store.load(), geo()).replace(b"lieu-0002;", b"lieu-0001;", 1)
    assert not importer.run(data, store, geo(), settings(), "t", publish=True).report.ok
    assert fingerprint(store) == before

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    good = export.to_bytes(store.load(), geo())
    monkeypatch.setattr(store, "_publish", broken)
    with pytest.raises(OSError):
        importer.run(good, store, geo(), settings(), "t", publish=True)
    assert fingerprint(store)[0::2] == before[0::2]  # still the same version served, byte for byte


# -- command line ------------------------------------------------------------------------
def spro(tmp_path, *args) -> int:
    return cli.main(["--database", str(tmp_path / "spro.sqlite3"), *args])


def test_cli_export_import_versions_rollback(tmp_path, capsys):
    out = tmp_path / "annuaire.csv"
    assert spro(tmp_path, "export", str(out)) == 0
    assert spro(tmp_path, "import", str(out), "--dry-run", "--author", "alice") == 0
    text = capsys.readouterr().out
    assert "0 erreur(s)" in text and "Essai à blanc" in text
    assert spro(tmp_path, "import", str(out), "--author", "alice") == 0
    assert "Version 2 enregistrée et publiée" in capsys.readouterr().out
    assert spro(tmp_path, "versions") == 0
    listing = capsys.readouterr().out
    assert "*  2" in listing and "alice (publish)" in listing
    assert spro(tmp_path, "rollback", "1", "--author", "bob") == 0
    assert "Retour à la version 1" in capsys.readouterr().out
    assert Store(tmp_path / "spro.sqlite3").published_version() == 1
    assert spro(tmp_path, "rollback", "1") == 2  # already published: French message, exit 2
    assert "déjà celle publiée" in capsys.readouterr().err
    assert spro(tmp_path, "rollback", "42") == 2


def test_cli_import_with_errors_exits_non_zero_and_prints_the_report(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id;nom\nx;y\n")
    assert spro(tmp_path, "import", str(bad)) == 1
    out = capsys.readouterr().out
    assert "ligne 1 [code_insee]" in out and "annuaire publié est inchangé" in out
    assert spro(tmp_path, "import", str(tmp_path / "absent.csv")) == 2


def test_cli_export_xlsx_and_import_it(tmp_path, capsys):
    out = tmp_path / "annuaire.xlsx"
    assert spro(tmp_path, "export", str(out)) == 0
    assert out.read_bytes().startswith(b"PK")
    assert spro(tmp_path, "import", str(out), "--no-publish") == 0
    assert "non publiée" in capsys.readouterr().out
    assert spro(tmp_path, "publish", "2") == 0


def test_cli_user_add(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("un mot de passe solide\n"))
    assert spro(tmp_path, "user", "add", "Alice", "--password-stdin") == 0
    assert "Compte « alice » créé" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    assert spro(tmp_path, "user", "add", "bob", "--password-stdin") == 2
    assert "trop court" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("un mot de passe solide\n"))
    assert spro(tmp_path, "user", "add", "alice", "--password-stdin") == 2
    assert spro(tmp_path, "user", "list") == 0
    assert capsys.readouterr().out.startswith("alice")
