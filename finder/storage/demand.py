"""Anonymous counts of citizen searches: ``search_demand(day, commune, profile, outcome, count)``.

Only those four keys and a count are ever stored: no address, no free text, no client
address, no time of day. Counts are added in one upsert per flush (``add``); which searches
count, how a profile is classed and which counts may be shown (small counts suppressed) is
decided by ``finder.service.demand``.
"""

from __future__ import annotations

import logging

from finder.storage.store import Store

log = logging.getLogger(__name__)
WRITE_TIMEOUT = 2.0


def add(store: Store, counts: dict[tuple[str, str, str, str], int]) -> bool:
    """Add ``{(day, commune, profile, outcome): n}`` in one statement; False (logged) if the database failed."""
    if not counts:
        return True
    rows = [(*key, n) for key, n in counts.items()]
    try:
        with store.db.transaction(timeout=WRITE_TIMEOUT) as con:
            con.executemany(
                "INSERT INTO search_demand (day, commune, profile, outcome, count) VALUES (?,?,?,?,?) "
                "ON CONFLICT (day, commune, profile, outcome) "
                "DO UPDATE SET count = search_demand.count + excluded.count",
                rows,
            )
        return True
    except store.db.Error as err:
        log.warning("search counts not written (%s rows): %s", len(rows), err)
        return False


def totals(store: Store, since: str, until: str) -> list[tuple[str, str, str, int]]:
    """(commune, profile, outcome, count) summed over the days ``since`` … ``until`` (ISO, inclusive)."""
    with store.db.connection() as con:
        return [
            tuple(r)
            for r in con.execute(
                "SELECT commune, profile, outcome, SUM(count) FROM search_demand WHERE day >= ? AND day <= ? "
                "GROUP BY commune, profile, outcome ORDER BY commune, profile, outcome",
                (since, until),
            )
        ]


def rows(store: Store) -> list[tuple[str, str, str, str, int]]:
    """Every stored row (day, commune, profile, outcome, count): what the privacy tests read."""
    with store.db.connection() as con:
        return [tuple(r) for r in con.execute("SELECT day, commune, profile, outcome, count FROM search_demand")]
