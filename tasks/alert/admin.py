"""`regwatch alerts`: look into the outbox and resend an alert by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tasks.alert.delivery import deliver
from tasks.alert.senders import sender_factory
from tasks.common.errors import ConfigError, RegwatchError
from tasks.common.settings import Settings, check_slack_settings
from tasks.store.database import Database

ALERT_COLUMNS = ("alert_id", "status", "purpose", "kind", "created_at", "sent_at", "attempts", "channel",
                 "last_error", "text")
# Every status an alert can have; tasks/alert/delivery.py says what each means.
STATUSES = ("pending", "sending", "sent", "shown", "failed", "suppressed")


def list_alerts(db: Database, status: str | None = None) -> list[tuple[object, ...]]:
    """The outbox, newest first; only alerts with `status`, if given (an unknown one is an error, not nothing)."""
    if status is not None and status not in STATUSES:
        raise ConfigError(f"unknown alert status {status!r}: choose one of {', '.join(STATUSES)}")
    with db.read() as con:
        return con.execute(
            """SELECT alert_id, status, purpose, kind, strftime(created_at, '%Y-%m-%d %H:%M'),
                      strftime(sent_at, '%Y-%m-%d %H:%M'), attempts, channel, last_error, left(text, 120)
               FROM alerts WHERE ? IS NULL OR status = ? ORDER BY created_at DESC, alert_id""",
            [status, status],
        ).fetchall()


def resend_alert(settings: Settings, alert_id: str) -> str:
    """Queue the alert again (whatever its status) and run delivery now; returns its new status.

    An alert a crash left `sending` stays so: delivery then looks for it in Slack before posting it again."""
    check_slack_settings(settings)
    db = Database.for_settings(settings)
    db.require_existing()  # not an empty file created by a typo'd --db
    with db.write() as con:
        found = con.execute("SELECT 1 FROM alerts WHERE alert_id = ?", [alert_id]).fetchone()
        if found is None:
            raise RegwatchError(f"no alert {alert_id!r} (see `regwatch alerts`)")
        con.execute(
            """UPDATE alerts SET status = CASE WHEN status = 'sending' THEN 'sending' ELSE 'pending' END,
                      not_before = NULL, last_error = NULL,
                      created_at = CASE WHEN status = 'sent' THEN ? ELSE created_at END
               WHERE alert_id = ?""",
            [datetime.now(UTC), alert_id],
        )
    deliver(db, sender_factory(settings), datetime.now(UTC), timedelta(hours=settings.alert_max_age_hours))
    with db.read() as con:
        row = con.execute("SELECT status, last_error FROM alerts WHERE alert_id = ?", [alert_id]).fetchone()
    assert row is not None
    if row[0] == "shown":
        return "shown on the console; it goes to Slack once Slack is configured"
    return row[0] + (f" ({row[1]})" if row[1] else "")
