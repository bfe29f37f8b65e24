"""WSGI entry point for gunicorn: ``gunicorn finder.web.wsgi:app``."""

from finder.web import create_app

app = create_app()
