"""A feed that keeps failing is reported in Slack once per failure streak, through the alert outbox.

`regwatch feeds` and the daily digest list failing feeds, but nobody reads them
every cycle, so a feed can be dead for days unnoticed. A feed that has failed
`failing_feed_runs` runs in a row (alerts.yaml, default 3: one bad poll is
common, three in a row rarely fixes itself) is named in one Slack message;
the feeds that reach it in the same run share the message. It is not repeated
while the feed keeps failing; once the feed answers again, its next streak of
failures is reported again.

The message is an alert like an event's: written to the `alerts` table first
(`purpose` = `failing_feeds`, its text stored with it) and delivered by
`tasks.alert.delivery`, so Slack being down delays it but never loses or
doubles it. Its `sources` are the failure streaks it reports, each a feed id
and the time of the feed's last success (`never` if none): a streak is
reported when no such alert lists it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from tasks.alert.slack_format import SECTION_LIMIT, SHORT_LIMIT, TEXT_LIMIT, SlackMessage, escape, link, truncate
from tasks.store.database import Database

FAILING_FEEDS = "failing_feeds"  # the alerts' purpose and kind: a report about feeds, about no event


@dataclass(frozen=True)
class FailingFeed:
    """One feed whose failure streak is reported."""

    name: str
    url: str  # credentials removed
    failures: int  # runs in a row
    last_error: str
    streak: str  # feed id @ last success: what makes this streak another than the feed's next one


def queue_failing_feeds(db: Database, feed_ids: Sequence[str], after_runs: int, now: datetime,
                        channel: str | None) -> list[FailingFeed]:
    """Queue one alert naming every feed of `feed_ids` that has failed `after_runs` runs in a row and whose
    streak was not reported yet; return those feeds. `after_runs` 0 reports nothing."""
    if after_runs < 1 or not feed_ids:
        return []
    with db.write() as con:
        reported = _reported(con)
        failing = [feed for feed in _failing(con, feed_ids, after_runs) if feed.streak not in reported]
        if failing:
            message = render_failing_feeds(failing)
            streaks = sorted(feed.streak for feed in failing)
            con.execute(
                """INSERT INTO alerts (alert_id, cluster_id, kind, purpose, status, created_at, channel, text, sources)
                   VALUES (?, '', ?, ?, 'pending', ?, ?, ?, ?)""",
                [_alert_id(streaks), FAILING_FEEDS, FAILING_FEEDS, now, channel, message.text, json.dumps(streaks)],
            )
    return failing


def _failing(con: duckdb.DuckDBPyConnection, feed_ids: Sequence[str], after_runs: int) -> list[FailingFeed]:
    rows = con.execute(
        """SELECT feed_id, COALESCE(name, url), url, consecutive_failures, COALESCE(last_error, ''), last_success_at
           FROM feeds WHERE feed_id IN (SELECT unnest(?::VARCHAR[])) AND consecutive_failures >= ?
           ORDER BY COALESCE(name, url)""",
        [list(feed_ids), after_runs],
    ).fetchall()
    return [FailingFeed(name, url, failures, error, f"{feed_id}@{success.isoformat() if success else 'never'}")
            for feed_id, name, url, failures, error, success in rows]


def _reported(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every failure streak a queued or sent alert already reports."""
    rows = con.execute("SELECT sources FROM alerts WHERE purpose = ?", [FAILING_FEEDS]).fetchall()
    return {streak for (sources,) in rows for streak in json.loads(sources or "[]")}


def _alert_id(streaks: list[str]) -> str:
    return "f" + hashlib.sha256("|".join(streaks).encode()).hexdigest()[:15]


def render_failing_feeds(feeds: Sequence[FailingFeed]) -> SlackMessage:
    """"Feeds failing: <url|name> has failed 3 runs in a row (HTTP 404)", one clause per feed.

    Feed names and errors come from the config and from servers on the internet: escaped like article text."""
    clauses = [f"{link(feed.url, feed.name)} has failed {feed.failures} run{'s' * (feed.failures != 1)} in a row "
               f"({truncate(escape(feed.last_error), SHORT_LIMIT) or 'no error recorded'})" for feed in feeds]
    head = "Feed failing" if len(feeds) == 1 else f"{len(feeds)} feeds failing"
    text = truncate(f"{head}: {'; '.join(clauses)}. `regwatch feeds` shows every feed's health.", TEXT_LIMIT)
    return SlackMessage(text=text, blocks=[_section(text)])


def stored_message(con: duckdb.DuckDBPyConnection,
                   alert_id: str) -> tuple[SlackMessage | None, list[str], str | None]:
    """What delivery sends for a failing-feeds alert: the text written when it was queued, the streaks it
    reports (kept as its sources) and no thread."""
    row = con.execute("SELECT text, sources FROM alerts WHERE alert_id = ?", [alert_id]).fetchone()
    if row is None or not row[0]:
        return None, [], None
    text, sources = row
    return SlackMessage(text=text, blocks=[_section(text)]), json.loads(sources or "[]"), None


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}}
