"""The job threads of an app process (``finder.service.jobs.Runner``), started after the fork.

Each app process runs ``JOBS_THREADS`` job threads (default 1; 0: none, jobs then run by
``spro-finder jobs run-worker``). gunicorn loads the app once and forks its workers
(``preload_app``): a thread of the parent would not survive the fork, so the threads start in
each worker (``after_fork``, called by gunicorn's ``post_fork`` hook), or in a process that
queues a job and has none yet (``ensure_started``: the development server, tests). Several
processes, even on several hosts, poll the one job table: a job is claimed by exactly one of
them (``finder.storage.jobs.claim``). A job thread holds the GIL only between the request
thread's turns, and the request thread keeps answering gunicorn's heartbeat, so a
long job never meets the worker timeout.
"""

from __future__ import annotations

import os
import threading

from flask import Flask

from finder.service import jobs as service

_apps: list[Flask] = []  # apps built in this process (with preload: in gunicorn's master, before the fork)
_lock = threading.Lock()


class JobThreads:
    def __init__(self, app: Flask):
        self.app = app
        self.pid: int | None = None
        self.threads: list[tuple[threading.Thread, threading.Event]] = []

    def runner(self) -> service.Runner:
        from finder.web import state

        st = state(self.app)
        config = self.app.config
        context = service.Context(st.store, st.geo, dict(config))
        return service.Runner(context, config["JOBS_STALE_SECONDS"], config["JOBS_POLL_SECONDS"])

    def ensure_started(self) -> None:
        """Start this process's job threads unless they run already (after a fork, the parent's do not)."""
        with _lock:
            if self.pid == os.getpid() or not self.app.config["JOBS_THREADS"]:
                return
            self.pid = os.getpid()
            self.threads = [self.runner().start(f"spro-jobs-{i}") for i in range(int(self.app.config["JOBS_THREADS"]))]

    def stop(self, timeout: float = 10.0) -> None:
        for _, event in self.threads:
            event.set()
        for thread, _ in self.threads:
            thread.join(timeout)
        self.threads, self.pid = [], None


def init_app(app: Flask) -> None:
    app.extensions["spro_jobs"] = JobThreads(app)
    _apps.append(app)


def ensure_started(app: Flask) -> None:
    app.extensions["spro_jobs"].ensure_started()


def after_fork() -> None:
    """Start the job threads of every app of this process (gunicorn's post_fork hook)."""
    for app in _apps:
        ensure_started(app)


def stop_all() -> None:
    """Stop every job thread of this process (tests, shutdown)."""
    for app in list(_apps):
        app.extensions["spro_jobs"].stop()
    _apps.clear()
