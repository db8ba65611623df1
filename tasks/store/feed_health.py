"""Per-feed state in DuckDB: conditional-GET validators and health counters.

The new ETag / Last-Modified of a feed is saved only at the end of a run,
after its items are stored: a run that dies half way must see the full feed
again next time rather than a 304 that hides unstored items.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from tasks.fetch.feeds_config import redact_url
from tasks.fetch.poll import FeedPoll, FeedState
from tasks.store.database import FEED_TEXT_SHARE, Database, insert_rows


def load_states(db: Database) -> dict[str, FeedState]:
    with db.write() as con:
        rows = con.execute("SELECT feed_id, etag, last_modified FROM feeds").fetchall()
    return {feed_id: FeedState(etag, modified) for feed_id, etag, modified in rows}


def record_polls(db: Database, polls: list[FeedPoll], added: Counter[str], now: datetime) -> None:
    """Upsert every polled feed's validators and health in one transaction."""
    rows = []
    for poll in polls:
        ok = poll.status != "error"
        rows.append(
            (
                poll.feed.feed_id, redact_url(poll.feed.url), poll.feed.name,
                poll.state.etag, poll.state.last_modified, now,
                now if ok else None, poll.status, poll.error or poll.warning,
                0 if ok else 1, len(poll.items) if ok else None, len(poll.items),
                added.get(poll.feed.feed_id, 0),
            )
        )
    if not rows:
        return
    with db.write() as con:
        insert_rows(
            con,
            """
            INSERT INTO feeds (feed_id, url, name, etag, last_modified, last_polled_at,
                               last_success_at, last_status, last_error, consecutive_failures,
                               items_last_poll, items_seen, articles_added)""",
            rows,
            """
            ON CONFLICT (feed_id) DO UPDATE SET
                url = excluded.url,
                name = excluded.name,
                etag = CASE WHEN excluded.last_status = 'ok' THEN excluded.etag ELSE feeds.etag END,
                last_modified = CASE WHEN excluded.last_status = 'ok'
                                     THEN excluded.last_modified ELSE feeds.last_modified END,
                last_polled_at = excluded.last_polled_at,
                last_success_at = COALESCE(excluded.last_success_at, feeds.last_success_at),
                last_status = excluded.last_status,
                last_error = excluded.last_error,
                consecutive_failures = CASE WHEN excluded.consecutive_failures = 0 THEN 0
                                            ELSE feeds.consecutive_failures + 1 END,
                items_last_poll = COALESCE(excluded.items_last_poll, feeds.items_last_poll),
                items_seen = feeds.items_seen + excluded.items_seen,
                articles_added = feeds.articles_added + excluded.articles_added
            """,
        )


HEALTH_COLUMNS = (
    "name", "url", "status", "text", "full_text", "from_summary", "headline_only", "last_polled_at",
    "last_success_at", "consecutive_failures", "items_seen", "articles_added", "last_error",
)


def feed_health(db: Database) -> list[tuple[object, ...]]:
    """Rows for `regwatch feeds`: failing feeds first. The URL (credentials removed) says which address a
    failing feed is; the last poll says whether runs are happening at all. `text` and the three counts say
    how the feed's last RECENT_STORIES stories were read (the `feed_text_share` view): a feed that polls
    fine but whose stories are mostly headlines or summaries is flagged 'mostly headlines' or 'mostly
    summaries', since its events are found in a line or two instead of the article. The share is computed here,
    not read from the view: a file an older regwatch wrote has no such view until it is opened for writing."""
    with db.read() as con:
        return con.execute(
            """
            SELECT COALESCE(f.name, f.url), f.url, f.last_status, COALESCE(s.text, 'no stories of its own'),
                   COALESCE(s.full_text, 0), COALESCE(s.from_summary, 0), COALESCE(s.headline_only, 0),
                   strftime(f.last_polled_at, '%Y-%m-%d %H:%M:%S'), strftime(f.last_success_at, '%Y-%m-%d %H:%M:%S'),
                   f.consecutive_failures, f.items_seen, f.articles_added, f.last_error
            FROM feeds f LEFT JOIN """ + FEED_TEXT_SHARE + """ s USING (feed_id)
            ORDER BY f.consecutive_failures DESC, COALESCE(f.name, f.url)
            """
        ).fetchall()
