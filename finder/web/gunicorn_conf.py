"""gunicorn settings used by scripts/run (bind and workers come from the command line).

Access logs: one JSON object per request on standard output (``finder.web.access_log``), beside
the audit trail (logger ``spro.audit``, JSON lines too); errors on standard error.
"""

from finder.web.access_log import ACCESS_FORMAT

preload_app = True  # load geography and directory once, then fork
worker_class = "sync"
keepalive = 5
timeout = 30
accesslog = "-"
access_log_format = ACCESS_FORMAT
logger_class = "finder.web.access_log.JsonLogger"
errorlog = "-"
