"""gunicorn settings used by scripts/run (bind and workers come from the command line)."""

preload_app = True  # load geography and directory once, then fork
worker_class = "sync"
keepalive = 5
timeout = 30
accesslog = None
errorlog = "-"
