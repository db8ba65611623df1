"""Articles and their events written straight into a real DuckDB file, as the store writes them.

For tests of alert planning and delivery that need events without running the flow."""

from __future__ import annotations

from datetime import datetime

from tasks.store.database import Database


def store_event(db: Database, article_id: str, published: datetime, kind: str = "fine",
                companies: tuple[str, ...] = ("Alibaba Group",), company_ids: tuple[str, ...] = ("alibaba",),
                amount_usd: float | None = 2.78e9, feed_id: str = "wire") -> str:
    """One article and its one event; returns the event's id."""
    event_id = f"ev-{article_id}"
    with db.write() as con:
        con.execute(
            """INSERT INTO articles (article_id, url, feed_id, title, published_at, extraction, fetched_at)
               VALUES (?, ?, ?, 'A story', ?, 'trafilatura', ?)""",
            [article_id, f"https://{feed_id}.example/{article_id}", feed_id, published, published],
        )
        con.execute(
            """INSERT INTO events (event_id, article_id, kind, companies, company_ids, regulator, amount_usd,
                                   evidence, published_at)
               VALUES (?, ?, ?, ?, ?, 'SAMR', ?, 'SAMR fined Alibaba.', ?)""",
            [event_id, article_id, kind, list(companies), list(company_ids), amount_usd, published],
        )
    return event_id
