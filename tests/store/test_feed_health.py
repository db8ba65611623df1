"""`regwatch feeds` rows: which feed (its URL, never its credentials), when it was last polled, and its health.

Before, the rows had neither the URL nor the time of the last poll: a user could not tell which address a
failing feed was, nor whether the scheduled runs were polling at all."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tasks.fetch.feeds_config import FeedConfig
from tasks.fetch.poll import FeedPoll
from tasks.store.database import RECENT_STORIES, Database
from tasks.store.feed_health import HEALTH_COLUMNS, feed_health, record_polls

POLLED = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)


def test_each_feed_shows_its_url_and_when_it_was_last_polled(tmp_path: Path) -> None:
    db = Database(tmp_path / "health.duckdb")
    db.init()
    wire = FeedConfig(url="https://wire.example/rss", name="Wire")
    private = FeedConfig(url="https://reader:s3cret@private.example/rss")
    record_polls(db, [FeedPoll(wire, "ok"), FeedPoll(private, "error", error="HTTP 404")], Counter(), POLLED)

    rows = [dict(zip(HEALTH_COLUMNS, row, strict=True)) for row in feed_health(db)]

    failing, ok = rows  # failing feeds first
    assert ok["name"] == "Wire" and ok["url"] == "https://wire.example/rss" and ok["status"] == "ok"
    assert failing["url"] == "https://***@private.example/rss" and failing["last_error"] == "HTTP 404"
    with db.read() as con:
        local = con.execute("SELECT strftime(?::TIMESTAMPTZ, '%Y-%m-%d %H:%M:%S')", [POLLED]).fetchone()
    assert local is not None
    assert ok["last_polled_at"] == failing["last_polled_at"] == local[0]
    assert failing["last_success_at"] is None
    assert "s3cret" not in repr(rows)


def stored(db: Database, feed_id: str, extractions: list[str], start: int = 0) -> None:
    """Stories of `feed_id`, one per extraction, the last one fetched most recently."""
    with db.write() as con:
        for n, extraction in enumerate(extractions, start):
            con.execute("INSERT INTO articles (article_id, url, feed_id, extraction, fetched_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [f"{feed_id}-{n}", f"https://{feed_id}.example/{n}", feed_id, extraction,
                         POLLED + timedelta(minutes=n)])


def test_each_feed_shows_how_many_recent_stories_were_read_in_full(tmp_path: Path) -> None:
    """A feed whose stories are stored from headlines (Google News) or summaries said nothing of it before:
    `regwatch feeds` showed it healthy. Now the recent stories are counted by how they were read, and a
    feed whose stories are mostly not full text is flagged."""
    db = Database(tmp_path / "health.duckdb")
    db.init()
    feeds = [FeedConfig(url=f"https://{name}.example/rss", name=name) for name in ("full", "news", "teasers")]
    record_polls(db, [FeedPoll(feed, "ok") for feed in feeds], Counter(), POLLED)
    stored(db, feeds[0].feed_id, ["trafilatura"] * 3 + ["feed_summary"])
    stored(db, feeds[1].feed_id, ["headline_only"] * (RECENT_STORIES - 1) + ["trafilatura"])
    stored(db, feeds[2].feed_id, ["feed_summary", "quarantined", "trafilatura"])
    # Older than the last RECENT_STORIES: not counted, though all in full.
    stored(db, feeds[1].feed_id, ["trafilatura"] * 3, start=-3)

    rows = {row["name"]: row for row in (dict(zip(HEALTH_COLUMNS, r, strict=True)) for r in feed_health(db))}

    shares = {name: (r["text"], r["full_text"], r["from_summary"], r["headline_only"]) for name, r in rows.items()}
    assert shares == {"full": ("full text", 3, 1, 0), "news": ("mostly headlines", 1, 0, RECENT_STORIES - 1),
                      "teasers": ("mostly summaries", 1, 2, 0)}
    assert all(row["status"] == "ok" for row in rows.values())
    with db.read() as con:
        flagged = con.execute("SELECT feed, text FROM feed_health WHERE text LIKE 'mostly%' ORDER BY feed").fetchall()
    assert flagged == [("news", "mostly headlines"), ("teasers", "mostly summaries")]


def test_a_feed_with_no_stories_of_its_own_is_not_flagged(tmp_path: Path) -> None:
    """No stories yet, or every one of them first brought by another feed: nothing to judge it by."""
    db = Database(tmp_path / "health.duckdb")
    db.init()
    record_polls(db, [FeedPoll(FeedConfig(url="https://new.example/rss", name="new"), "ok")], Counter(), POLLED)
    [row] = [dict(zip(HEALTH_COLUMNS, r, strict=True)) for r in feed_health(db)]
    shown = (row["text"], row["full_text"], row["from_summary"], row["headline_only"])
    assert shown == ("no stories of its own", 0, 0, 0)
