"""Pages in quarantine (`regwatch quarantine`): each killed the worker extracting it, once, and is never
extracted again; its story is stored from the feed summary (`articles.extraction = 'quarantined'`)."""

from __future__ import annotations

from tasks.store.database import Database
from tasks.store.records import QUARANTINED

QUARANTINE_COLUMNS = ("quarantined_at", "feed", "url", "title", "reason")


def quarantined_pages(db: Database) -> list[tuple[object, ...]]:
    """Every quarantined page, newest first, with its feed and what happened to the worker that read it."""
    with db.read() as con:
        return con.execute(
            """SELECT strftime(a.fetched_at, '%Y-%m-%d %H:%M:%S'), COALESCE(f.name, f.url, a.feed_id), a.url,
                      left(a.title, 120), a.fetch_error
               FROM articles a LEFT JOIN feeds f USING (feed_id)
               WHERE a.extraction = ? ORDER BY a.fetched_at DESC, a.url""",
            [QUARANTINED],
        ).fetchall()
