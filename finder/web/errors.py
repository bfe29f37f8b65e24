"""One place turning errors into answers: JSON for the API, never a bare 500."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from ..errors import FinderError

HTTP_MESSAGES = {
    404: "Ressource introuvable.",
    405: "Méthode HTTP non autorisée pour cette adresse.",
    429: "Trop de requêtes : réessayez dans quelques instants.",
}


def register(app: Flask) -> None:
    @app.errorhandler(FinderError)
    def finder_error(err: FinderError):
        return jsonify(err.as_json()), err.status

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        message = HTTP_MESSAGES.get(err.code, err.description or err.name)
        body = {"error": {"code": err.name.lower().replace(" ", "_"), "field": None, "message": message}}
        headers = [(k, v) for k, v in err.get_headers() if k.lower() != "content-type"]  # e.g. Allow on 405
        return jsonify(body), err.code, headers

    @app.errorhandler(Exception)
    def unexpected(err: Exception):  # pragma: no cover - last resort, logged by Flask
        app.logger.exception("unexpected error")
        body = {
            "error": {
                "code": "internal_error",
                "field": None,
                "message": "Erreur interne : l'équipe technique a été prévenue.",
            }
        }
        return jsonify(body), 500
