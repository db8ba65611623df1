"""`regwatch alerts`: listing the outbox and resending, as a user types them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fakes.slack_server import SlackServer
from tasks.alert.admin import list_alerts
from tasks.alert.delivery import deliver
from tasks.alert.plan import plan_alerts
from tasks.alert.rules import AlertRules
from tasks.alert.senders import sender_factory
from tasks.common.settings import Settings
from tasks.store.database import Database
from tests.support.cli import regwatch as cli
from tests.support.stored_events import store_event


def test_an_unknown_status_is_one_line_listing_the_valid_ones(tmp_path: Path) -> None:
    db = tmp_path / "rw.duckdb"
    Database(db).init()
    code, output = cli("alerts", "--db", str(db), "--status", "bogus")
    assert (code, output) == (1, "regwatch: unknown alert status 'bogus': choose one of pending, sending, sent, "
                                 "shown, failed, suppressed\n")


def test_a_known_status_with_no_alerts_is_an_empty_listing(tmp_path: Path) -> None:
    db = tmp_path / "rw.duckdb"
    Database(db).init()
    code, output = cli("alerts", "--db", str(db), "--status", "shown", "--format", "csv")
    assert code == 0 and output.splitlines()[0].startswith("alert_id,status")


def test_resending_without_slack_shows_the_alert_and_keeps_it_owed_to_slack(tmp_path: Path) -> None:
    db = Database(tmp_path / "rw.duckdb")
    db.init()
    now = datetime.now(UTC)
    store_event(db, "a1", published=now - timedelta(hours=2))
    plan_alerts(db, AlertRules(), timedelta(hours=72), now, default_channel=None)
    [(alert_id, _status, *_)] = list_alerts(db)
    code, output = cli("alerts", "--db", str(db.path), "--resend", str(alert_id))
    assert code == 0 and output.startswith("Fine: Alibaba Group"), output
    assert output.endswith(f"alert {alert_id}: shown on the console; it goes to Slack once Slack is configured\n")
    assert [row[1] for row in list_alerts(db)] == ["shown"]


def test_resending_an_alert_a_crash_left_half_sent_looks_in_slack_first(tmp_path: Path, slack: SlackServer) -> None:
    db = Database(tmp_path / "rw.duckdb")
    db.init()
    now = datetime.now(UTC)
    store_event(db, "a1", published=now - timedelta(hours=2))
    plan_alerts(db, AlertRules(), timedelta(hours=72), now, default_channel=None)
    settings = Settings(slack_bot_token=slack.token, slack_channel="C0ALERTS", slack_api_url=slack.api_url)
    deliver(db, sender_factory(settings), now, timedelta(hours=72))
    with db.write() as con:  # as a crash after Slack accepted it leaves it
        con.execute("UPDATE alerts SET status = 'sending', slack_ts = NULL, sent_at = NULL")
    [(alert_id, *_)] = list_alerts(db)
    code, output = cli("alerts", "--db", str(db.path), "--resend", str(alert_id))
    assert (code, output) == (0, f"alert {alert_id}: sent\n")
    assert len(slack.messages) == 1, "Slack had it: found, not posted again"
