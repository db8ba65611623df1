"""Clustering and Slack delivery end to end: real flow, real DuckDB, Slack-shaped server via slack_sdk."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from fakes.slack_server import SlackServer
from flows.demo.corpus_server import CorpusServer
from flows.monitor import monitor
from tasks.store.database import Database
from tests.support.configs import write_config

pytestmark = pytest.mark.usefixtures("prefect_harness")

EN = """<html><head><meta charset="utf-8"><title>{title}</title></head><body><nav>Home | China | Tech</nav>
<article><h1>{title}</h1><p>{lead}</p><p>{body}</p></article><footer>(c) {outlet}</footer></body></html>"""

STORIES = {
    "wire/alibaba.html": ("SAMR fines Alibaba record 18.228 billion yuan", "Pacific Wire",
                          "China's State Administration for Market Regulation on Saturday fined Alibaba Group "
                          "18.228 billion yuan ($2.8 billion) for abusing its dominant position in online retail.",
                          "The regulator said Alibaba had forced merchants to choose one of two platforms. " * 4),
    "daily/alibaba-fine.html": ("Alibaba hit with $2.8 billion antitrust penalty", "Mainland Daily",
                                "Alibaba was fined 18.228 billion yuan by the market regulator on Saturday, the "
                                "largest antitrust fine in China's history.",
                                "Analysts said the penalty removes an overhang on the e-commerce giant's shares. " * 4),
    "zh/alibaba.html": ("市场监管总局对阿里巴巴罚款182.28亿元", "财经观察",
                        "国家市场监督管理总局周六依法对阿里巴巴集团作出行政处罚，罚款182.28亿元。",
                        "市场监管总局认定阿里巴巴实施二选一行为，滥用市场支配地位。" * 4),
    "wire/recap.html": ("Tencent profit rises", "Pacific Wire",
                        "Tencent said on Wednesday its quarterly profit rose 10%, beating forecasts.",
                        "Rival Alibaba, which was fined 18.2 billion yuan in 2021, reports next week. " * 4),
    "daily/old-fine.html": ("Meituan fined 3.442 billion yuan", "Mainland Daily",
                            "China's market regulator fined Meituan 3.442 billion yuan for exclusive dealing.",
                            "The State Administration for Market Regulation said Meituan abused its position. " * 4),
    "daily/eu.html": ("EU fines Google 4.34 billion euros", "Mainland Daily",
                      "The European Commission fined Google 4.34 billion euros over Android.",
                      "Brussels said Google abused its dominance of mobile operating systems. " * 4),
}


def feed(items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{{{{BASE}}}}/{path}</link><pubDate>{{{{RFC822:{age}}}}}</pubDate></item>"
        for path, title, age in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{entries}</channel></rss>'


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    for path, (title, outlet, lead, body) in STORIES.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(EN.format(title=title, outlet=outlet, lead=lead, body=body), encoding="utf-8")
    (root / "feeds").mkdir()
    (root / "feeds/wire.rss.xml").write_text(feed([
        ("wire/alibaba.html", "SAMR fines Alibaba", "-2h"), ("wire/recap.html", "Tencent profit", "-1h")]))
    (root / "feeds/daily.rss.xml").write_text(feed([
        ("daily/old-fine.html", "Meituan fined", "-10d"), ("daily/eu.html", "EU fines Google", "-3h")]))
    (root / "feeds/zh.rss.xml").write_text(feed([("zh/alibaba.html", "阿里巴巴被罚", "-90m")]))
    (root / "feeds/late.rss.xml").write_text(feed([("daily/alibaba-fine.html", "Alibaba penalty", "-1h")]))
    return root


def configure(tmp_path: Path, server: CorpusServer, feeds: list[str]) -> Path:
    lines = ["feeds:", *(f"  - url: {server.url('/feeds/' + f)}" for f in feeds), "fetch:", "  timeout_seconds: 5"]
    return write_config(tmp_path / "config", "\n".join(lines) + "\n")


def run(config: Path, db: Path) -> dict[str, Any]:
    return asyncio.run(monitor(config_dir=str(config), db=str(db), allow_private_networks=True))


def alerts(db: Path) -> list[tuple[Any, ...]]:
    with Database(db).read() as con:
        return con.execute("SELECT purpose, kind, status, attempts FROM alerts ORDER BY created_at").fetchall()


def test_one_alert_per_event_across_outlets_and_languages(site: Path, tmp_path: Path, slack: SlackServer) -> None:
    db = tmp_path / "rw.duckdb"
    with CorpusServer(site) as server:
        config = configure(tmp_path, server, ["wire.rss.xml", "daily.rss.xml", "zh.rss.xml"])
        first = run(config, db)
        assert first["alerts_sent"] == 1, first
        (message,) = slack.messages
        assert message.text.startswith("Fine: Alibaba Group")
        assert "18.228 billion yuan" in message.text and "SAMR" in message.text
        assert "$2.5" in message.text  # the USD figure at config/rates.yaml's rate
        assert first["alerts_suppressed"] == 1  # Meituan's fine is 10 days old: stored, not alerted

        second = run(config, db)
        assert second["alerts_sent"] == 0 and len(slack.messages) == 1

        # A new outlet reports the same fine later: a thread reply, not a new alert.
        config = configure(tmp_path, server, ["wire.rss.xml", "daily.rss.xml", "zh.rss.xml", "late.rss.xml"])
        third = run(config, db)
    assert third["alerts_sent"] == 1
    reply = slack.messages[-1]
    assert reply.thread_ts == message.ts and reply.text.startswith("Also reported")
    with Database(db).read() as con:
        clusters = con.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall()
        stories = con.execute("SELECT stories FROM recent_events WHERE kind = 'fine' ORDER BY stories DESC").fetchall()
    assert dict(clusters)["fine"] >= 4
    assert stories == [(3,), (1,)]  # Alibaba: wire, zh and the late daily story; Meituan's is its own


def test_slack_down_then_up_delivers_every_alert_once(site: Path, tmp_path: Path, slack: SlackServer) -> None:
    db = tmp_path / "rw.duckdb"
    with CorpusServer(site) as server:
        config = configure(tmp_path, server, ["wire.rss.xml", "zh.rss.xml"])
        slack.fail_next(1, "500")
        down = run(config, db)
        assert down["alerts_sent"] == 0 and down["alerts_pending"] == 1
        assert alerts(db) == [("new", "fine", "pending", 1)]
        slack.fail_next(1, "drop")
        still_down = run(config, db)
        assert still_down["alerts_sent"] == 0 and alerts(db)[0][3] == 2
        up = run(config, db)
    assert up["alerts_sent"] == 1
    assert [m.text.split(":")[0] for m in slack.messages] == ["Fine"]
    assert alerts(db) == [("new", "fine", "sent", 3)]


def test_rate_limit_is_honoured(site: Path, tmp_path: Path, slack: SlackServer) -> None:
    db = tmp_path / "rw.duckdb"
    with CorpusServer(site) as server:
        config = configure(tmp_path, server, ["wire.rss.xml"])
        slack.fail_next(1, "429")
        limited = run(config, db)
        assert limited["alerts_sent"] == 0
        with Database(db).read() as con:
            row = con.execute("SELECT not_before > created_at FROM alerts").fetchone()
        assert row == (True,)
        time.sleep(1.1)  # Retry-After: 1
        after = run(config, db)
    assert after["alerts_sent"] == 1 and len(slack.messages) == 1


def test_bad_token_fails_visibly_and_resend_delivers(
    site: Path, tmp_path: Path, slack: SlackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from flows.cli.app import app

    db = tmp_path / "rw.duckdb"
    monkeypatch.setenv("REGWATCH_SLACK_BOT_TOKEN", "xoxb-wrong")
    with CorpusServer(site) as server:
        config = configure(tmp_path, server, ["wire.rss.xml"])
        result = run(config, db)
    assert result["alerts_failed"] == 1 and slack.messages == []
    listing = CliRunner().invoke(app, ["alerts", "--db", str(db), "--status", "failed", "--format", "csv"])
    assert "invalid_auth" in listing.output and "xoxb-wrong" not in listing.output
    alert_id = listing.output.splitlines()[1].split(",")[0]
    monkeypatch.setenv("REGWATCH_SLACK_BOT_TOKEN", slack.token)
    resent = CliRunner().invoke(app, ["alerts", "--db", str(db), "--resend", alert_id])
    assert resent.exit_code == 0 and f"alert {alert_id}: sent" in resent.output
    assert len(slack.messages) == 1


def outbox_listing(db: Path, *options: str) -> list[dict[str, str]]:
    """`regwatch alerts --format csv` as a user runs it, one dict a row."""
    import csv

    from typer.testing import CliRunner

    from flows.cli.app import app

    listing = CliRunner().invoke(app, ["alerts", "--db", str(db), "--format", "csv", *options])
    assert listing.exit_code == 0, listing.output
    return list(csv.DictReader(listing.output.splitlines()))


def test_alerts_shown_on_the_console_go_to_slack_once_it_is_configured(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "rw.duckdb"
    with CorpusServer(site) as server:
        config = configure(tmp_path, server, ["wire.rss.xml", "zh.rss.xml"])
        console = run(config, db)  # a new user tries regwatch before setting up Slack
        assert (console["alerts_shown"], console["alerts_sent"]) == (1, 0)
        assert "Fine: Alibaba Group" in capsys.readouterr().out
        assert [(a["status"], a["channel"]) for a in outbox_listing(db)] == [("shown", "")]
        with SlackServer() as slack:
            monkeypatch.setenv("REGWATCH_SLACK_BOT_TOKEN", slack.token)
            monkeypatch.setenv("REGWATCH_SLACK_CHANNEL", "C0ALERTS")
            monkeypatch.setenv("REGWATCH_SLACK_API_URL", slack.api_url)
            configured = run(config, db)
            again = run(config, db)
            messages = list(slack.messages)
    assert (configured["alerts_sent"], again["alerts_sent"]) == (1, 0)
    [message] = messages
    assert message.text.startswith("Fine: Alibaba Group")
    [sent] = outbox_listing(db)
    assert (sent["status"], sent["channel"]) == ("sent", "C0ALERTS")


def test_console_alerts_past_the_window_when_slack_arrives_are_suppressed_with_the_reason(
    site: Path, tmp_path: Path, slack: SlackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "rw.duckdb"
    with CorpusServer(site) as server:
        config = configure(tmp_path, server, ["wire.rss.xml"])
        for name in ("REGWATCH_SLACK_BOT_TOKEN", "REGWATCH_SLACK_CHANNEL"):
            monkeypatch.delenv(name)
        assert run(config, db)["alerts_shown"] == 1  # the story is two hours old
        monkeypatch.setenv("REGWATCH_SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("REGWATCH_SLACK_CHANNEL", "C0ALERTS")
        monkeypatch.setenv("REGWATCH_ALERT_MAX_AGE_HOURS", "1")  # as if Slack came two days later
        later = run(config, db)
    assert later["alerts_sent"] == 0 and slack.messages == []
    [suppressed] = outbox_listing(db, "--status", "suppressed")
    assert suppressed["last_error"] == "published 2 hours ago; the alert window is 1 h"
