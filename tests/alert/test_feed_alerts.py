"""A feed failing N runs in a row is reported in Slack once per failure streak, through the outbox.

Before, a dead feed showed only in `regwatch feeds` and the daily digest: nothing reached the channel people read.
Real DuckDB and the real feed-health upsert; tests/flows/test_failing_feeds.py delivers the report to a fake Slack.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tasks.alert.feed_alerts import FAILING_FEEDS, queue_failing_feeds
from tasks.alert.rules import AlertRules
from tasks.fetch.feeds_config import FeedConfig
from tasks.fetch.poll import FeedPoll
from tasks.store.database import Database
from tasks.store.feed_health import record_polls

START = datetime(2024, 5, 1, 8, tzinfo=UTC)
FEEDS = {name: FeedConfig(url=f"https://{name}.example/rss", name=name) for name in ("wire", "daily", "blog")}


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "feeds.duckdb")
    database.init()
    return database


class Runs:
    """Monitoring runs, ten minutes apart, as far as feed health and the failing-feed report go."""

    def __init__(self, db: Database, after_runs: int = 3) -> None:
        self.db, self.after_runs, self.count = db, after_runs, 0

    def run(self, **outcome: str) -> list[str]:
        """Poll the named feeds ("ok" or an error), then queue the report; the names of the feeds it reports."""
        self.count += 1
        now = START + timedelta(minutes=10 * self.count)
        polls = [FeedPoll(FEEDS[name], "ok") if result == "ok" else FeedPoll(FEEDS[name], "error", error=result)
                 for name, result in outcome.items()]
        record_polls(self.db, polls, Counter(), now)
        reported = queue_failing_feeds(self.db, [p.feed.feed_id for p in polls], self.after_runs, now, "C0ALERTS")
        return [feed.name for feed in reported]


def queued(db: Database) -> list[tuple[str, str]]:
    with db.read() as con:
        return con.execute("SELECT status, text FROM alerts WHERE purpose = ? ORDER BY created_at",
                           [FAILING_FEEDS]).fetchall()


def test_a_feed_is_reported_once_per_streak_of_failures(db: Database) -> None:
    runs = Runs(db)
    assert [runs.run(wire="HTTP 404") for _ in range(2)] == [[], []]  # two bad polls: not yet
    assert runs.run(wire="HTTP 404") == ["wire"]  # the third in a row
    assert [runs.run(wire="HTTP 404") for _ in range(3)] == [[], [], []]  # still failing: not again
    (alert,) = queued(db)
    assert alert[0] == "pending"
    assert alert[1].startswith("Feed failing: <https://wire.example/rss|wire> has failed 3 runs in a row (HTTP 404)")

    assert runs.run(wire="ok") == []  # it recovers...
    assert [runs.run(wire="timed out after 20s") for _ in range(3)] == [[], [], ["wire"]]  # ...and a new streak
    assert len(queued(db)) == 2 and "has failed 3 runs in a row (timed out after 20s)" in queued(db)[1][1]


def test_feeds_reaching_the_threshold_in_one_run_share_one_message(db: Database) -> None:
    runs = Runs(db)
    for _ in range(2):
        runs.run(wire="HTTP 500", daily="DNS lookup failed", blog="ok")
    assert runs.run(wire="HTTP 500", daily="DNS lookup failed", blog="HTTP 500") == ["daily", "wire"]
    (alert,) = queued(db)
    assert alert[1].startswith("2 feeds failing: <https://daily.example/rss|daily> has failed 3 runs in a row "
                               "(DNS lookup failed); <https://wire.example/rss|wire> has failed 3 runs")


def test_hostile_feed_errors_cannot_ping_the_channel(db: Database) -> None:
    runs = Runs(db, after_runs=1)
    assert runs.run(wire="HTTP 500 <!channel> <https://evil.example|click>") == ["wire"]
    text = queued(db)[0][1]
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text and "<https://evil" not in text


def test_zero_runs_never_reports(db: Database) -> None:
    runs = Runs(db, after_runs=0)
    assert [runs.run(wire="HTTP 404") for _ in range(5)] == [[]] * 5
    assert queued(db) == []
    assert AlertRules().failing_feed_runs == 3  # alerts.yaml's default
