"""A fake BAN search endpoint on loopback for the import geocoding tests: answers from a table, counts requests.

``answers`` maps a word of the query to a GeoJSON feature; ``fail`` makes the next N requests answer
``fail_status`` (429 or 500).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def feature(lat: float, lon: float, citycode: str, score: float = 0.95, kind: str = "housenumber") -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"score": score, "type": kind, "citycode": citycode},
    }


class FakeBanSearch:
    def __init__(self, answers: dict[str, dict]):
        self.answers = answers
        self.queries: list[dict] = []
        self.fail = 0
        self.fail_status = 500
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # http.server API name
                params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                fake.queries.append(params)
                if fake.fail > 0:
                    fake.fail -= 1
                    self._send(fake.fail_status, {"message": "indisponible"})
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
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/search/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
