"""Answers of the Base Adresse Nationale to import rows, so that a re-import does not ask again.

``geocode_cache(query, found, lat, lon, score, kind, citycode, at)``, keyed by the
normalised query text. An answer is the tuple ``(lat, lon, score, kind, citycode)``, or
None when the service found nothing usable (also remembered).
"""

from __future__ import annotations

from finder.storage.store import Store, now_iso

Answer = tuple[float, float, float, str, str]  # lat, lon (WGS84), score, kind, citycode
CHUNK = 500  # keys per query (SQLite's limit on bound parameters is higher)


def get_many(store: Store, keys: list[str]) -> dict[str, Answer | None]:
    """The known answers among ``keys``; a key never asked is absent."""
    out: dict[str, Answer | None] = {}
    with store.db.connection() as con:
        for i in range(0, len(keys), CHUNK):
            chunk = keys[i : i + CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT query, found, lat, lon, score, kind, citycode FROM geocode_cache WHERE query IN ({marks})"
            for key, found, *answer in con.execute(sql, chunk):
                out[key] = tuple(answer) if found else None
    return out


def put_many(store: Store, answers: dict[str, Answer | None]) -> None:
    """Remember these answers (replacing older ones), in one transaction."""
    at = now_iso()
    rows = [(k, 1, *a, at) if a else (k, 0, None, None, None, None, None, at) for k, a in answers.items()]
    with store.db.transaction() as con:
        con.executemany(
            "INSERT INTO geocode_cache (query, found, lat, lon, score, kind, citycode, at) VALUES (?,?,?,?,?,?,?,?) "
            "ON CONFLICT (query) DO UPDATE SET found=excluded.found, lat=excluded.lat, lon=excluded.lon, "
            "score=excluded.score, kind=excluded.kind, citycode=excluded.citycode, at=excluded.at",
            rows,
        )
