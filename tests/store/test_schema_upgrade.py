"""A database file written by an older regwatch keeps working, and is upgraded once.

Version 1 recorded an alert printed to the console as `sent` (its `slack_ts`
a made-up `console-N`), so Slack never got it once configured. Version 2
turns those back into alerts shown on the console and still owed to Slack.
Version 3 records when an alert was last attempted and the Slack channel ID it
went to, so a run can look up in Slack an alert that a crash left half-sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tasks.store.database import SCHEMA_VERSION, Database

WHEN = datetime(2021, 4, 10, 12, tzinfo=UTC)
# (alert_id, purpose, parent, status, slack_ts) as version 1 left them
V1_ALERTS = [
    ("a-console", "new", None, "sent", "console-1"),
    ("a-console-reply", "update", "a-console", "sent", "console-2"),
    ("a-slack", "new", None, "sent", "1618047000.000100"),
    ("a-failed", "new", None, "failed", None),
]


def version_1_file(path: Path) -> None:
    """A file as regwatch's schema version 1 left it, with alerts from console and Slack runs."""
    Database(path).init()
    con = duckdb.connect(str(path))
    try:
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        for alert_id, purpose, parent, status, ts in V1_ALERTS:
            con.execute(
                """INSERT INTO alerts (alert_id, cluster_id, kind, purpose, parent_alert_id, status, created_at,
                                       sent_at, attempts, text, slack_ts)
                   VALUES (?, 'c1', 'fine', ?, ?, ?, ?, ?, 1, 'Fine: Alibaba Group', ?)""",
                [alert_id, purpose, parent, status, WHEN, WHEN if status == "sent" else None, ts],
            )
    finally:
        con.close()


def state(path: Path) -> tuple[str, list[tuple[str, str, str | None, datetime | None]]]:
    with Database(path).read() as con:
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        alerts = con.execute("SELECT alert_id, status, slack_ts, sent_at FROM alerts ORDER BY alert_id").fetchall()
    assert version is not None
    return version[0], alerts


def test_console_alerts_of_a_version_1_file_are_owed_to_slack_again(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    version_1_file(path)
    Database(path).init()
    version, alerts = state(path)
    assert version == str(SCHEMA_VERSION) == "3"
    assert alerts == [
        ("a-console", "shown", None, None),
        ("a-console-reply", "shown", None, None),
        ("a-failed", "failed", None, None),
        ("a-slack", "sent", "1618047000.000100", WHEN),
    ]
    Database(path).init()  # upgrading is done once; opening again changes nothing
    assert state(path) == (version, alerts)


def test_a_version_2_file_gains_the_columns_that_find_a_half_sent_alert_in_slack(tmp_path: Path) -> None:
    path = tmp_path / "v2.duckdb"
    version_1_file(path)
    con = duckdb.connect(str(path))
    try:  # version 2's alerts table: without the two columns
        con.execute("ALTER TABLE alerts DROP COLUMN attempted_at")
        con.execute("ALTER TABLE alerts DROP COLUMN channel_id")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    finally:
        con.close()
    Database(path).init()
    with Database(path).read() as con:
        rows = con.execute("SELECT alert_id, attempted_at, channel_id FROM alerts ORDER BY alert_id").fetchall()
    assert state(path)[0] == "3"
    assert rows == [(alert_id, None, None) for alert_id in sorted(a[0] for a in V1_ALERTS)]
