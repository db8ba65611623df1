"""`regwatch feeds` rows: which feed (its URL, never its credentials), when it was last polled, and its health.

Before, the rows had neither the URL nor the time of the last poll: a user could not tell which address a
failing feed was, nor whether the scheduled runs were polling at all."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from tasks.fetch.feeds_config import FeedConfig
from tasks.fetch.poll import FeedPoll
from tasks.store.database import Database
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
