"""gunicorn settings used by scripts/run (bind and workers come from the command line).

Access logs: one JSON object per request on standard output (``finder.web.access_log``), beside
the audit trail (logger ``spro.audit``, JSON lines too); errors on standard error.
``SPRO_ACCESS_LOG``: ``-`` (standard output, the default), a file, or ``off``.
"""

import os

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
