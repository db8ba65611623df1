"""Delivering the outbox on a real database: the console never consumes an alert owed to Slack.

A first run without Slack shows its alerts on the console; once Slack is
configured, what is still within the alert window goes out once and the rest
is suppressed with a reason a person can read.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fakes.slack_server import SlackServer
from tasks.alert.delivery import deliver
from tasks.alert.plan import plan_alerts
from tasks.alert.rules import AlertRules
from tasks.alert.senders import sender_factory
from tasks.common.errors import ConfigError
from tasks.common.settings import Settings
from tasks.store.database import Database
from tests.support.stored_events import store_event

NOW = datetime(2021, 4, 10, 12, tzinfo=UTC)
MAX_AGE = timedelta(hours=72)
NO_SLACK = Settings()


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """One fresh fine, planned while Slack was not configured (so with no channel)."""
    database = Database(tmp_path / "outbox.duckdb")
    database.init()
    store_event(database, "a1", published=NOW - timedelta(hours=2))
    plan_alerts(database, AlertRules(), MAX_AGE, NOW, default_channel=None)
    return database


def bot(slack: SlackServer) -> Settings:
    return Settings(slack_bot_token=slack.token, slack_channel="C0ALERTS", slack_api_url=slack.api_url)


def outbox(db: Database) -> list[tuple[str, str | None, str | None, str | None]]:
    """(status, slack_ts, channel, last_error) of every alert."""
    with db.read() as con:
        return con.execute("SELECT status, slack_ts, channel, last_error FROM alerts ORDER BY created_at").fetchall()


def show_on_console(db: Database, when: datetime) -> str:
    out = io.StringIO()
    deliver(db, sender_factory(NO_SLACK, stream=out), when, MAX_AGE)
    return out.getvalue()


def test_an_alert_shown_on_the_console_goes_to_slack_once_slack_is_configured(db: Database) -> None:
    first = io.StringIO()
    shown = deliver(db, sender_factory(NO_SLACK, stream=first), NOW, MAX_AGE)
    assert (shown.shown, shown.sent) == (1, 0) and first.getvalue().startswith("Fine: Alibaba Group")
    assert show_on_console(db, NOW + timedelta(minutes=10)) == "", "shown once, not again every run"
    assert outbox(db) == [("shown", None, None, None)]
    with SlackServer() as slack:
        sent = deliver(db, sender_factory(bot(slack)), NOW + timedelta(hours=1), MAX_AGE)
        later = deliver(db, sender_factory(bot(slack)), NOW + timedelta(hours=2), MAX_AGE)
        assert (sent.sent, later.sent) == (1, 0)
        [message] = slack.messages
    assert message.text.startswith("Fine: Alibaba Group")
    assert outbox(db) == [("sent", message.ts, "C0ALERTS", None)]


def test_an_alert_shown_on_the_console_and_now_too_old_is_suppressed_with_a_readable_reason(db: Database) -> None:
    show_on_console(db, NOW)
    with SlackServer() as slack:
        stats = deliver(db, sender_factory(bot(slack)), NOW + timedelta(days=4), MAX_AGE)
        assert (stats.sent, stats.suppressed) == (0, 1)
        assert slack.requests == []
    assert outbox(db) == [("suppressed", None, None, "published 4 days ago; the alert window is 72 h")]


@pytest.mark.parametrize(("via", "channel"), [("bot token", "C0ALERTS"), ("webhook", "the incoming webhook's channel")])
def test_a_sent_alert_records_where_it_went(db: Database, via: str, channel: str) -> None:
    with SlackServer() as slack:
        settings = bot(slack) if via == "bot token" else Settings(slack_webhook_url=slack.webhook_url)
        assert deliver(db, sender_factory(settings), NOW, MAX_AGE).sent == 1
    assert [(status, where) for status, _, where, _ in outbox(db)] == [("sent", channel)]


def test_a_token_without_a_channel_leaves_no_alert_half_sent(db: Database) -> None:
    with pytest.raises(ConfigError, match="REGWATCH_SLACK_CHANNEL"):
        deliver(db, sender_factory(Settings(slack_bot_token="xoxb-no-channel")), NOW, MAX_AGE)
    assert [status for status, *_ in outbox(db)] == ["pending"]
