"""Send the outbox's pending alerts to Slack, oldest first, and record what happened.

Each alert is marked `sending` in its own committed transaction before the
request and `sent` (with Slack's ts) right after, so:
- Slack down, 5xx, timeouts, dropped connections: the alert stays `pending`
  and the run stops sending (no hammering); the next run sends it;
- 429: the alert waits until Retry-After has passed, then goes;
- invalid_auth, channel_not_found...: `failed`, shown by `regwatch alerts`,
  sent again with `regwatch alerts --resend ID` once the setting is fixed;
- a crash between Slack accepting a message and the `sent` commit leaves the
  alert `sending`. With a bot token every message carries metadata naming its
  alert, so the next run first looks for it in the channel's history (a
  thread's replies for a reply) around the attempt's time: found, it is
  recorded `sent` with that ts; not there, it is sent. Exactly once, across
  crashes. When Slack cannot tell (an incoming webhook cannot be read back,
  the token lacks the history scopes, a channel known by name only), the alert
  is sent again: at least once (never zero), with one warning a run.

The console does not use an alert up: with no Slack configured, an alert is
printed once and marked `shown`, still owed to Slack. Once a Slack sender is
configured, a shown alert whose story is still within the alert window goes
out (once, as above); an older one is `suppressed`, with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import duckdb

from tasks.alert.feed_alerts import FAILING_FEEDS, stored_message
from tasks.alert.slack_format import SlackMessage, render_alert, render_update
from tasks.alert.window import too_old, within_window
from tasks.store.database import Database

if TYPE_CHECKING:
    from tasks.alert.senders import Senders
    from tasks.alert.slack_send import Sender, SendResult

POSTED_AGAIN = "an alert interrupted by a crash is posted again, and may show twice in Slack: {reason}"


@dataclass
class DeliveryStats:
    sent: int = 0
    shown: int = 0  # printed on the console, still owed to Slack
    failed: int = 0
    suppressed: int = 0  # shown on the console, and past the alert window once Slack was configured
    pending: int = 0
    stopped: str | None = None  # why sending stopped early, if it did
    warning: str | None = None  # why an alert may have been posted twice (once a run, however many alerts)

    @property
    def changed(self) -> bool:
        """Whether delivery changed the outbox (beyond attempt counts): the snapshot is then worth refreshing."""
        return bool(self.sent or self.shown or self.failed or self.suppressed)


def _set(con: duckdb.DuckDBPyConnection, alert_id: str, **values: object) -> None:
    assignments = ", ".join(f"{k} = ?" for k in values)
    con.execute(f"UPDATE alerts SET {assignments} WHERE alert_id = ?", [*values.values(), alert_id])


# An alert `deliver` acts on now: owed (see `owed`), and not told by Slack to wait (Retry-After).
DUE = "a.status IN (SELECT unnest(?::VARCHAR[])) AND (a.not_before IS NULL OR a.not_before <= ?)"


def owed(reach_slack: bool) -> list[str]:
    """The statuses of alerts still owed: `shown` ones too once messages go to Slack (the console does not use
    an alert up)."""
    return ["pending", "sending", "shown"] if reach_slack else ["pending", "sending"]


def due_count(db: Database, now: datetime, reach_slack: bool) -> tuple[int, int]:
    """How many alerts `deliver` would act on now, and how many are pending or sending (`DeliveryStats.pending`).

    A quiet cycle asks first and delivers only when something is due: making the senders may read a Prefect
    Secret block, and an alert that could not go out earlier (Slack down yesterday) must still go today."""
    with db.session() as con:
        row = con.execute(
            f"""SELECT count(*) FILTER (WHERE {DUE}), count(*) FILTER (WHERE a.status IN ('pending', 'sending'))
                FROM alerts a""",
            [owed(reach_slack), now],
        ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def deliver(db: Database, senders: Senders, now: datetime, max_age: timedelta, limit: int = 100) -> DeliveryStats:
    """Send due alerts oldest first; stop at the first sign that Slack is unwell.

    One connection serves the whole stage; every state change is its own
    committed statement (see `Database.session`), which the outbox guarantee
    above rests on. An alert's sender is made before the alert is marked
    `sending`, so a setting that cannot work leaves no alert half-sent.
    """
    stats = DeliveryStats()
    with db.session() as con:
        due = con.execute(
            f"""SELECT a.alert_id, a.cluster_id, a.purpose, a.parent_alert_id, a.channel, a.status, c.first_published
                FROM alerts a LEFT JOIN event_clusters c USING (cluster_id)
                WHERE {DUE} ORDER BY a.created_at, a.alert_id LIMIT ?""",
            [owed(senders.reach_slack), now, limit],
        ).fetchall()
        unreadable: dict[str, SendResult] = {}  # destinations where Slack cannot tell what it got, this run
        for alert_id, cluster_id, purpose, parent_id, channel, status, published in due:
            if status == "shown" and published is not None and not within_window(published, now, max_age):
                _set(con, alert_id, status="suppressed", last_error=too_old(published, now, max_age))
                stats.suppressed += 1
                continue
            message, sources, thread_ts = (stored_message(con, alert_id) if purpose == FAILING_FEEDS
                                           else _compose(con, cluster_id, purpose, parent_id))
            if message is None:
                _set(con, alert_id, status="suppressed", last_error="nothing new to report")
                continue
            if purpose == "update" and thread_ts is None:
                continue  # its parent has not gone out yet; it will carry these sources itself
            sender = senders(channel)
            if status == "sending":
                found = _look_up(con, alert_id, sender, thread_ts, unreadable, stats)
                if not found.ok:
                    _pause(con, alert_id, "sending", found, now, stats)  # still `sending`: look again next run
                    break
                if found.ts is not None:
                    _record(con, alert_id, sender, found, message, sources, now, stats)
                    continue
            con.execute("UPDATE alerts SET status = 'sending', attempts = attempts + 1, attempted_at = ? "
                        "WHERE alert_id = ?", [datetime.now(UTC), alert_id])
            result = sender.send(message, thread_ts=thread_ts, key=alert_id)
            if not _record(con, alert_id, sender, result, message, sources, now, stats):
                break
        row = con.execute("SELECT count(*) FROM alerts WHERE status IN ('pending', 'sending')").fetchone()
    stats.pending = int(row[0]) if row else 0
    return stats


def _look_up(con: duckdb.DuckDBPyConnection, alert_id: str, sender: Sender, thread_ts: str | None,
             unreadable: dict[str, SendResult], stats: DeliveryStats) -> SendResult:
    """Ask Slack whether it got the alert that a crash left `sending`: ok with its ts when it did; ok without one
    when it must be sent (not there, or Slack cannot tell: then at least once, and the run's warning says why);
    not ok when Slack cannot be asked now. A destination Slack cannot tell about is not asked again this run."""
    from tasks.alert.slack_send import HISTORY_SCOPES, SendResult  # with slack_sdk: only when a crash left one

    result = unreadable.get(sender.destination)
    if result is None:
        attempted, channel_id = con.execute(
            """SELECT COALESCE(a.attempted_at, a.created_at),
                      (SELECT s.channel_id FROM alerts s WHERE s.channel = ? AND s.channel_id IS NOT NULL
                       ORDER BY s.sent_at DESC LIMIT 1)
               FROM alerts a WHERE a.alert_id = ?""",
            [sender.destination, alert_id],
        ).fetchone() or (None, None)
        result = sender.find(alert_id, attempted, thread_ts, channel_id=channel_id)
    if result.ok or not result.permanent:
        return result
    unreadable[sender.destination] = result
    reason = HISTORY_SCOPES.format(code=result.code) if result.code == "missing_scope" else result.error
    stats.warning = stats.warning or POSTED_AGAIN.format(reason=reason)
    return SendResult(ok=True)


def _record(con: duckdb.DuckDBPyConnection, alert_id: str, sender: Sender, result: SendResult,
            message: SlackMessage, sources: list[str], now: datetime, stats: DeliveryStats) -> bool:
    """Write what one attempt did to the alert; False when Slack is unwell and sending should stop."""
    if result.ok and not sender.reaches_slack:
        _set(con, alert_id, status="shown", text=message.text, last_error=None)
        stats.shown += 1
    elif result.ok:
        _set(con, alert_id, status="sent", sent_at=datetime.now(now.tzinfo), slack_ts=result.ts,
             channel=sender.destination, channel_id=result.channel, text=message.text, sources=json.dumps(sources),
             last_error=None)
        stats.sent += 1
    elif result.permanent:
        _set(con, alert_id, status="failed", last_error=result.error)
        stats.failed += 1
    else:
        _pause(con, alert_id, "pending", result, now, stats)
        return False
    return True


def _pause(con: duckdb.DuckDBPyConnection, alert_id: str, status: str, result: SendResult, now: datetime,
           stats: DeliveryStats) -> None:
    """Slack is unwell: leave the alert `status` until Retry-After (if Slack gave one) and stop sending."""
    wait = timedelta(seconds=result.retry_after or 0)
    _set(con, alert_id, status=status, last_error=result.error, not_before=now + wait if wait else None)
    stats.stopped = result.error or "Slack unavailable"


def _compose(con: duckdb.DuckDBPyConnection, cluster_id: str, purpose: str,
             parent_id: str | None) -> tuple[SlackMessage | None, list[str], str | None]:
    from tasks.alert.facts import cluster_facts  # with the classifier's history: 0.1 s no quiet cycle needs

    found = cluster_facts(con, cluster_id)
    if found is None:
        return None, [], None
    facts, urls = found
    if purpose == "new":
        return render_alert(facts), urls, None
    parent = con.execute("SELECT slack_ts, sources, status FROM alerts WHERE alert_id = ?", [parent_id]).fetchone()
    if parent is None or parent[2] != "sent":
        return render_update(facts, []), urls, None
    already = set(json.loads(parent[1] or "[]"))
    sent_updates = con.execute(
        "SELECT sources FROM alerts WHERE parent_alert_id = ? AND status = 'sent'", [parent_id]
    ).fetchall()
    for (sent,) in sent_updates:
        already |= set(json.loads(sent or "[]"))
    fresh = [s for s in [facts.primary, *facts.others] if s.url not in already]
    if not fresh:
        return None, [], parent[0]
    return render_update(facts, fresh), [s.url for s in fresh], parent[0]
