"""Delivering the outbox on a real database: the console never consumes an alert owed to Slack.

A first run without Slack shows its alerts on the console; once Slack is
configured, what is still within the alert window goes out once and the rest
is suppressed with a reason a person can read.

An alert that a crash left `sending` (Slack may have accepted it, the `sent`
commit never happened) is looked up in the channel's history by the metadata
it was posted with before it is posted again. The crash is reproduced by
putting a delivered alert back the way such a crash leaves it; the real
SIGKILL is in tests/faults/test_faults_crash.py.
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


def crash_after_slack_accepted(db: Database, purpose: str = "new", alert_ids: tuple[str, ...] = ()) -> None:
    """Put sent alerts (of `purpose`, or `alert_ids`) back the way a crash between Slack accepting them and the
    `sent` commit leaves them: `sending`, with no ts and no channel ID."""
    with db.write() as con:
        con.execute(
            """UPDATE alerts SET status = 'sending', slack_ts = NULL, sent_at = NULL, channel_id = NULL
               WHERE status = 'sent' AND (alert_id IN (SELECT unnest(?::VARCHAR[])) OR (len(?) = 0 AND purpose = ?))""",
            [list(alert_ids), list(alert_ids), purpose],
        )


def alert_ids(db: Database) -> list[str]:
    with db.read() as con:
        return [row[0] for row in con.execute("SELECT alert_id FROM alerts ORDER BY created_at, alert_id").fetchall()]


def api_calls(slack: SlackServer) -> list[str]:
    return [request.path.removeprefix("/api/") for request in slack.requests]


def test_an_alert_a_crash_left_sending_is_found_in_slack_and_not_posted_again(db: Database) -> None:
    with SlackServer() as slack:
        deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE)
        [posted] = slack.messages
        crash_after_slack_accepted(db)
        recovered = deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE)
        assert len(slack.messages) == 1, "Slack had it: not posted again"
        assert (recovered.sent, recovered.warning) == (1, None)
        assert api_calls(slack) == ["chat.postMessage", "conversations.history"]
    assert posted.metadata == {"event_type": "regwatch_alert", "event_payload": {"alert_id": alert_ids(db)[0]}}
    assert outbox(db) == [("sent", posted.ts, "C0ALERTS", None)]


def test_an_alert_a_crash_left_sending_that_never_reached_slack_is_posted_once(db: Database) -> None:
    with db.write() as con:  # the crash came before the request reached Slack
        con.execute("UPDATE alerts SET status = 'sending', attempted_at = now(), attempts = 1")
    with SlackServer() as slack:
        stats = deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE)
        again = deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE)
        assert (stats.sent, again.sent, len(slack.messages)) == (1, 0, 1)
    assert [status for status, *_ in outbox(db)] == ["sent"]


def test_a_thread_reply_a_crash_left_sending_is_found_in_its_thread(db: Database) -> None:
    with SlackServer() as slack:
        deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE)
        store_event(db, "a2", published=NOW - timedelta(hours=1), feed_id="other")  # another outlet reports it
        plan_alerts(db, AlertRules(), MAX_AGE, NOW, default_channel=None)
        deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE)
        parent, reply = slack.messages
        assert reply.thread_ts == parent.ts
        crash_after_slack_accepted(db, purpose="update")
        recovered = deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE)
        assert (recovered.sent, len(slack.messages)) == (1, 2)
        assert api_calls(slack)[-1] == "conversations.replies"
    with db.read() as con:
        assert con.execute("SELECT status, slack_ts FROM alerts WHERE purpose = 'update'").fetchall() == [
            ("sent", reply.ts)]


def test_without_the_history_scope_half_sent_alerts_go_again_with_one_warning_a_run(db: Database) -> None:
    store_event(db, "t1", published=NOW - timedelta(hours=1), companies=("Tencent",), company_ids=("tencent",),
                amount_usd=4.4e8)
    plan_alerts(db, AlertRules(), MAX_AGE, NOW, default_channel=None)
    with SlackServer(scopes=("chat:write",)) as slack:
        assert deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE).sent == 2
        crash_after_slack_accepted(db)
        resent = deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE)
        assert (resent.sent, len(slack.messages)) == (2, 4), "at least once: posted again, never lost"
        assert api_calls(slack).count("conversations.history") == 1, "asked once a run, not once an alert"
    assert resent.warning is not None and "channels:history" in resent.warning and "twice" in resent.warning


def test_a_webhook_cannot_be_read_back_so_a_half_sent_alert_goes_again_with_a_warning(db: Database) -> None:
    with SlackServer() as slack:
        webhook = Settings(slack_webhook_url=slack.webhook_url)
        deliver(db, sender_factory(webhook), NOW, MAX_AGE)
        crash_after_slack_accepted(db)
        resent = deliver(db, sender_factory(webhook), NOW, MAX_AGE)
        assert (resent.sent, len(slack.messages)) == (1, 2)
    assert resent.warning is not None and "webhook" in resent.warning and "bot token" in resent.warning


def test_a_channel_named_by_name_is_looked_up_by_the_id_slack_answered_with(db: Database) -> None:
    store_event(db, "t1", published=NOW - timedelta(hours=1), companies=("Tencent",), company_ids=("tencent",),
                amount_usd=4.4e8)
    plan_alerts(db, AlertRules(), MAX_AGE, NOW, default_channel=None)
    with SlackServer() as slack:
        by_name = Settings(slack_bot_token=slack.token, slack_channel="#regwatch-alerts", slack_api_url=slack.api_url)
        deliver(db, sender_factory(by_name), NOW, MAX_AGE)
        crash_after_slack_accepted(db, alert_ids=(alert_ids(db)[1],))
        recovered = deliver(db, sender_factory(by_name), NOW, MAX_AGE)
        assert (recovered.sent, recovered.warning, len(slack.messages)) == (1, None, 2)
        crash_after_slack_accepted(db)  # now no alert says which ID the name stands for
        unknown = deliver(db, sender_factory(by_name), NOW, MAX_AGE)
        assert (unknown.sent, len(slack.messages)) == (2, 4)
    assert unknown.warning is not None and "C0123456789" in unknown.warning


def test_when_slack_cannot_be_asked_the_half_sent_alert_waits_for_the_next_run_unsent(db: Database) -> None:
    with SlackServer() as slack:
        deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE)
        crash_after_slack_accepted(db)
        slack.fail_next(1, "500")  # the history request fails: whether Slack has the alert is unknown
        paused = deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE)
        assert (paused.sent, paused.pending, len(slack.messages)) == (0, 1, 1)
        assert paused.stopped is not None and "internal_error" in paused.stopped
        assert [status for status, *_ in outbox(db)] == ["sending"], "still to be looked up, not posted blind"
        recovered = deliver(db, sender_factory(bot(slack)), NOW, MAX_AGE)
        assert (recovered.sent, len(slack.messages)) == (1, 1)
