"""Slack down for a day: 500, 429, dropped connections, revoked auth, over several real runs.

Each run brings one new fine, so the outbox fills while Slack is down. A
failing run makes one request and stops (no hammering); when Slack is back,
the queued alerts go out oldest first, each once. An auth failure marks an
alert `failed` (never retried on its own), `regwatch alerts` lists it, and
one resend delivers it once. Settings that could only fail at delivery (a bot
token without a channel) stop the run before it starts, in one line.

Alerts a crash left half-sent (Slack accepted them, the run died before
recording it; the SIGKILL itself is in test_faults_crash.py) are found in the
channel's history and not posted again; without the history scope they are
posted again, at least once, with one warning for the run however many.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from fakes.slack_server import BOT_SCOPES, SlackServer
from flows.cli.app import app
from flows.demo.corpus_server import CorpusServer
from tests.support import faultkit as fk
from tests.support.configs import write_config
from tests.support.httpkit import static

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("prefect_harness")]

FINES = [  # (company as written, canonical name, amount in billion yuan), one new story a run
    ("Alibaba Group", "Alibaba Group", "18.228"), ("Tencent", "Tencent", "3.1"), ("Meituan", "Meituan", "3.442"),
    ("JD.com", "JD.com", "1.75"), ("Baidu", "Baidu", "2.6"),
]
OUTAGE = ["500", "429", "drop", "500"]  # one fault per run: a day of Slack trouble


def publish(server: CorpusServer, count: int) -> None:
    """The feed with the first `count` fines (a new story appears each run)."""
    items = []
    for i, (company, _, amount) in enumerate(FINES[:count]):
        path = f"/fines/{i}.html"
        text = (f"China's State Administration for Market Regulation fined {company} {amount} billion yuan on "
                f"Tuesday for abusing its dominant position. {fk.filler_story(i, 4)} ")
        server.routes[path] = static(fk.article(f"{company} fined {amount} billion yuan", text * 2), "text/html")
        items.append((f"{company} fined", server.url(path)))
    server.routes["/feed"] = static(fk.rss(items))


def outbox(db: Path) -> list[tuple[str, str, int]]:
    """(text as sent, status, attempts) of every alert, oldest first."""
    return [(str(text or ""), status, attempts) for text, status, attempts in fk.query(
        db, "SELECT text, status, attempts FROM alerts WHERE purpose = 'new' ORDER BY created_at, alert_id")]


def test_an_outage_over_several_runs_delivers_every_alert_once_oldest_first(
    tmp_path: Path, slack: SlackServer
) -> None:
    db = tmp_path / "rw.duckdb"
    with CorpusServer() as server:
        config = write_config(tmp_path / "config", f"feeds:\n  - url: {server.url('/feed')}\n")
        for run, fault in enumerate(OUTAGE, start=1):
            publish(server, run)
            slack.fail_next(1, fault)
            before = len(slack.requests)
            result = fk.run_flow(config, db)
            assert result["alerts_sent"] == 0 and result["alerts_pending"] == run, (fault, result)
            assert len(slack.requests) - before == 1, f"{fault}: one attempt a run, then wait"
            time.sleep(1.1 if fault == "429" else 0)  # Retry-After: 1
        assert [status for _, status, _ in outbox(db)] == ["pending"] * len(OUTAGE)
        assert slack.messages == []

        publish(server, len(OUTAGE))
        recovered = fk.run_flow(config, db)
        assert recovered["alerts_sent"] == len(OUTAGE) and recovered["alerts_pending"] == 0
        quiet = fk.run_flow(config, db)
    assert quiet["alerts_sent"] == 0
    sent = [m.text.split(" fined")[0].removeprefix("Fine: ") for m in slack.messages]
    assert sent == [name for _, name, _ in FINES[: len(OUTAGE)]], "oldest first, each once"
    # The oldest alert took every failed attempt (sending stops at the first failure); the others one each.
    assert [(status, attempts) for _, status, attempts in outbox(db)] == [
        ("sent", len(OUTAGE) + 1), *[("sent", 1)] * (len(OUTAGE) - 1)]


def test_revoked_auth_fails_visibly_and_one_resend_delivers_once(tmp_path: Path, slack: SlackServer) -> None:
    db = tmp_path / "rw.duckdb"
    with CorpusServer() as server:
        config = write_config(tmp_path / "config", f"feeds:\n  - url: {server.url('/feed')}\n")
        publish(server, 2)
        slack.fail_next(2, "invalid_auth")  # the token was revoked for a while
        revoked = fk.run_flow(config, db)
        assert revoked["alerts_failed"] == 2 and slack.messages == []
        restored = fk.run_flow(config, db)  # the token works again: failed alerts stay failed until resent
        assert restored["alerts_sent"] == 0
    listing = CliRunner().invoke(app, ["alerts", "--db", str(db), "--status", "failed", "--format", "csv"])
    rows = listing.output.splitlines()[1:]
    assert len(rows) == 2 and all("invalid_auth" in row for row in rows), listing.output
    alert_id = rows[0].split(",")[0]
    resent = CliRunner().invoke(app, ["alerts", "--db", str(db), "--resend", alert_id])
    assert resent.exit_code == 0 and f"alert {alert_id}: sent" in resent.output
    again = CliRunner().invoke(app, ["alerts", "--db", str(db), "--status", "sent", "--format", "csv"])
    assert len(again.output.splitlines()) == 2  # header and the one resent alert
    assert len(slack.messages) == 1


def test_a_token_without_a_channel_stops_the_run_before_anything_starts(
    tmp_path: Path, slack: SlackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGWATCH_SLACK_CHANNEL")
    monkeypatch.setenv("REGWATCH_ALLOW_PRIVATE_NETWORKS", "1")  # the feed is on loopback
    db = tmp_path / "rw.duckdb"
    with CorpusServer() as server:
        publish(server, 1)
        config = write_config(tmp_path / "config", f"feeds:\n  - url: {server.url('/feed')}\n")
        result = CliRunner().invoke(app, ["run", "--config-dir", str(config), "--db", str(db)], prog_name="regwatch")
        hits = sum(server.hits.values())
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert result.output.startswith("regwatch: a Slack bot token is set but no channel: set REGWATCH_SLACK_CHANNEL")
    assert slack.token not in result.output
    assert (hits, slack.requests, db.exists()) == (0, [], False)


def crash_after_slack_accepted(db: Path) -> None:
    """Every sent alert as a crash between Slack accepting it and the `sent` commit leaves it."""
    con = duckdb.connect(str(db))
    try:
        con.execute("UPDATE alerts SET status = 'sending', slack_ts = NULL, sent_at = NULL WHERE status = 'sent'")
    finally:
        con.close()


@pytest.mark.parametrize("scopes", [BOT_SCOPES, ("chat:write",)], ids=["history-scope", "no-history-scope"])
def test_alerts_a_crash_left_half_sent_are_found_or_sent_again_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scopes: tuple[str, ...]
) -> None:
    db = tmp_path / "rw.duckdb"
    with SlackServer(scopes=scopes) as slack, CorpusServer() as server:
        monkeypatch.setenv("REGWATCH_SLACK_API_URL", slack.api_url)
        monkeypatch.setenv("REGWATCH_SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("REGWATCH_SLACK_CHANNEL", "C0ALERTS")
        config = write_config(tmp_path / "config", f"feeds:\n  - url: {server.url('/feed')}\n")
        publish(server, 2)
        assert fk.run_flow(config, db)["alerts_sent"] == 2
        crash_after_slack_accepted(db)
        with fk.captured_logs() as logs:
            recovered = fk.run_flow(config, db)
    warnings = [line for line in logs if "may show twice" in line]
    assert recovered["alerts_sent"] == 2 and recovered["alerts_pending"] == 0
    if scopes == BOT_SCOPES:
        assert (len(slack.messages), warnings) == (2, []), "found in the history: exactly once"
    else:
        assert len(slack.messages) == 4, "posted again: at least once, never lost"
        assert len(warnings) == 1 and "channels:history" in warnings[0], logs
