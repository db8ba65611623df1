"""The digest (Slack summary, Markdown artifact, PNG chart) and the schedule that `serve` reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fakes.slack_server import SlackServer, block_problems
from flows.serve import deployment_specs
from tasks.alert.digest import build_digest, parse_span, render_chart, to_markdown, to_slack
from tasks.alert.slack_send import WebApiSender
from tasks.common.errors import ConfigError
from tasks.store.database import Database


def seeded(tmp_path: Path) -> Database:
    db = Database(tmp_path / "d.duckdb")
    db.init()
    now = datetime.now(UTC)
    with db.write() as con:
        for i, (company, usd, kind) in enumerate([("Alibaba Group", 2.8e9, "fine"), ("Meituan", 5.3e8, "fine"),
                                                  (None, None, "policy_shift")]):
            published = now - timedelta(hours=5 * (i + 1))
            con.execute("INSERT INTO articles (article_id, url, title, extraction, fetched_at, published_at) "
                        "VALUES (?, ?, ?, 'trafilatura', ?, ?)", [f"a{i}", f"https://n.example/{i}", f"T{i}", now,
                                                                  published])
            con.execute("INSERT INTO events (event_id, article_id, kind, companies, amount_text, amount_usd, "
                        "regulator, direction, published_at, cluster_id) VALUES (?, ?, ?, ?, ?, ?, 'SAMR', ?, ?, ?)",
                        [f"e{i}", f"a{i}", kind, [company] if company else [], "x yuan" if usd else None, usd,
                         "ease" if kind == "policy_shift" else None, published, f"c{i}"])
            con.execute("INSERT INTO event_clusters VALUES (?, ?, [], 'SAMR', ?, NULL, ?, ?, ?)",
                        [f"c{i}", kind, usd, published, published, f"e{i}"])
        con.execute("INSERT INTO feeds (feed_id, url, name, consecutive_failures, last_error) "
                    "VALUES ('f', 'https://f.example', 'Broken feed', 3, 'HTTP 500')")
    return db


def test_digest_counts_each_action_once_and_lists_the_facts(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    digest = build_digest(seeded(tmp_path), now - timedelta(days=1), now)
    assert digest.by_kind == {"fine": 2, "policy_shift": 1}
    assert [f[0] for f in digest.largest_fines] == ["Alibaba Group", "Meituan"]
    assert digest.failing_feeds == [("Broken feed", 3, "HTTP 500")]
    markdown = to_markdown(digest)
    assert "| Fine | 2 |" in markdown and "Broken feed" in markdown
    message = to_slack(digest)
    assert message.text.startswith("Digest: 3 regulatory events") and not block_problems(message.blocks)
    chart = render_chart(digest, tmp_path / "chart.png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_digest_chart_is_attached_through_slack(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    digest = build_digest(seeded(tmp_path), now - timedelta(days=1), now)
    chart = render_chart(digest, tmp_path / "chart.png")
    with SlackServer() as slack:
        sender = WebApiSender(slack.token, "C0ALERTS", api_url=slack.api_url)
        assert sender.send(to_slack(digest)).ok
        assert sender.attach(chart, "Fines by company").ok
        (upload,) = slack.uploads.values()
    assert upload.completed and upload.channel == "C0ALERTS" and (upload.data or b"")[:4] == b"\x89PNG"


@pytest.mark.parametrize(("text", "hours"), [("24h", 24), ("7d", 168), ("2w", 336)])
def test_since_spans(text: str, hours: int) -> None:
    assert parse_span(text) == timedelta(hours=hours)


def test_bad_span_is_one_line() -> None:
    with pytest.raises(ConfigError, match="expected a span like"):
        parse_span("last week")


def test_schedules_come_from_prefect_yaml() -> None:
    specs = deployment_specs()
    assert specs["monitor"]["cron"] == "*/10 * * * *"
    assert specs["monitor"]["concurrency_limit"] == 1
    assert specs["monitor"]["parameters"] == {"config_dir": None, "db": None}
    assert specs["daily-digest"]["cron"] == "0 8 * * *"
