"""Per-feed state in DuckDB: conditional-GET validators and health counters.

The new ETag / Last-Modified of a feed is saved only at the end of a run,
after its items are stored: a run that dies half way must see the full feed
again next time rather than a 304 that hides unstored items.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from tasks.common.settings import Settings
from tasks.fetch.feeds_config import redact_url
from tasks.fetch.poll import FeedPoll, FeedState
from tasks.store.database import FEED_TEXT_SHARE, Database, insert_rows


def load_states(db: Database) -> dict[str, FeedState]:
    """Every stored feed's validators and schedule, by feed ID."""
    with db.write() as con:
        rows = con.execute(
            "SELECT feed_id, etag, last_modified, items_digest, poll_interval_seconds, next_poll_at, quiet_polls, "
            "consecutive_failures FROM feeds"
        ).fetchall()
    return {feed_id: FeedState(*state) for feed_id, *state in rows}


def poll_every_feed(settings: Settings) -> None:
    """Make every stored feed of the settings' database due at once: the next cycle polls them all
    (`regwatch run --all-feeds`). The file is brought to this regwatch's schema first, as a run would."""
    db = Database.for_settings(settings)
    db.init()
    with db.write() as con:
        con.execute("UPDATE feeds SET next_poll_at = NULL")


def record_polls(db: Database, polls: list[FeedPoll], added: Counter[str], now: datetime) -> None:
    """Upsert every polled feed's validators, schedule and health in one transaction."""
    rows = []
    for poll in polls:
        ok = poll.status != "error"
        rows.append(
            (
                poll.feed.feed_id, redact_url(poll.feed.url), poll.feed.name,
                poll.state.etag, poll.state.last_modified, now,
                now if ok else None, poll.status, poll.error or poll.warning,
                0 if ok else 1, len(poll.items) if ok else None, len(poll.items),
                added.get(poll.feed.feed_id, 0), poll.state.items_digest, poll.state.interval_seconds,
                poll.state.next_poll_at, poll.state.quiet_polls,
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
                               items_last_poll, items_seen, articles_added, items_digest,
                               poll_interval_seconds, next_poll_at, quiet_polls)""",
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
                articles_added = feeds.articles_added + excluded.articles_added,
                items_digest = CASE WHEN excluded.last_status = 'ok'
                                    THEN excluded.items_digest ELSE feeds.items_digest END,
                poll_interval_seconds = excluded.poll_interval_seconds,
                next_poll_at = excluded.next_poll_at,
                quiet_polls = excluded.quiet_polls
            """,
        )


HEALTH_COLUMNS = (
    "name", "url", "status", "text", "full_text", "from_summary", "headline_only", "last_polled_at",
    "poll_interval_seconds", "next_poll_at", "last_success_at", "consecutive_failures", "items_seen",
    "articles_added", "last_error",
)
# A file an older regwatch wrote (a snapshot not refreshed since) has no schedule: its feeds are shown unscheduled.
SCHEDULE = "f.poll_interval_seconds, strftime(f.next_poll_at, '%Y-%m-%d %H:%M:%S')"
NO_SCHEDULE = "NULL::INTEGER, NULL::VARCHAR"



def feed_health(db: Database) -> list[tuple[object, ...]]:
    """Rows for `regwatch feeds`: failing feeds first. The URL (credentials removed) says which address a
    failing feed is; the last poll says whether runs are happening at all. `text` and the three counts say
    how the feed's last RECENT_STORIES stories were read (the `feed_text_share` view): a feed that polls
    fine but whose stories are mostly headlines or summaries is flagged 'mostly headlines' or 'mostly
    summaries', since its events are found in a line or two instead of the article. The share is computed here,
    not read from the view: a file an older regwatch wrote has no such view until it is opened for writing.
    `poll_interval_seconds` and `next_poll_at` are the feed's adaptive schedule (tasks/fetch/schedule.py):
    empty until the feed is polled by a regwatch that schedules, and then due at once."""
    with db.read() as con:
        scheduled = con.execute("SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
                                "AND table_name = 'feeds' AND column_name = 'next_poll_at'").fetchone()
        return con.execute(
            """
            SELECT COALESCE(f.name, f.url), f.url, f.last_status, COALESCE(s.text, 'no stories of its own'),
                   COALESCE(s.full_text, 0), COALESCE(s.from_summary, 0), COALESCE(s.headline_only, 0),
                   strftime(f.last_polled_at, '%Y-%m-%d %H:%M:%S'), """ + (SCHEDULE if scheduled and scheduled[0]
                                                                           else NO_SCHEDULE) + """,
                   strftime(f.last_success_at, '%Y-%m-%d %H:%M:%S'),
                   f.consecutive_failures, f.items_seen, f.articles_added, f.last_error
            FROM feeds f LEFT JOIN """ + FEED_TEXT_SHARE + """ s USING (feed_id)
            ORDER BY f.consecutive_failures DESC, COALESCE(f.name, f.url)
            """
        ).fetchall()
