"""spro-finder jobs: queue an export, run it with a worker (progress bar), follow it, save its file."""

from __future__ import annotations

import threading

from finder.cli import main as cli
from finder.service import jobs as service
from finder.storage import jobs as rows
from finder.storage.store import Store


def spro(url: str, *args: str) -> int:
    return cli.main(["--database", url, *args])


def test_export_worker_wait_and_file(demo_url, tmp_path, capsys):
    assert spro(demo_url, "jobs", "export", "csv") == 0
    assert "traitement 1" in capsys.readouterr().out
    assert spro(demo_url, "jobs", "list") == 0
    assert "en attente" in capsys.readouterr().out
    assert spro(demo_url, "jobs", "run-worker", "--once") == 0
    out, err = capsys.readouterr()
    assert "Traitement 1 : terminé. Export de la version 1 prêt : 1073 lieux." in out
    assert "Écriture du fichier CSV" in err or "Lecture de la version [" in err  # the progress bar, on stderr
    target = tmp_path / "annuaire.csv"
    assert spro(demo_url, "jobs", "wait", "1", "-o", str(target)) == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbfid;nom;structure_id")
    assert spro(demo_url, "jobs", "show", "1") == 0
    assert "terminé" in capsys.readouterr().out
    assert spro(demo_url, "jobs", "run-worker", "--once") == 0
    assert "Aucun traitement en attente." in capsys.readouterr().out


def test_wait_shows_the_progress_of_a_job_run_elsewhere_and_a_failure_exits_1(demo_url, capsys):
    store = Store(demo_url)
    job_id = service.start_export(store, "xlsx", 42, "alice")
    result = {}

    def other_worker():
        from tests.import_helpers import geo

        result["job"] = service.Runner(service.Context(store, geo(), {}), poll_seconds=0.05).run_once()

    thread = threading.Thread(target=other_worker)
    thread.start()
    code = spro(demo_url, "jobs", "wait", str(job_id), "--timeout", "60")
    thread.join(60)
    assert code == 1 and result["job"]["state"] == rows.FAILED
    assert "échec. La version 42 n'existe pas." in capsys.readouterr().out
    assert spro(demo_url, "jobs", "show", "99") == 2
    store.db.close()
