"""gunicorn settings used by scripts/run and the systemd unit (bind and workers come from the command line).

Access logs: one JSON object per request on standard output (``finder.web.access_log``), beside
the audit trail (logger ``spro.audit``, JSON lines too); errors on standard error.
``SPRO_ACCESS_LOG``: ``-`` (standard output, the default), a file, or ``off``.

Jobs (``finder.web.jobs``): ``post_fork`` starts the job threads of each worker.

Metrics (``finder.web.metrics``): prometheus_client's multiprocess mode needs
``PROMETHEUS_MULTIPROC_DIR`` before the app is imported, so it is set here: the folder given
(the systemd unit's ``/run/spro-finder/metrics``), emptied when the server starts, or else a
fresh temporary folder removed when it stops. A dead worker's live gauges are dropped.
"""

import gc
import os
import shutil
import tempfile
from pathlib import Path

from finder.web.access_log import ACCESS_FORMAT

preload_app = True  # load geography and directory once, then fork
worker_class = "sync"
keepalive = 5
timeout = 30
_access = os.environ.get("SPRO_ACCESS_LOG", "-")
accesslog = None if _access in ("", "off") else _access
access_log_format = ACCESS_FORMAT
logger_class = "finder.web.access_log.JsonLogger"
errorlog = "-"

_METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"
_own_metrics_dir = not os.environ.get(_METRICS_ENV)
if _own_metrics_dir:
    os.environ[_METRICS_ENV] = tempfile.mkdtemp(prefix="spro-metrics-")
_metrics_dir = Path(os.environ[_METRICS_ENV])
_metrics_dir.mkdir(parents=True, exist_ok=True)
for _stale in _metrics_dir.glob("*.db"):  # a previous run's values: counters start again from zero
    _stale.unlink()


def pre_fork(server, worker):
    """Objects loaded before the fork (geography, geocoder, catalog) leave the cyclic collector's
    reach: a collection in a worker then writes none of their pages, which stay shared with the
    master instead of being copied into every worker (copy-on-write)."""
    gc.freeze()


def post_fork(server, worker):
    """Each worker runs its job threads (exports, imports): threads of the preloaded parent do not survive a fork."""
    from finder.web import jobs

    jobs.after_fork()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
