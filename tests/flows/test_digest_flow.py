"""The digest flow end to end: one Slack message for the period, its chart a reply in that message's thread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fakes.slack_server import SlackServer
from flows.digest import digest
from tasks.store.database import Database
from tests.support.actions import Action, store_actions

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_the_digest_posts_its_chart_in_its_own_thread(tmp_path: Path, slack: SlackServer) -> None:
    db = Database(tmp_path / "d.duckdb")
    db.init()
    now = datetime.now(UTC)
    store_actions(db, Action("fine", now - timedelta(hours=30), amount_usd=2.5e9),
                  Action("probe", now - timedelta(hours=3), kind="investigation", companies=("Meituan",)))
    result = digest(since_hours=48, db=str(db.path))
    (message,) = slack.messages
    (upload,) = slack.uploads.values()
    assert message.text.startswith("Digest: 2 regulatory events") and message.thread_ts is None
    assert upload.completed and upload.thread_ts == message.ts and upload.channel == "C0ALERTS"
    assert result["slack"] == "sent (chart in its thread)"
    assert Path(result["chart"]).read_bytes()[:4] == b"\x89PNG"


def test_without_slack_the_digest_says_it_was_printed_not_sent(tmp_path: Path) -> None:
    db = Database(tmp_path / "d.duckdb")
    db.init()
    store_actions(db, Action("fine", datetime.now(UTC) - timedelta(hours=3), amount_usd=2.5e9))
    result = digest(since_hours=24, db=str(db.path))
    assert result["slack"] == "not configured (printed to the console)"
