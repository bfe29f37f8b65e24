"""Long staff operations as jobs: what each kind does, and the runner that executes queued jobs.

A page or a command queues a job (``start_export``, ``start_import``: a row of
``finder.storage.jobs``) and answers at once; a ``Runner`` — threads of every app process,
or ``spro-finder jobs run-worker`` — claims it, runs its kind's function with a progress
callback, and records the result (a file to download, facts such as the import report's
id) or a French error. Nothing of it runs inside a request, so no operation can meet the
server's worker timeout.

Kinds are plain functions ``run(context, job, progress) -> Outcome``: ``progress(stage,
done, total)`` is the importer's and the exporter's callback; it raises ``Cancelled``
when the job is no longer this runner's (declared dead by another worker).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from finder.directory import export, importer
from finder.domain.geography import Geography
from finder.errors import FinderError, InvalidParameter
from finder.storage import jobs as rows
from finder.storage.store import Store

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"csv": "text/csv", "xlsx": XLSX}
WRITE_EVERY = 0.5  # seconds between two progress writes of one job (the last step is always written)
HEARTBEAT_SECONDS = 5.0
INTERNAL_ERROR = (
    "Erreur interne pendant le traitement n° {id} : l'équipe technique en trouvera le détail dans le journal."
)
TITLES = {"export": "Export de l'annuaire", "import": "Import d'un fichier"}


class Cancelled(Exception):
    """The job is no longer this runner's to run (declared dead meanwhile): stop without writing."""


@dataclass
class Context:
    """What a job needs: the store, the geography and the configuration (import limits, BAN)."""

    store: Store
    geo: Geography
    config: dict


@dataclass
class Outcome:
    message: str  # French, shown on the job page
    facts: dict = field(default_factory=dict)
    result: tuple[bytes, str, str] | None = None  # (bytes, file name, media type)


Progress = Callable[[str, int, int], None]


# -- kinds -------------------------------------------------------------------------------------
def start_export(store: Store, fmt: str, version: int | None, author: str) -> int:
    if fmt not in MEDIA:
        raise InvalidParameter(f"Format d'export inconnu « {fmt} » : csv ou xlsx.", field="format")
    return rows.create(store, "export", {"format": fmt, "version": version}, author)


def run_export(ctx: Context, job: dict, progress: Progress) -> Outcome:
    fmt, version = job["params"]["format"], job["params"].get("version")
    progress("Lecture de la version", 0, 1)
    directory = ctx.store.load(version)
    progress("Lecture de la version", 1, 1)
    label = f"Écriture du fichier {fmt.upper()}"
    data = export.to_bytes(directory, ctx.geo, fmt, progress=lambda done, total: progress(label, done, total))
    progress(label, 1, 1)
    name = f"annuaire-spro-v{directory.info.version}-{dt.date.today().isoformat()}.{fmt}"
    message = f"Export de la version {directory.info.version} prêt : {len(directory.sites)} lieux."
    facts = {"version": directory.info.version, "sites": len(directory.sites)}
    return Outcome(message, facts, (data, name, MEDIA[fmt]))


def start_import(
    store: Store, files: list[bytes], filename: str, author: str, dry_run: bool = False, publish: bool = False
) -> int:
    """Queue an import of one file (CSV, XLSX) or the two JSON files of data·inclusion (kept end to end)."""
    params = {"filename": filename, "dry_run": dry_run, "publish": publish, "parts": [len(f) for f in files]}
    return rows.create(store, "import", params, author, b"".join(files))


def _parts(data: bytes, sizes: list[int]) -> bytes | list[bytes]:
    out, at = [], 0
    for size in sizes:
        out.append(data[at : at + size])
        at += size
    return out[0] if len(out) == 1 else out


def run_import(ctx: Context, job: dict, progress: Progress) -> Outcome:
    params = job["params"]
    data = rows.input_of(ctx.store, job["id"]) or b""
    settings = importer.Settings.from_config(ctx.config)  # no time budget for the BAN: this is no request
    result = importer.run(
        _parts(data, params["parts"]), ctx.store, ctx.geo, settings, author=job["created_by"],
        filename=params["filename"], dry_run=params["dry_run"], publish=params.get("publish", False),
        progress=progress,
    )  # fmt: skip
    errors, warnings = result.report.count()
    facts = {"report_id": result.report_id, "version": result.version, "published": result.published,
             "errors": errors, "warnings": warnings}  # fmt: skip
    return Outcome(_import_message(result, errors, warnings, params["dry_run"]), facts)


def _import_message(result: importer.ImportResult, errors: int, warnings: int, dry_run: bool) -> str:
    counts = f"{errors} erreur{'s' * (errors > 1)}, {warnings} avertissement{'s' * (warnings > 1)}"
    if errors:
        return f"Fichier refusé ({counts}) : rien n'a été enregistré."
    if dry_run:
        return f"Essai à blanc terminé ({counts}) : rien n'a été enregistré."
    if result.published:
        return f"Version {result.version} enregistrée et publiée ({counts})."
    return f"Version {result.version} enregistrée, à publier depuis le rapport ({counts})."


KINDS: dict[str, Callable[[Context, dict, Progress], Outcome]] = {"export": run_export, "import": run_import}


# -- the runner ----------------------------------------------------------------------------------
def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class Runner:
    """Claims queued jobs and runs them, one at a time, recording progress, heartbeat and outcome."""

    def __init__(
        self,
        context: Context,
        stale_seconds: float = 120.0,
        poll_seconds: float = 1.0,
        on_progress: Progress | None = None,
        kinds: dict | None = None,
    ):
        self.context = context
        self.stale_seconds = stale_seconds
        self.poll_seconds = poll_seconds
        self.on_progress = on_progress  # also told every step (the command line's progress bar)
        self.kinds = KINDS if kinds is None else kinds

    @property
    def store(self) -> Store:
        return self.context.store

    def run_once(self) -> dict | None:
        """Fail the jobs of dead workers, then claim and run the oldest queued job; its final row, or None."""
        rows.reap(self.store, self.stale_seconds)
        name = worker_name()
        job = rows.claim(self.store, name)
        if job is None:
            return None
        self.perform(job, name)
        return rows.get(self.store, job["id"])

    def perform(self, job: dict, name: str) -> None:
        stop = threading.Event()
        beating = threading.Thread(target=self._beat, args=(job["id"], name, stop), daemon=True)
        beating.start()
        try:
            outcome = self.kinds[job["kind"]](self.context, job, self._progress(job["id"], name))
        except Cancelled:
            log.warning("job %s is no longer ours: stopped", job["id"])
        except FinderError as err:
            rows.fail(self.store, job["id"], name, err.message)
        except Exception:
            log.exception("job %s (%s) failed", job["id"], job["kind"])
            rows.fail(self.store, job["id"], name, INTERNAL_ERROR.format(id=job["id"]))
        else:
            rows.finish(self.store, job["id"], name, outcome.message, outcome.facts, outcome.result)
        finally:
            stop.set()
            beating.join()

    def _progress(self, job_id: int, name: str) -> Progress:
        last = [0.0]

        def step(stage: str, done: int, total: int) -> None:
            if self.on_progress:
                self.on_progress(stage, done, total)
            now = time.monotonic()
            if done < total and now - last[0] < WRITE_EVERY:
                return
            last[0] = now
            if not rows.progress(self.store, job_id, name, stage, done, total):
                raise Cancelled(job_id)

        return step

    def _beat(self, job_id: int, name: str, stop: threading.Event) -> None:
        """Keep the heartbeat fresh while a long step (a publish transaction) writes no progress."""
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                rows.beat(self.store, job_id, name)
            except self.store.db.Error:  # the database is busy or away: the next beat will tell
                log.warning("heartbeat of job %s not written", job_id, exc_info=True)

    def loop(self, stop: threading.Event, max_jobs: int | None = None) -> int:
        """Run jobs until ``stop`` is set (or ``max_jobs`` ran); waits ``poll_seconds`` when idle. Jobs run."""
        count = 0
        while not stop.is_set() and (max_jobs is None or count < max_jobs):
            try:
                ran = self.run_once()
            except self.store.db.Error:
                log.warning("job runner: database unavailable, trying again", exc_info=True)
                ran = None
            if ran is None:
                stop.wait(self.poll_seconds)
            else:
                count += 1
        return count

    def start(self, name: str = "spro-jobs") -> tuple[threading.Thread, threading.Event]:
        """Run ``loop`` in a daemon thread; set the event to stop it."""
        stop = threading.Event()
        thread = threading.Thread(target=self.loop, args=(stop,), name=name, daemon=True)
        thread.start()
        return thread, stop


def wait(store: Store, job_id: int, progress: Progress | None = None, poll: float = 0.5, timeout=None) -> dict:
    """Follow a job until it is done or failed (``progress`` told each change); its final row."""
    deadline = None if timeout is None else time.monotonic() + timeout
    seen = None
    while True:
        job = rows.get(store, job_id)
        if job is None:
            raise InvalidParameter(f"Traitement {job_id} introuvable.", field="job")
        step = (job["stage"], job["done"], job["total"])
        if progress and job["stage"] and step != seen:
            progress(*step)
            seen = step
        if job["state"] in (rows.DONE, rows.FAILED):
            return job
        if deadline is not None and time.monotonic() > deadline:
            return job
        time.sleep(poll)
