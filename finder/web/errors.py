"""One place turning errors into answers: JSON for the API, a French page elsewhere; never a bare 500."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from finder.errors import FinderError
from finder.text import N_
from finder.web.i18n import translate

HTTP_MESSAGES = {
    404: N_("Ressource introuvable."),
    405: N_("Méthode HTTP non autorisée pour cette adresse."),
    429: N_("Trop de requêtes : réessayez dans quelques instants."),
}


UNAVAILABLE = N_("La base de données est momentanément indisponible : réessayez dans quelques instants.")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz")


def answer(status: int, code: str, message: str, field=None, extra: dict | None = None):
    """The error in the reader's language (finder.web.i18n); ``code`` and ``field`` never change."""
    message = translate(message)
    if wants_json():
        body = {"code": code, "field": field, "message": message, **(extra or {})}
        return jsonify(error=body), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(FinderError)
    def finder_error(err: FinderError):
        extra = {"allowed": err.allowed} if err.allowed is not None else None
        return answer(err.status, err.code, err.message, err.field, extra)

    def database_error(err: Exception):
        """The database failed (server down, connection lost, lock timeout): 503, never a 500."""
        app.logger.warning("database error: %s", " ".join(str(err).split()))
        return answer(503, "database_unavailable", UNAVAILABLE)

    for cls in app.extensions["spro"].store.db.Error:  # Unavailable too: its message names the server
        app.register_error_handler(cls, database_error)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        message = HTTP_MESSAGES.get(err.code, err.description or err.name)
        headers = [(k, v) for k, v in err.get_headers() if k.lower() != "content-type"]  # e.g. Allow on 405
        return (*answer(err.code, err.name.lower().replace(" ", "_"), message), headers)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):  # pragma: no cover - last resort, logged by Flask
        app.logger.exception("unexpected error")
        return answer(500, "internal_error", N_("Erreur interne : l'équipe technique a été prévenue."))
