"""A fake Base Adresse Nationale search API on loopback, for the geocoding tests."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

GRENOBLE_ADDRESS = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [5.7262, 45.1889]},
    "properties": {
        "label": "12 Rue Félix Poulat 38000 Grenoble",
        "score": 0.97,
        "housenumber": "12",
        "type": "housenumber",
        "postcode": "38000",
        "citycode": "38185",
        "city": "Grenoble",
    },
}
PARIS_ADDRESS = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [2.3488, 48.8534]},
    "properties": {"label": "1 Rue de Rivoli 75004 Paris", "score": 0.9, "type": "housenumber",
                   "postcode": "75004", "citycode": "75104", "city": "Paris"},
}  # fmt: skip


def feature(lat: float, lon: float, citycode: str, score: float = 0.95, kind: str = "housenumber") -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"score": score, "type": kind, "citycode": citycode},
    }


class FakeBan:
    """Answers the first feature of ``answers`` (query word -> feature) found in the query.

    mode: "ok", "slow" (sleeps past any timeout), "error" (500); ``fail`` makes the next N
    requests answer ``fail_status``. ``url`` is the service root, as BAN_URL is configured.
    """

    def __init__(self, answers: dict[str, dict] | None = None):
        self.answers = answers if answers is not None else {"poulat": GRENOBLE_ADDRESS, "rivoli": PARIS_ADDRESS}
        self.mode = "ok"
        self.fail = 0
        self.fail_status = 500
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # http.server API name
                url = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append({"path": url.path, **params})
                if fake.mode == "slow":
                    time.sleep(3)
                if fake.mode == "error" or fake.fail > 0:
                    fake.fail = max(0, fake.fail - 1)
                    self._send(fake.fail_status if fake.mode != "error" else 500, {"message": "indisponible"})
                    return
                q = params.get("q", "").lower()
                feats = [f for word, f in fake.answers.items() if word in q][:1]
                self._send(200, {"type": "FeatureCollection", "features": feats})

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except BrokenPipeError:
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
