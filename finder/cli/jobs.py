"""``spro-finder jobs``: list and show jobs, queue an export, follow a job with a progress bar,
save its file, and run a worker (the job threads of the app, as a process of its own).

    spro-finder jobs list
    spro-finder jobs export xlsx [--version N]      # queued; prints its number
    spro-finder jobs wait 12 -o annuaire.xlsx       # progress bar until done, then the file
    spro-finder jobs run-worker [--once]            # runs queued jobs, progress bar on stderr
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from finder.cli.common import print_table
from finder.cli.context import open_store, settings
from finder.cli.progress import Bar
from finder.domain import geography
from finder.errors import InvalidParameter
from finder.service import jobs as service
from finder.storage import jobs as rows

STATES = {"queued": "en attente", "running": "en cours", "done": "terminé", "failed": "échec"}


def _author() -> str:
    return os.environ.get("SPRO_AUTHOR") or "cli"


def _job(store, job_id: int) -> dict:
    job = rows.get(store, job_id)
    if job is None:
        raise InvalidParameter(f"Traitement {job_id} introuvable.", field="job")
    return job


def _progress_text(job: dict) -> str:
    if job["state"] != "running" or not job["total"]:
        return STATES[job["state"]]
    return f"{STATES['running']} ({job['stage']} {job['done']}/{job['total']})"


def cmd_list(args) -> int:
    store = open_store(settings(args))
    table = [("n°", "traitement", "demandé le", "par", "état", "message")]
    for j in rows.recent(store, args.limit):
        table.append((str(j["id"]), j["kind"], j["created_at"], j["created_by"], _progress_text(j), j["message"]))
    print_table(table, max_width=None)
    return 0


def cmd_show(args) -> int:
    job = _job(open_store(settings(args)), args.id)
    print(f"Traitement {job['id']} ({service.TITLES.get(job['kind'], job['kind'])}) : {_progress_text(job)}")
    for key in ("params", "created_by", "created_at", "started_at", "finished_at", "worker", "message", "outcome"):
        if job[key]:
            print(f"  {key} : {job[key]}")
    if job["result_name"]:
        print(f"  fichier : {job['result_name']} (spro-finder jobs wait {job['id']} -o FICHIER)")
    return 1 if job["state"] == rows.FAILED else 0


def cmd_export(args) -> int:
    store = open_store(settings(args))
    job_id = service.start_export(store, args.format, args.version, _author())
    print(f"Export mis en file : traitement {job_id} (spro-finder jobs wait {job_id} -o FICHIER).")
    return 0


def cmd_wait(args) -> int:
    store = open_store(settings(args))
    job = service.wait(store, args.id, Bar(), timeout=args.timeout)
    print(f"Traitement {job['id']} : {_progress_text(job)}. {job['message']}")
    if job["state"] == rows.DONE and args.output:
        found = rows.result(store, job["id"])
        if found is None:
            raise InvalidParameter("Ce traitement n'a pas produit de fichier.", field="output")
        Path(args.output).write_bytes(found[0])
        print(f"Fichier {found[1]} enregistré dans {args.output}.")
    return 0 if job["state"] == rows.DONE else 1


def cmd_run_worker(args) -> int:
    cfg = settings(args)
    store = open_store(cfg)
    context = service.Context(store, geography.load(Path(cfg["GEODATA_DIR"])), cfg)
    runner = service.Runner(context, cfg["JOBS_STALE_SECONDS"], cfg["JOBS_POLL_SECONDS"], on_progress=Bar())
    if args.once:
        job = runner.run_once()
        if job is None:
            print("Aucun traitement en attente.")
            return 0
        print(f"Traitement {job['id']} : {STATES[job['state']]}. {job['message']}")
        return 0 if job["state"] == rows.DONE else 1
    print("En attente de traitements (Ctrl+C pour arrêter)…", file=sys.stderr)
    try:
        runner.loop(threading.Event())
    except KeyboardInterrupt:
        pass
    return 0


def register(sub) -> None:
    j = sub.add_parser("jobs", help="traitements en arrière-plan : exports, imports")
    jobs = j.add_subparsers(dest="jobs_command", required=True)
    p = jobs.add_parser("list", help="les derniers traitements")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_list)
    p = jobs.add_parser("show", help="un traitement : paramètres, avancement, résultat")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_show)
    p = jobs.add_parser("export", help="mettre en file un export de l'annuaire (CSV ou XLSX)")
    p.add_argument("format", choices=sorted(service.MEDIA))
    p.add_argument("--version", type=int, help="version exportée (défaut : la publiée)")
    p.set_defaults(func=cmd_export)
    p = jobs.add_parser("wait", help="suivre un traitement (barre de progression), puis enregistrer son fichier")
    p.add_argument("id", type=int)
    p.add_argument("-o", "--output", help="fichier où enregistrer le résultat")
    p.add_argument("--timeout", type=float, help="secondes d'attente au plus")
    p.set_defaults(func=cmd_wait)
    p = jobs.add_parser("run-worker", help="exécuter les traitements en file (barre de progression)")
    p.add_argument("--once", action="store_true", help="un seul traitement, puis s'arrêter")
    p.set_defaults(func=cmd_run_worker)
